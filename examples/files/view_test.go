package files_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// TestBrowserView: F3 shows an image as an image and an HTML file as its
// text, never running it; Escape closes the viewer.
func TestBrowserView(t *testing.T) {
	tb := newTab(t)
	tb.srv.put(t, "fs://local/view/a.png", onePixelPNG)
	tb.srv.put(t, "fs://local/view/b.html", []byte(`<script>window.__ran = 1</script><b>bold</b>`))
	tb.signIn()
	tb.commander("fs://local/view", "fs://s3")
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.ArrowDown) // a.png
	tb.key(kb.F3)
	tb.WaitWithin("the image", `(() => { const i = document.querySelector("dialog.fc-viewer .fc-preview-image"); return i !== null && i.complete && i.naturalWidth === 1; })()`, 10*time.Second)
	tb.key(kb.Escape)
	tb.WaitWithin("the viewer closed", `document.querySelector("dialog.fc-viewer") === null`, 5*time.Second)
	tb.key(kb.ArrowDown) // b.html
	tb.key(kb.F3)
	tb.WaitWithin("the HTML file as text", `(document.querySelector("dialog.fc-viewer pre.fc-preview-text") || {}).textContent === '<script>window.__ran = 1</script><b>bold</b>'`, 10*time.Second)
	if browsertest.Eval[bool](tb.Tab, `window.__ran === 1 || document.querySelector("dialog.fc-viewer b") !== null`) {
		t.Error("the viewer ran or rendered the HTML file")
	}
}

// TestAPIRawHeaders: the viewer's file route serves passive types inline
// under the sandbox policy, a PDF inline for the browser's viewer, and
// anything that could run as an attachment of no executable type.
func TestAPIRawHeaders(t *testing.T) {
	c := signedIn(t)
	srv := demoServer(t)
	srv.put(t, "fs://local/raw/a.pdf", []byte("%PDF-1.4\n"))
	srv.put(t, "fs://local/raw/b.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	srv.put(t, "fs://local/raw/c.png", onePixelPNG)
	srv.put(t, "fs://local/raw/d.exe", []byte("MZ"))
	cases := []struct{ name, ctype, disp, csp string }{
		{"a.pdf", "application/pdf", "inline", ""},
		{"b.svg", "application/octet-stream", "attachment", "sandbox"},
		{"c.png", "image/png", "inline", "sandbox"},
		{"d.exe", "application/octet-stream", "attachment", "sandbox"},
	}
	for _, tc := range cases {
		res := c.do("GET", "/files/api/raw?urn="+url.QueryEscape("fs://local/raw/"+tc.name), nil, nil)
		h := res.Header
		if res.StatusCode != 200 || h.Get("Content-Type") != tc.ctype || !strings.HasPrefix(h.Get("Content-Disposition"), tc.disp) ||
			h.Get("Content-Security-Policy") != tc.csp || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d type %q disposition %q CSP %q nosniff %q", tc.name, res.StatusCode, h.Get("Content-Type"),
				h.Get("Content-Disposition"), h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
		}
	}
	// Range requests work (audio and video seek with them).
	res := c.do("GET", "/files/api/raw?urn="+url.QueryEscape("fs://local/raw/a.pdf"), nil, map[string]string{"Range": "bytes=0-3"})
	if res.StatusCode != 206 || string(res.body) != "%PDF" {
		t.Errorf("range: %d %q", res.StatusCode, res.body)
	}
}

// markdownDoc is a Markdown file with a picture beside it, a link to
// another file and XSS payloads.
const markdownDoc = "# Release notes\n\nThe **new** viewer. ![chart](img/chart.png) [spec](fs://local/md/spec.txt) [up](../secret.txt)\n\n" +
	"| a | b |\n|---|---|\n| 1 | 2 |\n\n" +
	"<script>window.__ran = 1</script>\n\n<img src=x onerror=\"window.__ran = 2\">\n\n" +
	"[click](javascript:window.__ran=3) <a href=\"&#106;avascript:window.__ran=4\">x</a>\n\n" +
	"<svg onload=\"window.__ran = 5\"></svg><iframe srcdoc=\"<script>parent.__ran = 6</script>\"></iframe>\n\n" +
	"<div style=\"position:fixed;inset:0\">cover</div><form action=\"/auth/logout\"><button>out</button></form>\n"

