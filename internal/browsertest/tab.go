package browsertest

import (
	"context"
	"fmt"
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
)

// ShellReady holds once the shell's script has run on the page: the
// condition Visit waits for unless Options.Ready says otherwise.
const ShellReady = `document.body !== null && document.body.getAttribute("data-shell-ready") === "true"`

// The defaults of Options.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultWaitTimeout = 15 * time.Second
)

// Options shape a Tab. The zero value is a tab with the defaults below.
type Options struct {
	// Base is the address URL, Visit and SignIn put before a path, such as
	// an httptest server's URL.
	Base string
	// Dir is the folder under artifacts/browser/ the screenshots go to;
	// empty means artifacts/browser/ itself.
	Dir string
	// Timeout is the deadline of the whole tab (DefaultTimeout when zero).
	Timeout time.Duration
	// ActionTimeout, when set, is the deadline of each step: each Do,
	// evaluation, navigation and screenshot. Zero leaves only the tab's.
	ActionTimeout time.Duration
	// WaitTimeout is how long WaitFor waits (DefaultWaitTimeout when zero).
	WaitTimeout time.Duration
	// Ready is the JavaScript condition Visit waits for after loading a
	// page (ShellReady when empty).
	Ready string
	// ReducedMotion makes the emulated system ask for reduced motion too,
	// so that the shell's transitions do not hold up the checks.
	ReducedMotion bool
}

// Tab is a browser tab in a browser context of its own, opened by
// Browser.NewTab for one test and closed when the test ends.
//
// It watches the pages' Content-Security-Policy from the first document
// on: each securitypolicyviolation event, each attribute htmx refused to
// evaluate (htmx:evalDisallowedError: the shell turns eval off, so an
// hx-on would otherwise fail in silence) and each console message about
// the policy. Whatever the test did not take with TakeCSP fails it when it
// ends. It accepts every JavaScript dialog and keeps its message (see
// Dialogs), and keeps console errors and uncaught exceptions (see
// TakeConsole), logging those not taken when the test ends.
type Tab struct {
	t    testing.TB
	ctx  context.Context
	opts Options
	dir  string // where the screenshots go

	mu      sync.Mutex
	csp     []string
	console []string
	dialogs []string
}

// cspBinding is the function through which a page reports what its
// Content-Security-Policy refused.
const cspBinding = "webosCSPViolation"

// cspWatch runs in every document of a tab before the page's own scripts.
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

// NewTab opens a tab for the test, starting the browser if need be, with
// the system's colour scheme set to light. The tab closes when the test
// ends, after reporting what the Content-Security-Policy refused.
func (b *Browser) NewTab(t testing.TB, opts Options) *Tab {
	t.Helper()
	browser := b.Context(t)
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = DefaultWaitTimeout
	}
	if opts.Ready == "" {
		opts.Ready = ShellReady
	}
	dir, err := ArtifactDir(opts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tabCtx, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx); err != nil { // opens the tab, without a deadline
		cancelTab()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, opts.Timeout)
	t.Cleanup(func() { cancel(); cancelTab() })
	tb := &Tab{t: t, ctx: ctx, opts: opts, dir: dir}
	if err := tb.watch(); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	t.Cleanup(func() {
		for _, s := range tb.TakeCSP() {
			t.Errorf("Content-Security-Policy: %s", s)
		}
		for _, s := range tb.TakeConsole() {
			t.Logf("console: %s", s)
		}
	})
	tb.ColorScheme("light")
	return tb
}

