package files_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// onePixelPNG is a 1×1 PNG.
var onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

// TestBrowserPicker opens the file picker from its test page, walks to a
// folder with the keyboard, sees a file of a type it does not accept
// dimmed, picks the image and gets its URN in the form and in the
// files:pick event; the form's handler reads the URN back.
func TestBrowserPicker(t *testing.T) {
	tb := newTab(t)
	tb.srv.put(t, "fs://local/pick/photo.png", onePixelPNG)
	tb.srv.put(t, "fs://local/pick/notes.txt", []byte("not an image"))
	tb.signIn()
	tb.Do("open the picker's page", chromedp.Navigate(tb.srv.URL+"/files/picker"))
	tb.WaitWithin("the picker", `document.querySelector("#fp-demo-one [data-files-picker] .fp-open") !== null`, 10*time.Second)
	browsertest.Eval[bool](tb.Tab, `(() => { window.__picked = null; document.addEventListener("files:pick", e => { window.__picked = e.detail; }); return true; })()`)
	tb.Do("open the dialog", chromedp.Click(chromedp.CSS("#fp-demo-one .fp-open")))
	tb.WaitWithin("the dialog's listing", `document.querySelector("dialog.fp-dialog[open] tr[data-name=pick]") !== null`, 10*time.Second)
	cursor := func() string {
		return browsertest.Eval[string](tb.Tab, `(document.querySelector("dialog.fp-dialog tr.fc-cursor") || {dataset: {}}).dataset.name || ""`)
	}
	for range 10 {
		if cursor() == "pick" {
			break
		}
		tb.key(kb.ArrowDown)
	}
	tb.key(kb.Enter)
	tb.WaitWithin("the folder pick", `document.querySelector('dialog.fp-dialog[open] tr[data-name="photo.png"]') !== null`, 10*time.Second)
	if !browsertest.Eval[bool](tb.Tab, `document.querySelector('dialog.fp-dialog tr[data-name="notes.txt"]').classList.contains("fc-dim")`) {
		t.Error("a text file is not dimmed in an image picker")
	}
	tb.Screenshot("files-picker")
	for range 5 {
		if cursor() == "photo.png" {
			break
		}
		tb.key(kb.ArrowDown)
	}
	if c := cursor(); c != "photo.png" {
		t.Fatalf("cursor on %q", c)
	}
	tb.key(kb.Enter)
	tb.WaitWithin("the dialog closed", `document.querySelector("dialog.fp-dialog") === null`, 5*time.Second)
	if got := browsertest.Eval[string](tb.Tab, `document.querySelector("#fp-demo-one input[type=hidden][name=image]").value`); got != "fs://local/pick/photo.png" {
		t.Fatalf("the form holds %q", got)
	}
	detail := browsertest.Eval[map[string]any](tb.Tab, `window.__picked.files[0]`)
	if detail["urn"] != "fs://local/pick/photo.png" || !strings.HasPrefix(detail["url"].(string), "/api/fs/files/local/pick/photo.png") {
		t.Errorf("files:pick detail %v", detail)
	}
	if ok := browsertest.Eval[bool](tb.Tab, `fetch(window.__picked.files[0].url).then(r => r.ok && r.headers.get("Content-Type") === "image/png")`); !ok {
		t.Error("the picked file's URL does not serve it")
	}
	tb.Do("submit the form", chromedp.Click(chromedp.CSS("#fp-demo-one button[type=submit]")))
	tb.WaitWithin("the handler's answer", `document.querySelector("#fp-result code") !== null`, 10*time.Second)
	if got := browsertest.Eval[string](tb.Tab, `document.querySelector("#fp-result code").textContent`); got != "fs://local/pick/photo.png" {
		t.Errorf("the handler read %q", got)
	}
}