// TestAPIMarkdownPreview: a Markdown file's preview is its rendered
// HTML with nothing that can run, and links to files beside it point to
// their previews.
func TestAPIMarkdownPreview(t *testing.T) {
	c := signedIn(t)
	srv := demoServer(t)
	srv.put(t, "fs://local/md/notes.md", []byte(markdownDoc))
	res := c.do("GET", "/files/preview?urn="+url.QueryEscape("fs://local/md/notes.md"), nil, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("preview: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Security-Policy"))
	}
	body := string(res.body)
	for _, want := range []string{
		`<div class="fc-preview-markdown">`, "<h1>Release notes</h1>", "<strong>new</strong>", "<td>1</td>",
		`src="/files/api/raw?urn=fs%3A%2F%2Flocal%2Fmd%2Fimg%2Fchart.png"`,
		`href="/files/api/raw?urn=fs%3A%2F%2Flocal%2Fmd%2Fspec.txt"`,
		`href="/files/api/raw?urn=fs%3A%2F%2Flocal%2Fsecret.txt"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
	for _, bad := range []string{"<script", "onerror", "onload", "javascript", "<svg", "<iframe", "srcdoc", "style=", "<form", "<button"} {
		if strings.Contains(strings.ToLower(body), bad) {
			t.Errorf("the preview keeps %s:\n%s", bad, body)
		}
	}
}

// TestBrowserMarkdownPreview: F3 on a Markdown file shows it rendered,
// and none of its payloads runs.
func TestBrowserMarkdownPreview(t *testing.T) {
	tb := newTab(t)
	tb.srv.put(t, "fs://local/mdview/notes.md", []byte(markdownDoc))
	tb.srv.put(t, "fs://local/mdview/img/chart.png", onePixelPNG)
	tb.signIn()
	tb.commander("fs://local/mdview", "fs://s3")
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.ArrowDown) // img/
	tb.key(kb.ArrowDown) // notes.md
	tb.key(kb.F3)
	tb.WaitWithin("the rendered Markdown", `(document.querySelector("dialog.fc-viewer .fc-preview-markdown h1") || {}).textContent === "Release notes"`, 10*time.Second)
	tb.WaitWithin("the picture beside it", `(() => { const i = document.querySelector("dialog.fc-viewer .fc-preview-markdown img"); return i !== null && i.complete && i.naturalWidth === 1; })()`, 10*time.Second)
	if !browsertest.Eval[bool](tb.Tab, `document.querySelector("dialog.fc-viewer .fc-preview-markdown table td") !== null`) {
		t.Error("the table is not rendered")
	}
	// Click the javascript: link (sanitised to plain text) and wait a moment.
	tb.Do("click what was a javascript: link", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("dialog.fc-viewer .fc-preview-markdown a")].forEach(a => { if (a.textContent === "click" || a.textContent === "x") a.click(); })`))
	time.Sleep(300 * time.Millisecond)
	if ran := browsertest.Eval[any](tb.Tab, `window.__ran === undefined ? null : window.__ran`); ran != nil {
		t.Errorf("a payload ran: window.__ran = %v", ran)
	}
	if browsertest.Eval[int](tb.Tab, `document.querySelectorAll("dialog.fc-viewer .fc-preview-markdown :is(script, svg, iframe, form, button, [style], [onerror], [onload])").length`) != 0 {
		t.Error("the preview keeps active elements")
	}
	tb.Screenshot("files-markdown-preview")
	tb.ColorScheme("dark")
	time.Sleep(200 * time.Millisecond)
	tb.Screenshot("files-markdown-preview-dark")
}
