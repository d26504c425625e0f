package files_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// TestBrowserSelectAndRename: Insert selects and moves on, Space
// toggles, Shift+click selects a range; F5 copies the selection; Shift+F6
// renames the file under the cursor.
func TestBrowserSelectAndRename(t *testing.T) {
	tb := newTab(t)
	for _, n := range []string{"1.txt", "2.txt", "3.txt", "4.txt", "5.txt"} {
		tb.srv.put(t, "fs://local/sel/"+n, []byte(n))
	}
	if err := tb.srv.fs.Mkdir(t.Context(), mustURN("fs://s3/sel")); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	tb.commander("fs://local/sel", "fs://s3/sel")
	selected := func() string {
		return strings.Join(browsertest.Eval[[]string](tb.Tab, `[...document.querySelectorAll("#fc-left tr.fc-selected")].map(r => r.dataset.name)`), ",")
	}
	tb.Do("focus the left panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	tb.key(kb.Home)
	tb.key(kb.ArrowDown) // 1.txt
	tb.key(kb.Insert)    // selects 1.txt, cursor on 2.txt
	tb.key(kb.Insert)    // selects 2.txt, cursor on 3.txt
	tb.key(" ")          // selects 3.txt
	tb.key(" ")          // and clears it again
	if got := selected(); got != "1.txt,2.txt" {
		t.Fatalf("after Insert, Insert, Space, Space: %q selected", got)
	}
	// A click sets the anchor, Shift+click selects up to it.
	// The click goes to the row itself: a click at the row's place could
	// hit its neighbour if the panel's layout moved in between (the status
	// line updating on a loaded machine).
	browsertest.Eval[bool](tb.Tab, `document.querySelector('#fc-left tr[data-name="4.txt"] .fc-label').dispatchEvent(new MouseEvent("click", {bubbles: true}))`)
	tb.WaitWithin("the cursor on 4.txt", `(document.querySelector("#fc-left tr.fc-cursor") || {dataset: {}}).dataset.name === "4.txt"`, 5*time.Second)
	browsertest.Eval[bool](tb.Tab, `document.querySelector('#fc-left tr[data-name="5.txt"] .fc-label').dispatchEvent(new MouseEvent("click", {bubbles: true, shiftKey: true}))`)
	if got := selected(); got != "1.txt,2.txt,4.txt,5.txt" {
		t.Fatalf("after Shift+click: %q selected", got)
	}
	if st := browsertest.Eval[string](tb.Tab, `document.querySelector("#fc-left .fc-status").textContent`); !strings.Contains(st, "4 selected") {
		t.Errorf("status %q", st)
	}
	tb.key(kb.F5)
	tb.WaitWithin("the copy dialog listing four items", `document.querySelectorAll("dialog[open] .fc-dialog-list li").length === 4`, 5*time.Second)
	tb.Do("copy", chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("the copy done", `[...document.querySelectorAll(".fc-job[data-task]")].some(j => j.dataset.state === "succeeded")`, 30*time.Second)
	tb.WaitWithin("four files on the right", `document.querySelectorAll("#fc-right tr.fc-file").length === 4`, 10*time.Second)

	// Shift+F6 renames the file under the cursor.
	tb.key(kb.Home)
	tb.key(kb.ArrowDown) // 1.txt
	tb.key(kb.F6, chromedp.ModifierShift)
	tb.WaitWithin("the rename dialog", `(document.querySelector("dialog[open] input[name=value]") || {}).value === "1.txt"`, 5*time.Second)
	tb.Do("type the new name", chromedp.SetValue(chromedp.CSS("dialog[open] input[name=value]"), "one.txt"), chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("one.txt under the cursor", `(document.querySelector("#fc-left tr.fc-cursor") || {dataset: {}}).dataset.name === "one.txt"`, 10*time.Second)
	if !tb.srv.exists(t, "fs://local/sel/one.txt") || tb.srv.exists(t, "fs://local/sel/1.txt") {
		t.Error("the rename did not happen in the store")
	}
	// Renaming onto an existing name is refused in the dialog, readably.
	tb.key(kb.F6, chromedp.ModifierShift)
	tb.WaitWithin("the rename dialog", `document.querySelector("dialog[open] input[name=value]") !== null`, 5*time.Second)
	tb.Do("type an existing name", chromedp.SetValue(chromedp.CSS("dialog[open] input[name=value]"), "2.txt"), chromedp.Click(chromedp.CSS("dialog[open] button[type=submit]")))
	tb.WaitWithin("the error in the dialog", `(document.querySelector("dialog[open] .fc-dialog-error") || {}).textContent.includes("exists")`, 5*time.Second)
	tb.key(kb.Escape)
}
