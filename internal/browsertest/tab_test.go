package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/internal/browsertest"
)

var browser browsertest.Browser

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// site serves a few pages under a strict Content-Security-Policy. Each
// page's script (a file, as the policy wants) marks the body ready as
// the shell's does, after doing what the page is for.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	scripts := map[string]string{
		"/ready.js":   ``,
		"/console.js": `console.error("logged on purpose"); setTimeout(() => { throw new Error("thrown on purpose"); });`,
		"/confirm.js": `document.body.dataset.answer = String(confirm("Really delete it?"));`,
	}
	mux := http.NewServeMux()
	for path, js := range scripts {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprintf(w, "%s\ndocument.body.setAttribute(\"data-shell-ready\", \"true\");\n", js)
		})
	}
	page := func(script, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
			fmt.Fprintf(w, `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title></head><body>%s<script src="%s"></script></body></html>`, body, script)
		}
	}
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /{$}", page("/ready.js", `<p>home</p>`))
	mux.HandleFunc("GET /console", page("/console.js", ``))
	mux.HandleFunc("GET /confirm", page("/confirm.js", ``))
	mux.HandleFunc("GET /refused", page("/ready.js", `<script>window.ran = true</script><div style="color: red">styled</div>`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestTab drives a tab through each of its parts.
func TestTab(t *testing.T) {
	srv := site(t)
	tb := browser.NewTab(t, browsertest.Options{Base: srv.URL, Dir: "browsertest"})

	if status, err := tb.VisitErr("/"); err != nil || status != 200 {
		t.Fatalf("visit /: %d, %v", status, err)
	}
	if got := browsertest.Eval[string](tb, `document.querySelector("p").textContent`); got != "home" {
		t.Errorf("the page says %q", got)
	}
	if browsertest.Eval[bool](tb, `matchMedia("(prefers-color-scheme: dark)").matches`) {
		t.Error("a new tab is dark")
	}
	tb.ColorScheme("dark")
	if !browsertest.Eval[bool](tb, `matchMedia("(prefers-color-scheme: dark)").matches`) {
		t.Error("the dark scheme is not emulated")
	}

	tb.Viewport(375, 700)
	if w := browsertest.Eval[int](tb, `innerWidth`); w != 375 {
		t.Errorf("the viewport is %d wide, want 375", w)
	}
	tb.Viewport(0, 0)
	// The page takes the window's size back in a frame or two, later on a
	// loaded machine.
	if err := tb.WaitErr(fmt.Sprintf("innerWidth === %d", browsertest.DefaultWidth), 5*time.Second); err != nil {
		t.Errorf("the window is %d wide again, want %d", browsertest.Eval[int](tb, `innerWidth`), browsertest.DefaultWidth)
	}

	// A wait outlives the navigation it starts.
	tb.Do("leave in a moment", chromedp.Evaluate[chromedp.Void](`setTimeout(() => location.assign("/confirm"), 100)`))
	tb.WaitFor("the confirmed page", `location.pathname === "/confirm" && document.body.dataset.answer === "true"`)
	if d := tb.LastDialog(); d != "Really delete it?" {
		t.Errorf("the dialog said %q", d)
	}
	if err := tb.WaitErr(`false`, 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "not within 200ms") {
		t.Errorf("a wait for false: %v", err)
	}

	tb.Visit("/console")
	var console []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(console) < 2; {
		console = append(console, tb.TakeConsole()...)
		time.Sleep(50 * time.Millisecond)
	}
	if joined := strings.Join(console, "\n"); !strings.Contains(joined, "console.error: logged on purpose") || !strings.Contains(joined, "uncaught exception") {
		t.Errorf("the console held %q", console)
	}

	path, err := tb.ScreenshotErr("tab")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("the screenshot %s: %v", path, err)
	}
}

// TestTabFailsOnPolicyViolation: what the policy refused and the test did
// not take fails the test when it ends.
func TestTabFailsOnPolicyViolation(t *testing.T) {
	srv := site(t)
	rec := &recorder{TB: t}
	t.Cleanup(rec.cleanup) // when the test stops early
	tb := browser.NewTab(rec, browsertest.Options{Base: srv.URL})
	tb.Visit("/refused")
	if browsertest.Eval[bool](tb, `window.ran === true`) {
		t.Error("an inline script ran")
	}
	time.Sleep(300 * time.Millisecond) // the reports come as events
	rec.cleanup()
	joined := strings.Join(rec.errors, "\n")
	if !strings.Contains(joined, "script-src") || !strings.Contains(joined, "style-src") {
		t.Errorf("the tab reported %q; want the inline script and the style attribute", rec.errors)
	}
}

// recorder is the test as a tab sees it, but it keeps what the tab
// reports as errors and runs the tab's cleanups when told.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) cleanup() {
	fs := r.cleanups
	r.cleanups = nil
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
