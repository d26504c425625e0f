package navaudit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
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
	browser context.Context
	stops   []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// env starts the demo server and the browser once.
func env(t *testing.T) {
	t.Helper()
	testenv.Integration(t)
	chromium := testenv.Chromium(t)
	shared.once.Do(func() { shared.err = startAll(chromium) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
}

// startAll serves the demo as `make run` does — the embedded store in a
// fresh data folder — with an administrator and an ordinary user, and
// starts Chromium.
func startAll(chromium string) error {
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

	bdir, err := os.MkdirTemp("", "webos-navaudit-chromium-")
	if err != nil {
		return err
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(desktopWidth, desktopHeight), chromedp.UserDataDir(bdir))
	browser, cancelBrowser := chromedp.NewContext(alloc)
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(bdir) }, cancelAlloc, cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}
	shared.browser = browser
	return nil
}

// The viewport of the desktop checks.
const (
	desktopWidth  = 1280
	desktopHeight = 860
)

// cspBinding is the function through which a page reports what its
// Content-Security-Policy refused.
const cspBinding = "navauditCSP"

// cspWatch runs in every document before the page's own scripts: it
// reports each securitypolicyviolation event, and each attribute htmx
// refused to evaluate (the shell turns eval off).
const cspWatch = `(function () {
  function report(s) { try { window.` + cspBinding + `(String(s)); } catch (e) {} }
  document.addEventListener("securitypolicyviolation", function (e) {
    report(e.effectiveDirective + " refused " + (e.blockedURI || "inline code") + " at " + e.sourceFile + ":" + e.lineNumber);
  }, true);
  document.addEventListener("htmx:evalDisallowedError", function (e) {
    report("htmx refused to evaluate inline script on " + (e.target && e.target.tagName || "an element"));
  }, true);
})();`

// tab is a browser tab in a browser context of its own (its own cookies),
// which records every console error, uncaught exception, failed load and
// policy violation of its pages.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu     sync.Mutex
	events []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	env(t)
	tabCtx, cancelTab := chromedp.NewContext(shared.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx); err != nil {
		cancelTab()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, 5*time.Minute)
	t.Cleanup(func() { cancel(); cancelTab() })
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpruntime.EventBindingCalled:
			if e.Name == cspBinding {
				tb.record("Content-Security-Policy: " + e.Payload)
			}
		case *cdpruntime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil && x.Description != "" {
				msg += " " + firstLine(x.Description)
			}
			tb.record("uncaught exception: " + msg)
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.ConsoleAPICalledTypeError || e.Type == cdpruntime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					if a.Description != "" {
						parts = append(parts, firstLine(a.Description))
					} else {
						parts = append(parts, strings.Trim(string(a.Value), `"`))
					}
				}
				tb.record("console." + string(e.Type) + ": " + strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry != nil && (e.Entry.Level == cdplog.EntryLevelError || strings.Contains(e.Entry.Text, "Content Security Policy")) {
				msg := "console (" + string(e.Entry.Source) + "): " + e.Entry.Text
				if e.Entry.URL != "" {
					msg += " [" + e.Entry.URL + "]"
				}
				tb.record(msg)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"runtime", func() error { _, err := chromedp.Call(ctx, cdpruntime.Enable, cdp.Empty{}); return err }},
		{"log", func() error { _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); return err }},
		{"binding", func() error {
			_, err := chromedp.Call(ctx, cdpruntime.AddBinding, cdpruntime.AddBindingParams{Name: cspBinding})
			return err
		}},
		{"csp watch", func() error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
			return err
		}},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("tab: %s: %v", step.what, err)
		}
	}
	if err := tb.scheme("light"); err != nil {
		t.Fatal(err)
	}
	return tb
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (tb *tab) record(s string) {
	tb.mu.Lock()
	tb.events = append(tb.events, s)
	tb.mu.Unlock()
}

