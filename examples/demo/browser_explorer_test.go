package demo

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserNotesGrid drives the explorer grid of the notes app: sort,
// filter, page, edit a cell with an invalid then a valid value (the error
// shows; the value is saved and still there after a reload), bulk delete
// behind the confirmation, CSV export of the current filter — in light and
// dark, and at 375 px.
func TestBrowserNotesGrid(t *testing.T) {
	tb := demoTab(t)
	tb.signIn(browserGridEmail, browserGridPassword)
	// 25 notes through the notes API.
	tb.waitFor("25 notes", `(async () => {
		for (let i = 0; i < 25; i++) {
			const r = await fetch("/notes/", {method: "POST", headers: {"Content-Type": "application/json"},
				body: JSON.stringify({title: "note " + String(i).padStart(2, "0")})});
			if (r.status !== 201) return false;
		}
		return true;
	})()`)
	// Accept the bulk delete's confirmation when it comes.
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}

	rows := `Array.from(document.querySelectorAll("#grid-notes tbody tr[data-id] td[data-field=title]")).map(td => td.textContent)`
	first := rows + `[0]`
	tb.visit("/notes/grid/?limit=10")
	tb.waitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if n := browserEval[int](tb, rows+`.length`); n != 10 {
		t.Fatalf("%d rows on the first page, want 10", n)
	}
	if total := browserEval[string](tb, `document.querySelector("#grid-notes [data-total]").textContent`); total != "25 rows" {
		t.Errorf("total %q", total)
	}

	// Sort by title, ascending then descending.
	tb.do("sort by title", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.waitFor("ascending titles", first+` === "note 00" && document.querySelector("#grid-notes th[aria-sort=ascending]") !== null`)
	tb.screenshot("explorer-notes-light")
	tb.do("sort descending", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.waitFor("descending titles", first+` === "note 24"`)
	tb.do("sort ascending", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.waitFor("ascending titles", first+` === "note 00"`)

	// Page forward twice and back once.
	tb.do("next page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=next]`)))
	tb.waitFor("page 2", first+` === "note 10"`)
	tb.do("next page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=next]`)))
	tb.waitFor("page 3", first+` === "note 20" && `+rows+`.length === 5 && document.querySelector("#grid-notes a[data-page=next]") === null`)
	tb.do("previous page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=prev]`)))
	tb.waitFor("page 2 again", first+` === "note 10" && `+rows+`.length === 10`)

	// Filter by title in the filter row.
	tb.do("filter", chromedp.SendKeys(chromedp.CSS(`#grid-notes input[name="f.title"]`), "note 1"+kb.Enter))
	tb.waitFor("the filtered rows", rows+`.length === 10 && `+rows+`.every(s => s.startsWith("note 1")) && document.querySelector("#grid-notes [data-total]").textContent === "10 rows"`)

	// Edit the first title: empty is refused next to the cell, then saved.
	cell := `#grid-notes tbody tr[data-id] td[data-field=title]`
	tb.do("focus the cell", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+`").focus()`))
	tb.do("start editing", chromedp.KeyEvent(kb.Enter))
	tb.waitFor("the editor", `document.querySelector("`+cell+` input") !== null && document.activeElement === document.querySelector("`+cell+` input")`)
	tb.do("clear the title", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+` input").value = ""`))
	tb.do("save", chromedp.KeyEvent(kb.Enter))
	tb.waitFor("the error next to the cell", `(() => { const e = document.querySelector("`+cell+` .xgrid-err"); return e !== null && e.textContent.includes("required"); })()`)
	tb.screenshot("explorer-notes-invalid")
	tb.do("type a title", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+` input").value = "note 1 edited"`))
	tb.do("save", chromedp.KeyEvent(kb.Enter))
	tb.waitFor("the saved cell", `(() => { const td = document.querySelector("`+cell+`"); return !td.classList.contains("editing") && td.textContent === "note 1 edited"; })()`)
	tb.do("reload", chromedp.Reload())
	tb.waitFor("the saved title after reload", `document.body.getAttribute("data-shell-ready") === "true" && `+rows+`.includes("note 1 edited")`)

	// Esc cancels an edit.
	tb.do("focus the cell", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+`").focus()`))
	tb.do("F2 edits", chromedp.KeyEvent(kb.F2))
	tb.waitFor("the editor", `document.querySelector("`+cell+` input") !== null`)
	tb.do("Esc", chromedp.KeyEvent(kb.Escape))
	tb.waitFor("no editor", `document.querySelector("`+cell+` input") === null`)

	// CSV export of the current filter.
	csv, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#grid-notes a[data-export]").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[0], "Title,") || !strings.Contains(csv, "note 1 edited") {
		t.Errorf("CSV export: %d lines\n%s", len(lines), csv)
	}

	// Bulk delete of two selected rows, after the confirmation.
	tb.do("select two rows", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#grid-notes input[name=ids]").forEach((c, i) => { if (i < 2) c.checked = true; })`))
	tb.do("delete", chromedp.Click(chromedp.CSS(`#grid-notes button[data-delete]`)))
	tb.waitFor("two rows fewer", rows+`.length === 8 && document.querySelector("#grid-notes .xgrid-msg").textContent === "Deleted 2 rows."`)

	// Dark theme.
	bg := `getComputedStyle(document.querySelector("#grid-notes .xgrid-scroll")).backgroundColor`
	light := browserEval[string](tb, bg)
	tb.colorScheme("dark")
	tb.visit("/notes/grid/?limit=10&sort=title")
	tb.waitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if dark := browserEval[string](tb, bg); dark == light {
		t.Errorf("the grid's background is %s in light and dark", dark)
	}
	tb.screenshot("explorer-notes-dark")

	// A phone: the page does not scroll sideways; the table scrolls in its box.
	tb.do("emulate a phone", chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile))
	tb.visit("/notes/grid/?limit=10&sort=title")
	tb.waitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if w := browserEval[float64](tb, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the page is %v px wide at 375 px", w)
	}
	for _, sel := range []string{"#grid-notes a[data-export]", "#grid-notes a[data-sort=title]", "#grid-notes a[data-page=next]"} {
		if !browserEval[bool](tb, visibleJS(sel)) {
			t.Errorf("%s is not visible at 375 px", sel)
		}
	}
	tb.screenshot("explorer-notes-dark-375")
	tb.colorScheme("light")
	tb.visit("/notes/grid/?limit=10&sort=title")
	tb.waitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	tb.screenshot("explorer-notes-light-375")
}
