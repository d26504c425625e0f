package demo

// The browser tests drive the reference server in headless Chromium
// (Debian's chromium, path in WEBOS_TEST_CHROMIUM) through chromedp. One
// browser and one demo server, on a fresh database of the test MongoDB
// server, serve every browser test of the package; each test gets its own
// tab in its own browser context, so cookies never leak between tests.
// Screenshots go to artifacts/browser/ at the repository root (git-ignored).

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
)

// Users of the browser tests' demo server.
const (
	browserAdminEmail    = "admin@example.com"
	browserAdminPassword = "admin-password-1"
	browserPlainEmail    = "carol@example.com" // role "user": no permissions
	browserPlainPassword = "carol-password-1"
	browserThemeEmail    = "dora@example.com" // an administrator only the dark-mode test uses
	browserThemePassword = "dora-password-1"
	browserGridEmail     = "erin@example.com" // an administrator only the notes grid test uses
	browserGridPassword  = "erin-password-1"
)

// browserShared is what the browser tests share, started by the first test
// that needs it and stopped by TestMain.
var browserShared struct {
	browser browsertest.Browser
	stops   []func()

	serverOnce sync.Once
	server     *httptest.Server
	serverErr  error
	app        *webos.App // the server's application
}

func TestMain(m *testing.M) {
	code := m.Run()
	browserShared.browser.Close()
	for i := len(browserShared.stops) - 1; i >= 0; i-- {
		browserShared.stops[i]()
	}
	os.Exit(code)
}

// browserDemoServer starts the reference server once, with an
// administrator and a user without permissions.
func browserDemoServer(t *testing.T) *httptest.Server {
	t.Helper()
	testenv.Integration(t)
	browserShared.serverOnce.Do(func() {
		browserShared.server, browserShared.serverErr = startBrowserDemo()
	})
	if browserShared.serverErr != nil {
		t.Fatal(browserShared.serverErr)
	}
	return browserShared.server
}

// startBrowserDemo serves the demo as `make run` does: on the embedded
// SQLite store in a fresh data folder.
func startBrowserDemo() (*httptest.Server, error) {
	dir, err := os.MkdirTemp("", "webos-browser-demo-")
	if err != nil {
		return nil, err
	}
	browserShared.stops = append(browserShared.stops, func() { _ = os.RemoveAll(dir) })
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	app, err := newApp(cfg, stalledSearch{}) // a search source that never answers in time; see search_browser_test.go
	if err != nil {
		return nil, err
	}
	browserShared.app = app
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		return nil, err
	}
	browserShared.stops = append(browserShared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	})
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		return nil, fmt.Errorf("the demo: %w", err)
	}
	for _, u := range []auth.NewUser{
		{Email: browserAdminEmail, Password: browserAdminPassword, DisplayName: "Ada Admin", Roles: []string{auth.RoleAdmin}},
		{Email: browserPlainEmail, Password: browserPlainPassword, DisplayName: "Carol"},
		{Email: browserThemeEmail, Password: browserThemePassword, DisplayName: "Dora", Roles: []string{auth.RoleAdmin}},
		{Email: browserGridEmail, Password: browserGridPassword, DisplayName: "Erin", Roles: []string{auth.RoleAdmin}},
	} {
		if _, err := am.CreateUser(ctx, u); err != nil {
			return nil, err
		}
	}
	srv := httptest.NewServer(app.Handler())
	browserShared.stops = append(browserShared.stops, func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv, nil
}

// demoTab opens a tab on the shared demo server.
func demoTab(t *testing.T) *browsertest.Tab {
	t.Helper()
	return openChromeTab(t, browserDemoServer(t).URL)
}

// openChromeTab opens a tab of the package's browser on the server at
// base, with the demo's deadline of 90 s.
func openChromeTab(t *testing.T, base string) *browsertest.Tab {
	t.Helper()
	return browserShared.browser.NewTab(t, browsertest.Options{Base: base, Timeout: 90 * time.Second})
}

// TestBrowserCSPWatcher checks that the tabs see what the policy refuses:
// an inline script and a style attribute put into a page.
func TestBrowserCSPWatcher(t *testing.T) {
	tb := demoTab(t)
	tb.Visit("/login")
	tb.WaitFor("the sign-in page's policy", `fetch("/login", {headers: {"Accept": "text/html"}}).then(r => (r.headers.get("Content-Security-Policy") || "").includes("script-src 'self'"))`)
	browsertest.Eval[chromedp.Void](tb, `(() => { const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.body.appendChild(s); const d = document.createElement("div"); d.setAttribute("style", "color: red"); document.body.appendChild(d); })()`)
	if browsertest.Eval[bool](tb, `window.__ran === true`) {
		t.Error("an inline script ran")
	}
	deadline := time.Now().Add(5 * time.Second)
	var seen []string
	for time.Now().Before(deadline) && len(seen) < 2 {
		seen = append(seen, tb.TakeCSP()...)
		time.Sleep(50 * time.Millisecond)
	}
	joined := strings.Join(seen, "\n")
	if !strings.Contains(joined, "script-src") || !strings.Contains(joined, "style-src") {
		t.Fatalf("the watcher saw %q", seen)
	}
}
