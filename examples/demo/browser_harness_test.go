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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
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
	browserOnce sync.Once
	browser     context.Context
	browserErr  error
	stops       []func()

	serverOnce sync.Once
	server     *httptest.Server
	serverErr  error
	app        *webos.App // the server's application
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(browserShared.stops) - 1; i >= 0; i-- {
		browserShared.stops[i]()
	}
	os.Exit(code)
}

// sharedBrowser starts the package's one headless Chromium.
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	path := testenv.Chromium(t)
	browserShared.browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "webos-chromium-")
		if err != nil {
			browserShared.browserErr = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("force-color-profile", "srgb"),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.WindowSize(1280, 860),
			chromedp.UserDataDir(dir),
		)
		browser, cancelBrowser := chromedp.NewContext(alloc)
		browserShared.stops = append(browserShared.stops, func() { _ = os.RemoveAll(dir) }, cancelAlloc, cancelBrowser)
		if err := chromedp.Do(browser); err != nil {
			browserShared.browserErr = fmt.Errorf("start chromium: %w", err)
			return
		}
		browserShared.browser = browser
	})
	if browserShared.browserErr != nil {
		t.Fatal(browserShared.browserErr)
	}
	return browserShared.browser
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

// chromeTab is a tab in a browser context of its own, with a deadline for
// the test's actions and the system colour scheme set to light.
type chromeTab struct {
	t    *testing.T
	ctx  context.Context
	base string
	csp  cspLog // what the pages' policy refused; see watchCSP
}

// cspLog collects the reports of a tab's watchCSP.
type cspLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *cspLog) add(s string) {
	l.mu.Lock()
	l.seen = append(l.seen, s)
	l.mu.Unlock()
}

// take returns the reports so far and forgets them.
func (l *cspLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.seen
	l.seen = nil
	return s
}

// demoTab opens a tab on the shared demo server.
func demoTab(t *testing.T) *chromeTab {
	t.Helper()
	return openChromeTab(t, browserDemoServer(t).URL)
}

func openChromeTab(t *testing.T, base string) *chromeTab {
	t.Helper()
	browser := sharedBrowser(t)
	tabCtx, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx); err != nil { // opens the tab, without a deadline
		cancelTab()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, 90*time.Second)
	t.Cleanup(func() { cancel(); cancelTab() })
	tb := &chromeTab{t: t, ctx: ctx, base: base}
	tb.watchCSP()
	tb.colorScheme("light")
	return tb
}

// do runs actions and fails the test on error.
func (tb *chromeTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// browserEval evaluates a JavaScript expression in the tab.
func browserEval[T any](tb *chromeTab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor evaluates a JavaScript condition every 50 ms until it holds,
// across navigations (an evaluation that a navigation interrupts is
// retried). The condition may return a promise.
func (tb *chromeTab) waitFor(what, js string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if tb.ctx.Err() != nil {
			break
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("waiting for %s (%s): not within 15s (last error: %v)", what, js, last)
}

// visit loads a page and waits for the shell's script.
func (tb *chromeTab) visit(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.base+path))
	tb.waitFor("the page's script", `document.body !== null && document.body.getAttribute("data-shell-ready") === "true"`)
}

// colorScheme emulates the system's light or dark preference.
func (tb *chromeTab) colorScheme(scheme string) {
	tb.t.Helper()
	_, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		tb.t.Fatal(err)
	}
}

// signIn signs in through the sign-in form and lands on the launchpad.
func (tb *chromeTab) signIn(email, password string) {
	tb.t.Helper()
	tb.visit("/")
	tb.waitFor("the sign-in form", `location.pathname === "/login" && document.querySelector("form input#email") !== null`)
	tb.do("fill in the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	tb.waitFor("the launchpad", `location.pathname === "/" && document.querySelector("main .launchpad") !== null && document.body.getAttribute("data-shell-ready") === "true"`)
}

// screenshot saves a PNG of the viewport as artifacts/browser/name.png at
// the repository root.
func (tb *chromeTab) screenshot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(repoRoot(tb.t), "artifacts", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
}

func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// cspBinding is the function through which a page reports what its
// Content-Security-Policy refused.
const cspBinding = "webosCSPViolation"

// cspWatch runs in every document of a tab before the page's own scripts:
// it reports each securitypolicyviolation event, and each attribute htmx
// refused to evaluate (allowEval is off, so an hx-on would otherwise fail
// in silence).
const cspWatch = `(function () {
  function report(s) { try { window.` + cspBinding + `(String(s)); } catch (e) {} }
  document.addEventListener("securitypolicyviolation", function (e) {
    report(e.effectiveDirective + " refused " + (e.blockedURI || "inline code") + " at " + e.sourceFile + ":" + e.lineNumber + (e.sample ? " (" + e.sample + ")" : ""));
  }, true);
  document.addEventListener("htmx:evalDisallowedError", function (e) {
    var el = e.target && e.target.outerHTML ? e.target.outerHTML.slice(0, 160) : "an element";
    report("htmx refused to evaluate inline script on " + el);
  }, true);
})();`

// watchCSP fails the test when any page of the tab breaks the shell's
// Content-Security-Policy: a securitypolicyviolation event, a console
// message about the policy, or an attribute htmx refused to evaluate.
func (tb *chromeTab) watchCSP() {
	tb.t.Helper()
	add := tb.csp.add
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpruntime.EventBindingCalled:
			if e.Name == cspBinding {
				add(e.Payload)
			}
		case *cdplog.EventEntryAdded:
			if e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
				add(e.Entry.Text)
			}
		}
	}); err != nil {
		tb.t.Fatal(err)
	}
	if _, err := chromedp.Call(tb.ctx, cdpruntime.AddBinding, cdpruntime.AddBindingParams{Name: cspBinding}); err != nil {
		tb.t.Fatal(err)
	}
	if _, err := chromedp.Call(tb.ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		tb.t.Fatal(err)
	}
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch}); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Cleanup(func() {
		for _, s := range tb.csp.take() {
			tb.t.Errorf("Content-Security-Policy: %s", s)
		}
	})
}

// TestBrowserCSPWatcher checks that the tabs see what the policy refuses:
// an inline script and a style attribute put into a page.
func TestBrowserCSPWatcher(t *testing.T) {
	tb := demoTab(t)
	tb.visit("/login")
	tb.waitFor("the sign-in page's policy", `fetch("/login", {headers: {"Accept": "text/html"}}).then(r => (r.headers.get("Content-Security-Policy") || "").includes("script-src 'self'"))`)
	browserEval[chromedp.Void](tb, `(() => { const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.body.appendChild(s); const d = document.createElement("div"); d.setAttribute("style", "color: red"); document.body.appendChild(d); })()`)
	if browserEval[bool](tb, `window.__ran === true`) {
		t.Error("an inline script ran")
	}
	deadline := time.Now().Add(5 * time.Second)
	var seen []string
	for time.Now().Before(deadline) && len(seen) < 2 {
		seen = append(seen, tb.csp.take()...)
		time.Sleep(50 * time.Millisecond)
	}
	joined := strings.Join(seen, "\n")
	if !strings.Contains(joined, "script-src") || !strings.Contains(joined, "style-src") {
		t.Fatalf("the watcher saw %q", seen)
	}
}
