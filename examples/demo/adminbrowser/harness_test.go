package adminbrowser

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

const (
	adminEmail    = "root@example.com"
	adminPassword = "root-password-1234"
	plainEmail    = "pat@example.com" // role "user" only
	plainPassword = "pat-password-1234"
)

// shared is the server and the browser of the package, started by the
// first test that needs them and stopped by TestMain.
var shared struct {
	once  sync.Once
	err   error
	srv   *httptest.Server
	app   *webos.App
	auth  *auth.Module
	alloc context.Context
	stops []func()
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
	mongo := testenv.MongoURL(t)
	chromium := testenv.Chromium(t)
	shared.once.Do(func() { shared.err = startAll(mongo, chromium) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
}

func startAll(mongoURL, chromium string) error {
	dir, err := os.MkdirTemp("", "webos-admin-browser-")
	if err != nil {
		return err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return err
	}
	cfg.DataDir = dir
	cfg.MongoURL = webos.Secret(mongoURL)
	cfg.MongoDatabase = testenv.DatabaseName("adminbrowser")
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, mongoURL, cfg.MongoDatabase); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})
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
	for _, u := range []auth.NewUser{
		{Email: adminEmail, Password: adminPassword, DisplayName: "Rita Root", Roles: []string{auth.RoleAdmin}},
		{Email: plainEmail, Password: plainPassword, DisplayName: "Pat"},
	} {
		if _, err := am.CreateUser(ctx, u); err != nil {
			return err
		}
	}
	srv := httptest.NewServer(app.Handler())
	shared.stops = append(shared.stops, func() { srv.CloseClientConnections(); srv.Close() })
	shared.srv, shared.app, shared.auth = srv, app, am

	bdir, err := os.MkdirTemp("", "webos-admin-chromium-")
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
		chromedp.WindowSize(1280, 860), chromedp.UserDataDir(bdir))
	browser, cancelBrowser := chromedp.NewContext(alloc)
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(bdir) }, cancelAlloc, cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}
	shared.alloc = browser
	return nil
}

// tab is a browser tab in a context of its own.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	dialogs []string // the messages of the confirmations it accepted
}

// csp collects, in every document, what the page's policy refused.
const csp = `window.__csp = []; document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.effectiveDirective + " " + (e.blockedURI || "inline")); }, true);`

func newTab(t *testing.T) *tab {
	t.Helper()
	env(t)
	tabCtx, cancelTab := chromedp.NewContext(shared.alloc, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx); err != nil {
		cancelTab()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, 120*time.Second)
	t.Cleanup(func() { cancel(); cancelTab() })
	tb := &tab{t: t, ctx: ctx}
	// Confirmations (hx-confirm) are accepted, and their text kept.
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, e.Message)
			tb.mu.Unlock()
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: csp}); err != nil {
		t.Fatal(err)
	}
	tb.scheme("light")
	return tb
}

// lastDialog is the text of the last confirmation the tab accepted.
func (tb *tab) lastDialog() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.dialogs) == 0 {
		return ""
	}
	return tb.dialogs[len(tb.dialogs)-1]
}

// do runs actions, each query waiting up to 15 s for its element.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.screenshot("failed-" + sanitize(tb.t.Name()))
		tb.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds, across navigations.
func (tb *tab) waitFor(what, js string) {
	tb.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
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
	tb.screenshot("failed-" + sanitize(tb.t.Name()))
	tb.t.Fatalf("waiting for %s (%s): not within 20s (last error: %v)", what, js, last)
}

// visit loads a page and waits for the shell's script.
func (tb *tab) visit(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(shared.srv.URL+path))
	tb.ready()
}

// ready waits for the shell's script on the current page, and fails on
// anything its Content-Security-Policy refused.
func (tb *tab) ready() {
	tb.t.Helper()
	tb.waitFor("the shell", `document.body !== null && document.body.getAttribute("data-shell-ready") === "true"`)
	if v := eval[[]string](tb, `window.__csp || []`); len(v) > 0 {
		tb.t.Errorf("Content-Security-Policy refused %v on %s", v, eval[string](tb, `location.pathname`))
	}
}

func (tb *tab) signIn(email, password string) {
	tb.t.Helper()
	tb.visit("/login")
	tb.do("sign in", chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	tb.waitFor("the launchpad", `location.pathname === "/" && document.querySelector("main .launchpad") !== null && document.body.getAttribute("data-shell-ready") === "true"`)
}

func (tb *tab) scheme(s string) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}}}); err != nil {
		tb.t.Fatal(err)
	}
}

// width sets the viewport's width (0: the window's own).
func (tb *tab) width(w int64) {
	tb.t.Helper()
	var err error
	if w == 0 {
		_, err = chromedp.Call(tb.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	} else {
		_, err = chromedp.Call(tb.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: 800, DeviceScaleFactor: 1, Mobile: true})
	}
	if err != nil {
		tb.t.Fatal(err)
	}
}

// screenshot saves the viewport as artifacts/browser/admin/name.png.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	dir := filepath.Join(repoRoot(tb.t), "artifacts", "browser", "admin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
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

func sanitize(s string) string {
	out := []rune(s)
	for i, r := range out {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			out[i] = '-'
		}
	}
	return string(out)
}

// setValue sets a form control's value as typing would, with its input
// and change events.
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, v))
}
