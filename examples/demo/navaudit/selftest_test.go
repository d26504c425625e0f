package navaudit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// faultyPage breaks each rule the audit checks: it is wider than a phone,
// its text is faint in dark mode, its button hides the focus, and its
// script logs an error and throws.
const faultyPage = `<!doctype html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Faulty</title>
<style>
  body { margin: 0; background: #fff; color: #111; }
  @media (prefers-color-scheme: dark) { body { background: #222; color: #444; } }
  .wide { width: 600px; }
  button:focus { outline: none; }
</style></head>
<body><main tabindex="-1"><p>Faint in the dark.</p><div class="wide">wide</div><button>Hidden focus</button></main>
<script>console.error("faulty page"); setTimeout(() => { throw new Error("thrown on purpose"); });</script>
</body></html>`

// TestAuditChecksCatchFaults runs the audit's checks on a page that breaks
// every rule, so that a passing audit means something.
func TestAuditChecksCatchFaults(t *testing.T) {
	env(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(faultyPage))
	}))
	defer srv.Close()
	tb := newTab(t)
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	if err := tb.WaitErr(pageReady, 0); err != nil {
		t.Fatal(err)
	}

	if err := tb.DoErr(chromedp.Evaluate[chromedp.Void](jsFocusMain), chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	if st, err := browsertest.EvalErr[focusState](tb, jsFocus); err != nil || st.None || st.Visible {
		t.Errorf("focus check: %+v, %v; want the button reported without a visible focus", st, err)
	}

	if err := tb.ViewportErr(narrowWidth, 800); err != nil {
		t.Fatal(err)
	}
	if err := tb.ColorSchemeErr("dark"); err != nil {
		t.Fatal(err)
	}
	if n, err := browsertest.EvalErr[narrowState](tb, jsNarrow); err != nil || !n.Over || len(n.Offenders) == 0 || !strings.Contains(n.Offenders[0], "wide") {
		t.Errorf("375px check: %+v, %v; want div.wide reported", n, err)
	}
	if c, err := browsertest.EvalErr[contrastState](tb, jsContrast); err != nil || !c.Dark || c.NFails == 0 || c.Main.Ratio >= 4.5 {
		t.Errorf("contrast check: %+v, %v; want the faint text reported", c, err)
	}

	deadline := time.Now().Add(5 * time.Second)
	var events []string
	for time.Now().Before(deadline) && len(events) < 2 {
		events = append(events, takeEvents(tb)...)
		time.Sleep(50 * time.Millisecond)
	}
	joined := strings.Join(events, "\n")
	if !strings.Contains(joined, "faulty page") || !strings.Contains(joined, "thrown on purpose") {
		t.Errorf("console check saw %q; want the console.error and the exception", events)
	}
}