// takeEvents returns what the tab recorded since the last call.
func (tb *tab) takeEvents() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	ev := tb.events
	tb.events = nil
	return ev
}

// run runs actions with a deadline of its own.
func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// evalJS evaluates a JavaScript expression (awaiting a promise) into T.
func evalJS[T any](tb *tab, js string) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// pageReady holds once the document has loaded and, on a page that loads
// the shell's script, once that script has run.
const pageReady = `document.readyState === "complete" && document.body !== null &&
  (document.querySelector('script[src^="` + ui.StaticPath + `/"]') === null || document.body.getAttribute("data-shell-ready") === "true")`

// waitFor polls a JavaScript condition until it holds, across navigations.
func (tb *tab) waitFor(js string) error {
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := evalJS[bool](tb, js)
		if err == nil && ok {
			return nil
		}
		if tb.ctx.Err() != nil {
			return tb.ctx.Err()
		}
		last = err
		time.Sleep(40 * time.Millisecond)
	}
	return fmt.Errorf("not within 15s (%s; last error: %v)", js, last)
}

// open navigates to path and waits for the page. It returns the status
// of the document's response.
func (tb *tab) open(path string) (int, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(shared.srv.URL+path))
	if err != nil {
		return 0, err
	}
	status := 0
	if res != nil {
		status = int(res.Status)
	}
	return status, tb.waitFor(pageReady)
}

// signIn signs in through the sign-in form.
func (tb *tab) signIn(email, password string) {
	tb.t.Helper()
	if _, err := tb.open(ui.LoginPath); err != nil {
		tb.t.Fatal(err)
	}
	if err := tb.run(chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]"))); err != nil {
		tb.t.Fatal(err)
	}
	if err := tb.waitFor(`location.pathname === "/" && ` + pageReady); err != nil {
		tb.t.Fatalf("sign in as %s: %v", email, err)
	}
	tb.takeEvents()
}

// scheme emulates the system's light or dark preference. The system also
// asks for reduced motion, so that the shell's transitions (the drawer's,
// when the viewport narrows) do not hold up the checks.
func (tb *tab) scheme(s string) error {
	_, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}, {Name: "prefers-reduced-motion", Value: "reduce"}}})
	return err
}

// width narrows the viewport to w CSS pixels, as a phone, or with 0 gives
// it back the window's size.
func (tb *tab) width(w int64) error {
	var err error
	if w == 0 {
		_, err = chromedp.Call(tb.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	} else {
		_, err = chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: w, Height: 800, DeviceScaleFactor: 1, Mobile: true})
	}
	return err
}

// screenshot saves the viewport as artifacts/browser/navaudit/name.png and
// returns the file's name.
func (tb *tab) screenshot(name string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	fast := true // a larger file, encoded in a fraction of the time
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, OptimizeForSpeed: &fast})
	if err != nil {
		return "", err
	}
	file := name + ".png"
	return file, os.WriteFile(filepath.Join(outputDir, file), shot.Data, 0o644)
}

// client returns an HTTP client that carries the tab's cookies, for the
// link checks.
func (tb *tab) client() *http.Client {
	tb.t.Helper()
	res, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{shared.srv.URL}})
	if err != nil {
		tb.t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.t.Fatal(err)
	}
	u, err := url.Parse(shared.srv.URL)
	if err != nil {
		tb.t.Fatal(err)
	}
	var hc []*http.Cookie
	for _, c := range res.Cookies {
		hc = append(hc, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path})
	}
	jar.SetCookies(u, hc)
	return &http.Client{Jar: jar} // each request has its own deadline
}

var artifactOnce sync.Once

// outputDir is where the screenshots go, set by artifactDir.
var outputDir string

// artifactDir is artifacts/browser/navaudit at the repository root,
// emptied once per run.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
	out := filepath.Join(dir, "artifacts", "browser", "navaudit")
	artifactOnce.Do(func() {
		_ = os.RemoveAll(out)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		outputDir = out
	})
	return out
}
