package files_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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
	tb.do("open the picker's page", chromedp.Navigate(tb.srv.URL+"/files/picker"))
	tb.waitFor("the picker", `document.querySelector("#fp-demo-one [data-files-picker] .fp-open") !== null`, 10*time.Second)
	eval[bool](tb, `(() => { window.__picked = null; document.addEventListener("files:pick", e => { window.__picked = e.detail; }); return true; })()`)
	tb.do("open the dialog", chromedp.Click(chromedp.CSS("#fp-demo-one .fp-open")))
	tb.waitFor("the dialog's listing", `document.querySelector("dialog.fp-dialog[open] tr[data-name=pick]") !== null`, 10*time.Second)
	cursor := func() string {
		return eval[string](tb, `(document.querySelector("dialog.fp-dialog tr.fc-cursor") || {dataset: {}}).dataset.name || ""`)
	}
	for range 10 {
		if cursor() == "pick" {
			break
		}
		tb.key(kb.ArrowDown)
	}
	tb.key(kb.Enter)
	tb.waitFor("the folder pick", `document.querySelector('dialog.fp-dialog[open] tr[data-name="photo.png"]') !== null`, 10*time.Second)
	if !eval[bool](tb, `document.querySelector('dialog.fp-dialog tr[data-name="notes.txt"]').classList.contains("fc-dim")`) {
		t.Error("a text file is not dimmed in an image picker")
	}
	tb.screenshot("files-picker")
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
	tb.waitFor("the dialog closed", `document.querySelector("dialog.fp-dialog") === null`, 5*time.Second)
	if got := eval[string](tb, `document.querySelector("#fp-demo-one input[type=hidden][name=image]").value`); got != "fs://local/pick/photo.png" {
		t.Fatalf("the form holds %q", got)
	}
	detail := eval[map[string]any](tb, `window.__picked.files[0]`)
	if detail["urn"] != "fs://local/pick/photo.png" || !strings.HasPrefix(detail["url"].(string), "/api/fs/files/local/pick/photo.png") {
		t.Errorf("files:pick detail %v", detail)
	}
	if ok := eval[bool](tb, `fetch(window.__picked.files[0].url).then(r => r.ok && r.headers.get("Content-Type") === "image/png")`); !ok {
		t.Error("the picked file's URL does not serve it")
	}
	tb.do("submit the form", chromedp.Click(chromedp.CSS("#fp-demo-one button[type=submit]")))
	tb.waitFor("the handler's answer", `document.querySelector("#fp-result code") !== null`, 10*time.Second)
	if got := eval[string](tb, `document.querySelector("#fp-result code").textContent`); got != "fs://local/pick/photo.png" {
		t.Errorf("the handler read %q", got)
	}
}