// watch installs the listener and the page script that feed the tab's
// logs.
func (tb *Tab) watch() error {
	ctx := tb.ctx
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdpruntime.EventBindingCalled:
			if e.Name == cspBinding {
				tb.add(&tb.csp, e.Payload)
			}
		case *cdpruntime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil && x.Description != "" {
				msg += " " + firstLine(x.Description)
			}
			tb.add(&tb.console, "uncaught exception: "+msg)
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
				tb.add(&tb.console, "console."+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			switch {
			case e.Entry == nil:
			case strings.Contains(e.Entry.Text, "Content Security Policy"):
				tb.add(&tb.csp, e.Entry.Text)
			case e.Entry.Level == cdplog.EntryLevelError:
				msg := "console (" + string(e.Entry.Source) + "): " + e.Entry.Text
				if e.Entry.URL != "" {
					msg += " [" + e.Entry.URL + "]"
				}
				tb.add(&tb.console, msg)
			}
		case *page.EventJavascriptDialogOpening:
			tb.add(&tb.dialogs, e.Message)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		return err
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
		{"policy watch", func() error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
			return err
		}},
	} {
		if err := step.do(); err != nil {
			return fmt.Errorf("%s: %w", step.what, err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (tb *Tab) add(log *[]string, s string) {
	tb.mu.Lock()
	*log = append(*log, s)
	tb.mu.Unlock()
}

func (tb *Tab) take(log *[]string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	s := *log
	*log = nil
	return s
}

// TakeCSP returns what the pages' Content-Security-Policy refused since
// the last call, and forgets it: the test judges it instead of the tab.
func (tb *Tab) TakeCSP() []string { return tb.take(&tb.csp) }

// TakeConsole returns the console errors, failed assertions and uncaught
// exceptions of the pages since the last call, and forgets them.
func (tb *Tab) TakeConsole() []string { return tb.take(&tb.console) }

// Dialogs returns the messages of the dialogs the tab accepted, oldest
// first.
func (tb *Tab) Dialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.dialogs...)
}

// LastDialog returns the message of the last dialog the tab accepted, or
// "" when there was none.
func (tb *Tab) LastDialog() string {
	d := tb.Dialogs()
	if len(d) == 0 {
		return ""
	}
	return d[len(d)-1]
}

// Context returns the tab's context, for chromedp calls of the test's
// own; it ends at the tab's deadline.
func (tb *Tab) Context() context.Context { return tb.ctx }

// T returns the test the tab belongs to, for helpers of a package's own
// that take a tab.
func (tb *Tab) T() testing.TB { return tb.t }

// SetTest makes t (a subtest of the one that opened the tab, say) the test
// the tab fails and logs to from now on. The tab still closes, and
// reports what the policy refused, when the test that opened it ends.
func (tb *Tab) SetTest(t testing.TB) { tb.t = t }

// URL returns Options.Base followed by path.
func (tb *Tab) URL(path string) string { return tb.opts.Base + path }

// step returns the context of one step: the tab's, with
// Options.ActionTimeout when set.
func (tb *Tab) step() (context.Context, context.CancelFunc) {
	if tb.opts.ActionTimeout > 0 {
		return context.WithTimeout(tb.ctx, tb.opts.ActionTimeout)
	}
	return context.WithCancel(tb.ctx)
}

// fail saves a screenshot of the page as failed-<test name>.png, then
// fails the test.
func (tb *Tab) fail(format string, args ...any) {
	tb.t.Helper()
	if path, err := tb.ScreenshotErr("failed-" + Sanitize(tb.t.Name())); err == nil {
		tb.t.Logf("screenshot of the failure: %s", path)
	}
	tb.t.Fatalf(format, args...)
}

// DoErr runs actions.
func (tb *Tab) DoErr(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := tb.step()
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Do runs actions and fails the test, saying what it was doing, on
// error.
func (tb *Tab) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := tb.DoErr(actions...); err != nil {
		tb.fail("%s: %v", what, err)
	}
}

// EvalErr evaluates a JavaScript expression in the tab's page, awaiting
// it when it is a promise, into a T.
func EvalErr[T any](tb *Tab, js string) (T, error) {
	ctx, cancel := tb.step()
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// Eval is EvalErr that fails the test on error.
func Eval[T any](tb *Tab, js string) T {
	tb.t.Helper()
	v, err := EvalErr[T](tb, js)
	if err != nil {
		tb.fail("evaluate %s: %v", js, err)
	}
	return v
}

// WaitErr evaluates a JavaScript condition every 50 ms until it holds,
// for at most within (Options.WaitTimeout when zero). It waits across
// navigations: an evaluation a navigation interrupts is tried again. The
// condition may return a promise.
func (tb *Tab) WaitErr(js string, within time.Duration) error {
	if within == 0 {
		within = tb.opts.WaitTimeout
	}
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		ok, err := EvalErr[bool](tb, js)
		if err == nil && ok {
			return nil
		}
		if tb.ctx.Err() != nil {
			return fmt.Errorf("%s: %w", js, tb.ctx.Err())
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: not within %s (last error: %v)", js, within, last)
}

// WaitFor waits for a JavaScript condition as WaitErr does, for
// Options.WaitTimeout, and fails the test, saying what it waited for,
// when it does not hold in time.
func (tb *Tab) WaitFor(what, js string) {
	tb.t.Helper()
	tb.WaitWithin(what, js, 0)
}

// WaitWithin is WaitFor with a time of its own.
func (tb *Tab) WaitWithin(what, js string, within time.Duration) {
	tb.t.Helper()
	if err := tb.WaitErr(js, within); err != nil {
		tb.fail("waiting for %s: %v", what, err)
	}
}

// VisitErr loads Options.Base + path, waits for Options.Ready, and returns
// the status of the document's response.
func (tb *Tab) VisitErr(path string) (int, error) {
	ctx, cancel := tb.step()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(tb.URL(path)))
	cancel()
	if err != nil {
		return 0, err
	}
	status := 0
	if res != nil {
		status = int(res.Status)
	}
	return status, tb.WaitErr(tb.opts.Ready, 0)
}

// Visit is VisitErr that fails the test on error.
func (tb *Tab) Visit(path string) {
	tb.t.Helper()
	if _, err := tb.VisitErr(path); err != nil {
		tb.fail("open %s: %v", path, err)
	}
}

// SignIn opens the site's root, which sends a visitor who is not signed
// in to the sign-in form, signs in there and waits for the launchpad.
func (tb *Tab) SignIn(email, password string) {
	tb.t.Helper()
	tb.Do("open "+tb.URL("/"), chromedp.Navigate(tb.URL("/")))
	tb.WaitFor("the sign-in form", `location.pathname === "/login" && document.querySelector("form input#email") !== null`)
	tb.Do("sign in as "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	tb.WaitFor("the launchpad", `location.pathname === "/" && document.querySelector("main .launchpad") !== null && `+ShellReady)
}

// ColorSchemeErr emulates the system's "light" or "dark" preference (and
// reduced motion, with Options.ReducedMotion).
func (tb *Tab) ColorSchemeErr(scheme string) error {
	features := []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	if tb.opts.ReducedMotion {
		features = append(features, &emulation.MediaFeature{Name: "prefers-reduced-motion", Value: "reduce"})
	}
	ctx, cancel := tb.step()
	defer cancel()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
	return err
}

// ColorScheme is ColorSchemeErr that fails the test on error.
func (tb *Tab) ColorScheme(scheme string) {
	tb.t.Helper()
	if err := tb.ColorSchemeErr(scheme); err != nil {
		tb.t.Fatalf("colour scheme %s: %v", scheme, err)
	}
}

// ViewportErr makes the viewport width × height CSS pixels, as a phone's
// (a mobile one, at a scale of 1), or with 0 × 0 gives it back the
// window's size.
func (tb *Tab) ViewportErr(width, height int64) error {
	ctx, cancel := tb.step()
	defer cancel()
	var err error
	if width == 0 && height == 0 {
		_, err = chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	} else {
		_, err = chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: height, DeviceScaleFactor: 1, Mobile: true})
	}
	return err
}

// Viewport is ViewportErr that fails the test on error.
func (tb *Tab) Viewport(width, height int64) {
	tb.t.Helper()
	if err := tb.ViewportErr(width, height); err != nil {
		tb.t.Fatalf("viewport %d×%d: %v", width, height, err)
	}
}

// ScreenshotErr saves a PNG of the viewport as name.png in the tab's
// folder under artifacts/browser/ and returns the file's path.
func (tb *Tab) ScreenshotErr(name string) (string, error) {
	ctx, cancel := tb.step()
	defer cancel()
	fast := true // a larger file, encoded in a fraction of the time
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, OptimizeForSpeed: &fast})
	if err != nil {
		return "", fmt.Errorf("screenshot %s: %w", name, err)
	}
	if err := os.MkdirAll(tb.dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(tb.dir, name+".png")
	return path, os.WriteFile(path, shot.Data, 0o644)
}

// Screenshot is ScreenshotErr that logs the file's path and fails the test
// on error.
func (tb *Tab) Screenshot(name string) {
	tb.t.Helper()
	path, err := tb.ScreenshotErr(name)
	if err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
}
