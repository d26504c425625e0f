package demo

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/internal/browsertest"
)

// TestBrowserNotesGrid drives the explorer grid of the notes app: sort,
// filter, page, edit a cell with an invalid then a valid value (the error
// shows; the value is saved and still there after a reload), bulk delete
// behind the confirmation, CSV export of the current filter — in light and
// dark, and at 375 px.
func TestBrowserNotesGrid(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserGridEmail, browserGridPassword)
	// 25 notes through the notes API.
	tb.WaitFor("25 notes", `(async () => {
		for (let i = 0; i < 25; i++) {
			const r = await fetch("/notes/", {method: "POST", headers: {"Content-Type": "application/json"},
				body: JSON.stringify({title: "note " + String(i).padStart(2, "0")})});
			if (r.status !== 201) return false;
		}
		return true;
	})()`)
	// The tab accepts the bulk delete's confirmation when it comes.

	rows := `Array.from(document.querySelectorAll("#grid-notes tbody tr[data-id] td[data-field=title]")).map(td => td.textContent)`
	first := rows + `[0]`
	tb.Visit("/notes/grid/?limit=10")
	tb.WaitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if n := browsertest.Eval[int](tb, rows+`.length`); n != 10 {
		t.Fatalf("%d rows on the first page, want 10", n)
	}
	if total := browsertest.Eval[string](tb, `document.querySelector("#grid-notes [data-total]").textContent`); total != "25 rows" {
		t.Errorf("total %q", total)
	}

	// Sort by title, ascending then descending.
	tb.Do("sort by title", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.WaitFor("ascending titles", first+` === "note 00" && document.querySelector("#grid-notes th[aria-sort=ascending]") !== null`)
	tb.Screenshot("explorer-notes-light")
	tb.Do("sort descending", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.WaitFor("descending titles", first+` === "note 24"`)
	tb.Do("sort ascending", chromedp.Click(chromedp.CSS(`#grid-notes a[data-sort=title]`)))
	tb.WaitFor("ascending titles", first+` === "note 00"`)

	// Page forward twice and back once.
	tb.Do("next page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=next]`)))
	tb.WaitFor("page 2", first+` === "note 10"`)
	tb.Do("next page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=next]`)))
	tb.WaitFor("page 3", first+` === "note 20" && `+rows+`.length === 5 && document.querySelector("#grid-notes a[data-page=next]") === null`)
	tb.Do("previous page", chromedp.Click(chromedp.CSS(`#grid-notes a[data-page=prev]`)))
	tb.WaitFor("page 2 again", first+` === "note 10" && `+rows+`.length === 10`)

	// Filter by title in the filter row.
	tb.Do("filter", chromedp.SendKeys(chromedp.CSS(`#grid-notes input[name="f.title"]`), "note 1"+kb.Enter))
	tb.WaitFor("the filtered rows", rows+`.length === 10 && `+rows+`.every(s => s.startsWith("note 1")) && document.querySelector("#grid-notes [data-total]").textContent === "10 rows"`)

	// Edit the first title: empty is refused next to the cell, then saved.
	cell := `#grid-notes tbody tr[data-id] td[data-field=title]`
	tb.Do("focus the cell", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+`").focus()`))
	tb.Do("start editing", chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the editor", `document.querySelector("`+cell+` input") !== null && document.activeElement === document.querySelector("`+cell+` input")`)
	tb.Do("clear the title", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+` input").value = ""`))
	tb.Do("save", chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the error next to the cell", `(() => { const e = document.querySelector("`+cell+` .xgrid-err"); return e !== null && e.textContent.includes("required"); })()`)
	tb.Screenshot("explorer-notes-invalid")
	tb.Do("type a title", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+` input").value = "note 1 edited"`))
	tb.Do("save", chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the saved cell", `(() => { const td = document.querySelector("`+cell+`"); return !td.classList.contains("editing") && td.textContent === "note 1 edited"; })()`)
	tb.Do("reload", chromedp.Reload())
	tb.WaitFor("the saved title after reload", `document.body.getAttribute("data-shell-ready") === "true" && `+rows+`.includes("note 1 edited")`)

	// Esc cancels an edit.
	tb.Do("focus the cell", chromedp.Evaluate[chromedp.Void](`document.querySelector("`+cell+`").focus()`))
	tb.Do("F2 edits", chromedp.KeyEvent(kb.F2))
	tb.WaitFor("the editor", `document.querySelector("`+cell+` input") !== null`)
	tb.Do("Esc", chromedp.KeyEvent(kb.Escape))
	tb.WaitFor("no editor", `document.querySelector("`+cell+` input") === null`)

	// CSV export of the current filter.
	csv, err := chromedp.Run(tb.Context(), chromedp.Evaluate[string](`fetch(document.querySelector("#grid-notes a[data-export]").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) != 11 || !strings.HasPrefix(lines[0], "Title,") || !strings.Contains(csv, "note 1 edited") {
		t.Errorf("CSV export: %d lines\n%s", len(lines), csv)
	}

	// Bulk delete of two selected rows, after the confirmation.
	tb.Do("select two rows", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#grid-notes input[name=ids]").forEach((c, i) => { if (i < 2) c.checked = true; })`))
	tb.Do("delete", chromedp.Click(chromedp.CSS(`#grid-notes button[data-delete]`)))
	tb.WaitFor("two rows fewer", rows+`.length === 8 && document.querySelector("#grid-notes .xgrid-msg").textContent === "Deleted 2 rows."`)
	if tb.LastDialog() == "" {
		t.Error("the bulk delete asked for no confirmation")
	}

	// Dark theme.
	bg := `getComputedStyle(document.querySelector("#grid-notes .xgrid-scroll")).backgroundColor`
	light := browsertest.Eval[string](tb, bg)
	tb.ColorScheme("dark")
	tb.Visit("/notes/grid/?limit=10&sort=title")
	tb.WaitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if dark := browsertest.Eval[string](tb, bg); dark == light {
		t.Errorf("the grid's background is %s in light and dark", dark)
	}
	tb.Screenshot("explorer-notes-dark")

	// A phone: the page does not scroll sideways; the table scrolls in its box.
	tb.Viewport(375, 740)
	tb.Visit("/notes/grid/?limit=10&sort=title")
	tb.WaitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	if w := browsertest.Eval[float64](tb, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("the page is %v px wide at 375 px", w)
	}
	for _, sel := range []string{"#grid-notes a[data-export]", "#grid-notes a[data-sort=title]", "#grid-notes a[data-page=next]"} {
		if !browsertest.Eval[bool](tb, visibleJS(sel)) {
			t.Errorf("%s is not visible at 375 px", sel)
		}
	}
	tb.Screenshot("explorer-notes-dark-375")
	tb.ColorScheme("light")
	tb.Visit("/notes/grid/?limit=10&sort=title")
	tb.WaitFor("the grid", `document.querySelector("#grid-notes tbody tr[data-id]") !== null`)
	tb.Screenshot("explorer-notes-light-375")
}
