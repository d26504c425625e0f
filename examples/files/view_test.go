package files_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserView: F3 shows an image as an image and an HTML file as its
// text, never running it; Escape closes the viewer.
func TestBrowserView(t *testing.T) {
	tb := newTab(t)
	tb.srv.put(t, "fs://local/view/a.png", onePixelPNG)
	tb.srv.put(t, "fs://local/view/b.html", []byte(`<script>window.__ran = 1</script><b>bold</b>`))
	tb.signIn()
	tb.commander("fs://local/view", "fs://s3")
	tb.do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.ArrowDown) // a.png
	tb.key(kb.F3)
	tb.waitFor("the image", `(() => { const i = document.querySelector("dialog.fc-viewer .fc-preview-image"); return i !== null && i.complete && i.naturalWidth === 1; })()`, 10*time.Second)
	tb.key(kb.Escape)
	tb.waitFor("the viewer closed", `document.querySelector("dialog.fc-viewer") === null`, 5*time.Second)
	tb.key(kb.ArrowDown) // b.html
	tb.key(kb.F3)
	tb.waitFor("the HTML file as text", `(document.querySelector("dialog.fc-viewer pre.fc-preview-text") || {}).textContent === '<script>window.__ran = 1</script><b>bold</b>'`, 10*time.Second)
	if eval[bool](tb, `window.__ran === 1 || document.querySelector("dialog.fc-viewer b") !== null`) {
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
