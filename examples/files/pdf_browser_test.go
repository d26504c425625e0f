package files_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// onePagePDF returns a valid one-page PDF that shows text.
func onePagePDF(text string) []byte {
	content := fmt.Sprintf("BT /F1 36 Tf 72 700 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// TestBrowserPDF: F3 on a PDF shows it in a frame of the viewer, served
// inline as application/pdf without the sandbox policy (which would keep
// the browser's PDF viewer out) and never as a download; a file that must
// not be shown in the site downloads instead.
func TestBrowserPDF(t *testing.T) {
	tb := newTab(t)
	tb.srv.put(t, "fs://local/pdf/report.pdf", onePagePDF("Quarterly report"))
	tb.srv.put(t, "fs://local/pdf/tool.exe", []byte("MZ not a program"))
	var mu sync.Mutex
	var downloads []string
	if err := chromedp.ListenBrowser(tb.Context(), func(ev any) {
		if e, ok := ev.(*browser.EventDownloadWillBegin); ok && strings.HasPrefix(e.URL, tb.srv.URL+"/files/api/raw?urn="+url.QueryEscape("fs://local/pdf/")) {
			mu.Lock()
			downloads = append(downloads, e.SuggestedFilename)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	events := true
	if _, err := chromedp.CallBrowser(tb.Context(), browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: chromedp.FromContext(tb.Context()).BrowserContextID, EventsEnabled: &events,
	}); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	tb.commander("fs://local/pdf", "fs://s3")
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.ArrowDown) // report.pdf
	tb.key(kb.F3)
	raw := "/files/api/raw?urn=" + url.QueryEscape("fs://local/pdf/report.pdf")
	tb.WaitWithin("the PDF's frame", `(() => { const f = document.querySelector("dialog.fc-viewer iframe.fc-preview-pdf"); return f !== null && f.getAttribute("src") === `+jsString(raw)+` && f.title === "report.pdf"; })()`, 10*time.Second)

	// What the browser's viewer needs, as the browser received it.
	head := browsertest.Eval[map[string]any](tb.Tab, `fetch(`+jsString(raw)+`, {credentials: "same-origin"}).then(r => ({
		status: r.status, type: r.headers.get("Content-Type"), disposition: r.headers.get("Content-Disposition"),
		csp: r.headers.get("Content-Security-Policy"), nosniff: r.headers.get("X-Content-Type-Options"),
		frame: r.headers.get("X-Frame-Options")}))`)
	if head["status"] != 200.0 || head["type"] != "application/pdf" || !strings.HasPrefix(fmt.Sprint(head["disposition"]), `inline; filename="report.pdf"`) ||
		head["csp"] != nil || head["nosniff"] != "nosniff" || head["frame"] != "SAMEORIGIN" {
		t.Errorf("the PDF's headers: %v", head)
	}
	// The page that frames it allows same-origin frames.
	csp := browsertest.Eval[string](tb.Tab, `fetch("/files/", {credentials: "same-origin"}).then(r => r.headers.get("Content-Security-Policy") || "")`)
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "frame-src 'none'") || strings.Contains(csp, "child-src 'none'") {
		t.Errorf("the commander's policy %q keeps the PDF's frame out", csp)
	}
	// The frame loaded the PDF as a PDF document, handed to the browser's
	// PDF viewer (Chromium makes a dark document with a frame for its
	// viewer), not as an error page. Headless Chromium leaves the viewer's
	// own frame blank, so the pages themselves cannot be checked here.
	tb.WaitWithin("the PDF loaded in its frame", `(() => { const f = document.querySelector("dialog.fc-viewer iframe.fc-preview-pdf"); const d = f && f.contentDocument; return !!d && d.readyState === "complete" && d.contentType === "application/pdf"; })()`, 10*time.Second)
	tree, err := chromedp.Call(tb.Context(), page.GetFrameTree, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	var pdf *page.FrameTree
	var find func(ft *page.FrameTree)
	find = func(ft *page.FrameTree) {
		if ft.Frame.URL == tb.srv.URL+raw {
			pdf = ft
		}
		for _, c := range ft.ChildFrames {
			find(c)
		}
	}
	find(tree.FrameTree)
	if pdf == nil || pdf.Frame.MimeType != "application/pdf" {
		t.Fatalf("no frame of the PDF as application/pdf in %+v", tree.FrameTree)
	}
	t.Logf("the PDF's frame is application/pdf, with %d frame(s) for the browser's viewer", len(pdf.ChildFrames))
	time.Sleep(300 * time.Millisecond)
	tb.Screenshot("files-pdf-viewer")
	mu.Lock()
	if len(downloads) != 0 {
		t.Errorf("the PDF was downloaded: %v", downloads)
	}
	mu.Unlock()

	// The control: a file of no passive type is a download.
	tb.key(kb.Escape)
	tb.WaitWithin("the viewer closed", `document.querySelector("dialog.fc-viewer") === null`, 5*time.Second)
	exe := "/files/api/raw?urn=" + url.QueryEscape("fs://local/pdf/tool.exe")
	tb.Do("frame the program", chromedp.Evaluate[chromedp.Void](`(() => { const f = document.createElement("iframe"); f.src = `+jsString(exe)+`; document.body.appendChild(f); })()`))
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(downloads)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the program was not offered as a download")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(downloads) != 1 || downloads[0] != "tool.exe" {
		t.Errorf("downloads %v, want [tool.exe]", downloads)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
