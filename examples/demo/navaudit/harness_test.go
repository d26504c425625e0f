package navaudit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/ui"
)

// The two users of the audit.
const (
	adminEmail    = "nadia@example.com" // role "admin": everything
	adminPassword = "nadia-password-1234"
	plainEmail    = "otto@example.com" // role "user" only: no permission
	plainPassword = "otto-password-1234"
	// posterEmail is an administrator of its own for running the palette's
	// POST commands, so that what they do to a session (signing out
	// everywhere, say) leaves the auditing tabs alone.
	posterEmail    = "pia@example.com"
	posterPassword = "pia-password-1234"
)

// shared is the server and the browser of the package, started by the
// first test that needs them and stopped by TestMain.
var shared struct {
	once    sync.Once
	err     error
	srv     *httptest.Server
	app     *webos.App
	auth    *auth.Module
	shell   *ui.Module
	browser browsertest.Browser
	stops   []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.browser.Close()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// env starts the demo server once.
func env(t *testing.T) {
	t.Helper()
	testenv.Integration(t)
	shared.once.Do(func() { shared.err = startAll() })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
}

// startAll serves the demo as `make run` does — the embedded store in a
// fresh data folder — with an administrator, an ordinary user and the
// administrator who runs the palette's POST commands.
func startAll() error {
	dir, err := os.MkdirTemp("", "webos-navaudit-")
	if err != nil {
		return err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return err
	}
	cfg.DataDir = dir
	app, err := demo.NewApp(cfg)
	if err != nil {
		return err
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		return err
	}
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	})
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		return err
	}
	shell, err := registry.Get[*ui.Module](app.Registry())
	if err != nil {
		return err
	}
	for _, u := range []auth.NewUser{
		{Email: adminEmail, Password: adminPassword, DisplayName: "Nadia Admin", Roles: []string{auth.RoleAdmin}},
		{Email: plainEmail, Password: plainPassword, DisplayName: "Otto"},
		{Email: posterEmail, Password: posterPassword, DisplayName: "Pia Poster", Roles: []string{auth.RoleAdmin}},
	} {
		if _, err := am.CreateUser(ctx, u); err != nil {
			return err
		}
	}
	srv := httptest.NewServer(app.Handler())
	shared.stops = append(shared.stops, func() { srv.CloseClientConnections(); srv.Close() })
	shared.srv, shared.app, shared.auth, shared.shell = srv, app, am, shell

	return nil
}

// newTab opens a tab on the demo server, in a browser context of its own
// (its own cookies). Its steps return errors instead of failing the test:
// the audit records them in its report. Each step has 20 s, the tab five
// minutes; the system asks for reduced motion, so that the shell's
// transitions (the drawer's, when the viewport narrows) do not hold up
// the checks.
func newTab(t *testing.T) *browsertest.Tab {
	t.Helper()
	env(t)
	return shared.browser.NewTab(t, browsertest.Options{
		Base: shared.srv.URL, Dir: "navaudit", Ready: pageReady, ReducedMotion: true,
		Timeout: 5 * time.Minute, ActionTimeout: 20 * time.Second,
	})
}

// takeEvents returns what the tab saw go wrong since the last call: what
// the Content-Security-Policy refused, console errors and uncaught
// exceptions.
func takeEvents(tb *browsertest.Tab) []string {
	var events []string
	for _, s := range tb.TakeCSP() {
		events = append(events, "Content-Security-Policy: "+s)
	}
	return append(events, tb.TakeConsole()...)
}

// signIn signs in through the sign-in form and forgets what the tab saw
// on the way.
func signIn(tb *browsertest.Tab, email, password string) {
	tb.T().Helper()
	tb.SignIn(email, password)
	takeEvents(tb)
}

// pageReady holds once the document has loaded and, on a page that loads
// the shell's script, once that script has run.
const pageReady = `document.readyState === "complete" && document.body !== null &&
  (document.querySelector('script[src^="` + ui.StaticPath + `/"]') === null || document.body.getAttribute("data-shell-ready") === "true")`

// client returns an HTTP client that carries the tab's cookies, for the
// link checks.
func client(tb *browsertest.Tab) *http.Client {
	t := tb.T()
	t.Helper()
	res, err := chromedp.Call(tb.Context(), network.GetCookies, network.GetCookiesParams{URLs: []string{shared.srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(shared.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var hc []*http.Cookie
	for _, c := range res.Cookies {
		hc = append(hc, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path})
	}
	jar.SetCookies(u, hc)
	return &http.Client{Jar: jar} // each request has its own deadline
}

var artifactOnce sync.Once

// artifactDir is artifacts/browser/navaudit at the repository root, where
// the tabs' screenshots go, emptied once per run.
func artifactDir(t *testing.T) string {
	t.Helper()
	out, err := browsertest.ArtifactDir("navaudit")
	if err != nil {
		t.Fatal(err)
	}
	artifactOnce.Do(func() {
		_ = os.RemoveAll(out)
		err = os.MkdirAll(out, 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
