package files_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// TestBrowserMoveToS3 is the roadmap's test: select fs://local/tmp/report.pdf
// in the left panel, S3 backup/ in the right, press F6, watch the
// progress, and see the file in the right panel and gone from the left.
func TestBrowserMoveToS3(t *testing.T) {
	tb := newTab(t)
	srv := tb.srv
	pdf := append([]byte("%PDF-1.4\n"), []byte(strings.Repeat("report line\n", 400_000))...) // ~4.8 MB
	srv.put(t, "fs://local/tmp/report.pdf", pdf)
	srv.put(t, "fs://local/tmp/notes.txt", []byte("notes"))
	if err := srv.fs.Mkdir(t.Context(), mustURN("fs://s3/backup")); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	tb.commander("fs://local/tmp", "fs://s3/backup")
	tb.Screenshot("files-panels-light")

	// The cursor goes to report.pdf with the arrow keys.
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	for range 5 {
		if browsertest.Eval[string](tb.Tab, `document.querySelector("#fc-left tr.fc-cursor").dataset.name`) == "report.pdf" {
			break
		}
		tb.key(kb.ArrowDown)
	}
	if got := browsertest.Eval[string](tb.Tab, `document.querySelector("#fc-left tr.fc-cursor").dataset.name`); got != "report.pdf" {
		t.Fatalf("cursor on %q", got)
	}
	tb.key(kb.F6)
	tb.WaitWithin("the move dialog", `document.querySelector("dialog.fc-dialog[open]") !== null`, 5*time.Second)
	msg := browsertest.Eval[string](tb.Tab, `document.querySelector("dialog[open] .fc-dialog-message").textContent`)
	if !strings.Contains(msg, "report.pdf") || !strings.Contains(msg, "fs://s3/backup") {
		t.Errorf("the dialog says %q", msg)
	}
	tb.Do("confirm", chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("a transfer with progress", `document.querySelector(".fc-job[data-task] progress") !== null`, 5*time.Second)
	tb.WaitWithin("the move to finish", `document.querySelector(".fc-job[data-task]").dataset.state === "succeeded"`, 30*time.Second)
	label := browsertest.Eval[string](tb.Tab, `document.querySelector(".fc-job[data-task] .fc-job-label").textContent`)
	if !strings.Contains(label, "Moved 1 file") {
		t.Errorf("summary %q", label)
	}
	tb.WaitWithin("report.pdf in the right panel", `document.querySelector('#fc-right tr[data-name="report.pdf"]') !== null`, 10*time.Second)
	tb.WaitWithin("report.pdf gone from the left", `document.querySelector('#fc-left tr[data-name="report.pdf"]') === null && document.querySelector('#fc-left tr[data-name="notes.txt"]') !== null`, 10*time.Second)
	if !srv.exists(t, "fs://s3/backup/report.pdf") || srv.exists(t, "fs://local/tmp/report.pdf") {
		t.Error("the file did not move in the store")
	}
	tb.Screenshot("files-moved")

	// The shell's sidebar follows the move on every page.
	tb.Do("open the launchpad", chromedp.Navigate(tb.srv.URL+"/"))
	tb.WaitWithin("the move in the sidebar", `(() => { const e = document.querySelector("[data-widget=files-transfers] .fc-side-transfer .progress"); return e !== null && e.dataset.state === "succeeded"; })()`, 10*time.Second)
	if got := browsertest.Eval[string](tb.Tab, `document.querySelector("[data-widget=files-transfers] .fc-side-name").textContent`); !strings.Contains(got, "report.pdf") {
		t.Errorf("the sidebar shows %q", got)
	}
}

// TestBrowserKeyboard walks the commander with the keyboard: arrows and
// Enter into a folder, F5 copy onto an existing name choosing "keep
// both", Tab to the other panel, F7 a new folder, F8 delete with its
// confirmation, Backspace up; then the panels in dark mode.
func TestBrowserKeyboard(t *testing.T) {
	tb := newTab(t)
	srv := tb.srv
	srv.put(t, "fs://local/kb/docs/a.txt", []byte("the new a"))
	srv.put(t, "fs://local/kb/zz.txt", []byte("zz"))
	srv.put(t, "fs://s3/kb/a.txt", []byte("the old a"))
	tb.signIn()
	tb.commander("fs://local/kb", "fs://s3/kb")
	cursor := func(side string) string {
		return browsertest.Eval[string](tb.Tab, `(document.querySelector("#fc-`+side+` tr.fc-cursor") || {dataset: {}}).dataset.name || ""`)
	}
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.Home)
	tb.key(kb.ArrowDown)
	if got := cursor("left"); got != "docs" {
		t.Fatalf("after Home and ↓ the cursor is on %q, want the folder docs (folders first)", got)
	}
	tb.key(kb.Enter)
	tb.WaitWithin("docs opened", `document.querySelector("#fc-left").dataset.urn === "fs://local/kb/docs" && document.querySelector('#fc-left tr[data-name="a.txt"]') !== null`, 10*time.Second)
	tb.key(kb.End)
	if got := cursor("left"); got != "a.txt" {
		t.Fatalf("End: cursor on %q", got)
	}

	// F5: a.txt exists on the right; keep both.
	tb.key(kb.F5)
	tb.WaitWithin("the copy dialog with the conflict choice", `document.querySelector("dialog[open] .fc-conflict") !== null`, 5*time.Second)
	if !browsertest.Eval[bool](tb.Tab, `document.querySelector("dialog[open] input[value=keep]").checked`) {
		t.Error(`"keep both" is not the default`)
	}
	tb.Do("keep both and copy", chromedp.Click(chromedp.CSS("dialog[open] input[value=keep]")), chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("the copy to finish", `[...document.querySelectorAll(".fc-job[data-task]")].some(j => j.dataset.state === "succeeded")`, 30*time.Second)
	tb.WaitWithin("both a.txt and a (2).txt on the right", `document.querySelector('#fc-right tr[data-name="a (2).txt"]') !== null && document.querySelector('#fc-right tr[data-name="a.txt"]') !== null`, 10*time.Second)
	if f, err := srv.fs.Open(t.Context(), mustURN("fs://s3/kb/a.txt")); err == nil {
		b := make([]byte, 64)
		n, _ := f.Read(b)
		_ = f.Close()
		if string(b[:n]) != "the old a" {
			t.Errorf("keep both changed the existing file: %q", b[:n])
		}
	}

	// Tab, then F7 on the right.
	tb.key(kb.Tab)
	tb.WaitWithin("the right panel active", `document.querySelector("#fc-right").classList.contains("fc-active")`, 5*time.Second)
	tb.key(kb.F7)
	tb.WaitWithin("the new-folder dialog", `document.querySelector("dialog[open] input[name=value]") !== null`, 5*time.Second)
	tb.Do("name the folder", chromedp.SendKeys(chromedp.CSS("dialog[open] input[name=value]"), "made by F7"), chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("the new folder under the cursor", `(document.querySelector("#fc-right tr.fc-cursor") || {dataset: {}}).dataset.name === "made by F7"`, 10*time.Second)
	if !srv.exists(t, "fs://s3/kb/made by F7") {
		t.Error("F7 made no folder in the store")
	}

	// F8 on "a (2).txt", with its confirmation.
	for range 6 {
		if cursor("right") == "a (2).txt" {
			break
		}
		tb.key(kb.ArrowDown)
	}
	if got := cursor("right"); got != "a (2).txt" {
		t.Fatalf("cursor on %q; rows %q; active %q", got, browsertest.Eval[[]string](tb.Tab, `[...document.querySelectorAll("#fc-right tr")].map(r => r.dataset.name + (r.classList.contains("fc-cursor") ? "*" : ""))`), browsertest.Eval[string](tb.Tab, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	tb.key(kb.F8)
	tb.WaitWithin("the delete dialog", `document.querySelector("dialog[open] .fc-dialog-message") !== null`, 5*time.Second)
	msg := browsertest.Eval[string](tb.Tab, `document.querySelector("dialog[open] .fc-dialog-message").textContent`)
	if !strings.Contains(msg, "a (2).txt") || !strings.Contains(msg, "cannot be undone") {
		t.Errorf("delete dialog says %q", msg)
	}
	tb.Do("confirm the delete", chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("a (2).txt gone", `document.querySelector('#fc-right tr[data-name="a (2).txt"]') === null && document.querySelector("dialog[open]") === null`, 10*time.Second)
	if srv.exists(t, "fs://s3/kb/a (2).txt") {
		t.Error("F8 left the file in the store")
	}

	// Backspace goes up, with the cursor on the folder it came from.
	tb.key(kb.Tab)
	tb.key(kb.Backspace)
	tb.WaitWithin("back in kb with the cursor on docs", `document.querySelector("#fc-left").dataset.urn === "fs://local/kb" && (document.querySelector("#fc-left tr.fc-cursor") || {dataset: {}}).dataset.name === "docs"`, 10*time.Second)

	tb.ColorScheme("dark")
	tb.Do("reload", chromedp.Reload())
	tb.waitForPanels()
	tb.Screenshot("files-panels-dark")
}

// TestBrowserPhoneStacksPanels: on a narrow screen the panels stack.
func TestBrowserPhoneStacksPanels(t *testing.T) {
	tb := newTab(t)
	tb.signIn()
	tb.Viewport(390, 844)
	tb.commander("fs://local", "fs://s3")
	if !browsertest.Eval[bool](tb.Tab, `(() => { const a = document.querySelector("#fc-left").getBoundingClientRect(), b = document.querySelector("#fc-right").getBoundingClientRect(); return b.top >= a.bottom - 1 && Math.abs(a.left - b.left) < 2; })()`) {
		t.Error("the panels are not stacked")
	}
	tb.Screenshot("files-phone")
}

// dropFiles drops files made in the page onto the panel side: name →
// size in bytes, content a repeating pattern.
func (tb *tab) dropFiles(side string, files map[string]int) {
	tb.T().Helper()
	var parts []string
	for name, size := range files {
		parts = append(parts, fmt.Sprintf(`(() => { const b = new Uint8Array(%d); for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 255; dt.items.add(new File([b], %q, {type: "application/octet-stream"})); })();`, size, name))
	}
	js := `(() => { const dt = new DataTransfer(); ` + strings.Join(parts, "\n") + `
	  const p = document.querySelector("#fc-` + side + `");
	  p.dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, bubbles: true, cancelable: true}));
	  p.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
	  p.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	  return true; })()`
	browsertest.Eval[bool](tb.Tab, js)
}

// TestBrowserDropUpload drops two files onto the left panel: each gets a
// progress bar with speed, both arrive, the panel lists them.
func TestBrowserDropUpload(t *testing.T) {
	tb := newTab(t)
	if err := tb.srv.fs.Mkdir(t.Context(), mustURN("fs://local/drop")); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	tb.commander("fs://local/drop", "fs://s3")
	// Record every progress label the uploads show.
	browsertest.Eval[bool](tb.Tab, `(() => { window.__labels = []; new MutationObserver(ms => ms.forEach(m => { const j = m.target.closest && m.target.closest(".fc-job"); if (j) window.__labels.push(j.dataset.upload + ": " + j.querySelector(".fc-job-label").textContent); })).observe(document.querySelector(".fc-job-list"), {subtree: true, childList: true, characterData: true}); return true; })()`)
	tb.dropFiles("left", map[string]int{"one.bin": 12 << 20, "two.bin": 3 << 20})
	tb.WaitWithin("two uploads with progress bars", `document.querySelectorAll(".fc-job[data-upload] progress").length === 2`, 5*time.Second)
	tb.WaitWithin("both uploads done", `[...document.querySelectorAll(".fc-job[data-upload]")].every(j => j.dataset.state === "succeeded")`, 60*time.Second)
	tb.WaitWithin("both files listed", `document.querySelector('#fc-left tr[data-name="one.bin"]') !== null && document.querySelector('#fc-left tr[data-name="two.bin"]') !== null`, 10*time.Second)
	labels := browsertest.Eval[[]string](tb.Tab, `window.__labels`)
	sawSpeed := false
	for _, l := range labels {
		if strings.Contains(l, "/s") && strings.Contains(l, " of ") {
			sawSpeed = true
		}
	}
	if !sawSpeed {
		t.Errorf("no progress label with a speed among %q", labels)
	}
	if v := browsertest.Eval[float64](tb.Tab, `Math.min(...[...document.querySelectorAll(".fc-job[data-upload] progress")].map(p => p.value))`); v != 100 {
		t.Errorf("progress bars end at %v", v)
	}
	for name, size := range map[string]int64{"one.bin": 12 << 20, "two.bin": 3 << 20} {
		info, err := tb.srv.fs.Stat(t.Context(), mustURN("fs://local/drop/"+name))
		if err != nil || info.Size != size {
			t.Errorf("%s: %v, %d bytes", name, err, info.Size)
		}
	}
	tb.Screenshot("files-upload")
}
