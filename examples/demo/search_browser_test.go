package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/examples/media"
	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/ui"
)

// The stalled search source: its budget, and how long it sleeps past it,
// ignoring its context, on every query.
const (
	stalledBudget = 800 * time.Millisecond
	stalledSleep  = 3 * time.Second
)

// stalledSearch is a module whose one search source answers far too late
// on every query. The browser tests' server composes it: no palette query
// may wait for it longer than its budget.
type stalledSearch struct{}

func (stalledSearch) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "stalled", Name: "Stalled search", Description: "A search source that never answers in time.", Version: "1.0.0"}
}

func (stalledSearch) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "sleeper", Title: "Stalled source", Budget: stalledBudget,
		Search: func(_ context.Context, q ui.SearchQuery) ([]ui.Result, error) {
			time.Sleep(stalledSleep)
			return []ui.Result{{ID: "late", Title: q.Text + " (too late)", Href: "/"}}, nil
		}}}
}

// searchFixture is what the palette search tests find: Sam's post, vault
// entry and file, and Tom's post, both users holding no "*".
type searchFixture struct {
	postID, tomPostID, assetID string
}

const (
	samEmail, samPassword = "sam@example.com", "sam-password-1"
	tomEmail, tomPassword = "tom@example.com", "tom-password-1"
	samPostTitle          = "Zephyrine migration plan"
	tomPostTitle          = "Zephyrine diary of Tom"
	samVaultTitle         = "Quokkabank online login"
	samVaultSecret        = "s3cret-Quokka-pass-77"
	samFileName           = "xylograph-budget-2026.txt"
	samAssetName          = "harbour-notes.txt"
)

func makeSearchFixture(t *testing.T) searchFixture {
	t.Helper()
	app := browserShared.app
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := am.UserByEmail(ctx, browserAdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	actx := auth.WithUser(ctx, admin)
	for _, r := range []auth.Role{
		{Name: "searcher", Description: "Writes, keeps a vault, reads files, has a media library", Permissions: []string{blog.PermWrite, vault.PermUse, afs.PermRead, media.PermUse}},
		{Name: "searcher-nofiles", Description: "Writes and keeps a vault", Permissions: []string{blog.PermWrite, vault.PermUse}},
	} {
		if _, err := am.SaveRole(actx, r); err != nil {
			t.Fatal(err)
		}
	}
	sam, err := am.CreateUser(actx, auth.NewUser{Email: samEmail, Password: samPassword, DisplayName: "Sam Searcher", Roles: []string{"searcher"}})
	if err != nil {
		t.Fatal(err)
	}
	tom, err := am.CreateUser(actx, auth.NewUser{Email: tomEmail, Password: tomPassword, DisplayName: "Tom Other", Roles: []string{"searcher-nofiles"}})
	if err != nil {
		t.Fatal(err)
	}
	bmod, _ := app.Module("blog")
	bm, ok := bmod.(*blog.Module)
	if !ok {
		t.Fatal("no blog module")
	}
	post, err := bm.Create(auth.WithUser(ctx, sam), blog.Input{Title: samPostTitle, Body: "Moving the servers.", Tags: []string{"ops"}})
	if err != nil {
		t.Fatal(err)
	}
	tomPost, err := bm.Create(auth.WithUser(ctx, tom), blog.Input{Title: tomPostTitle, Body: "Dear diary."})
	if err != nil {
		t.Fatal(err)
	}
	vmod, _ := app.Module("vault")
	vm, ok := vmod.(*vault.Module)
	if !ok {
		t.Fatal("no vault module")
	}
	secret := samVaultSecret
	if _, err := vm.Create(auth.WithUser(ctx, sam), vault.Input{Title: samVaultTitle, Username: "sam", Password: &secret}); err != nil {
		t.Fatal(err)
	}
	fsys, err := registry.Get[*afs.FS](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	u, err := afs.Parse("fs://" + fsys.Sources()[0] + "/search-test/" + samFileName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Save(auth.WithUser(ctx, sam), u, strings.NewReader("budget"), nil); err != nil {
		t.Fatal(err)
	}
	mmod, _ := app.Module(media.ModuleID)
	mm, ok := mmod.(*media.Module)
	if !ok {
		t.Fatal("no media module")
	}
	asset, err := mm.Ingest(auth.WithUser(ctx, sam), samAssetName, strings.NewReader("harbour notes"))
	if err != nil {
		t.Fatal(err)
	}
	return searchFixture{postID: post.ID, tomPostID: tomPost.ID, assetID: asset.Asset.ID}
}

// paletteQuery clears the palette's box and types q, key by key; unless
// q searches commands only, it waits until the server said "done".
func paletteQuery(tb *browsertest.Tab, q string) {
	tb.T().Helper()
	tb.Do("clear the palette", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(kb.Backspace))
	tb.Do("type "+q, chromedp.KeyEvent(q))
	if s, text := ui.SplitScope(q); s != ui.ScopeCommands && len(text) >= ui.MinSearchQuery {
		tb.WaitFor("the search of "+q, `document.getElementById("palette").getAttribute("data-search-done") === `+jsString(q))
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// resultTitles lists the titles of the visible results of source ("" for
// every source).
func resultTitles(tb *browsertest.Tab, source string) []string {
	tb.T().Helper()
	return browsertest.Eval[[]string](tb, `[...document.querySelectorAll("#palette-list .palette-result")].filter(o => !o.hidden && (`+
		jsString(source)+` === "" || o.getAttribute("data-source") === `+jsString(source)+`)).map(o => o.querySelector(".palette-title").textContent)`)
}

func groupsShown(tb *browsertest.Tab) []string {
	tb.T().Helper()
	return browsertest.Eval[[]string](tb, `[...document.querySelectorAll("#palette-list .palette-group[data-source]")].map(g => g.getAttribute("data-source"))`)
}

// TestBrowserPaletteSearch types three letters of a post title, a vault
// entry's title and a file name into the palette and finds each; checks
// that a stalled source does not hold the others up, that prefix scopes
// narrow the search, that Enter opens the result and that it comes back
// as a recent item, that another user finds none of it, and that an
// administrator can switch a source off.
func TestBrowserPaletteSearch(t *testing.T) {
	browserDemoServer(t)
	fx := makeSearchFixture(t)

	tb := demoTab(t)
	tb.SignIn(samEmail, samPassword)
	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the open palette", `document.getElementById("palette").open && document.activeElement.id === "palette-input"`)
	tb.WaitFor("the scopes in the footer", `[...document.querySelectorAll("#palette .palette-scope kbd")].map(k => k.textContent).join("") === ">@/#"`)

	// A post by three letters of its title, while the stalled source is
	// still searching: it holds nothing up.
	browsertest.Eval[chromedp.Void](tb, `window.__typed = performance.now()`)
	tb.Do("type zep", chromedp.KeyEvent("zep"))
	tb.WaitFor("the post, with the stalled source still pending", `(() => {
		const o = [...document.querySelectorAll("#palette-list .palette-result[data-source='blog.posts']")].find(o => o.textContent.includes(`+jsString(samPostTitle)+`));
		const stalled = document.querySelector("#palette-list .palette-group[data-source='stalled.sleeper']");
		if (o && !window.__postAt) { window.__postAt = performance.now(); window.__stalledThen = stalled ? stalled.getAttribute("data-state") : "none"; }
		return !!o;
	})()`)
	tb.Screenshot("palette-search-post")
	if state := browsertest.Eval[string](tb, `window.__stalledThen`); state != "pending" {
		t.Errorf("when the post showed, the stalled source was %q, not still pending", state)
	}
	tb.WaitFor("the stalled source's timeout", `document.querySelector("#palette-list .palette-group[data-source='stalled.sleeper']").getAttribute("data-state") === "timeout"`)
	tb.WaitFor("the end of the query", `document.getElementById("palette").getAttribute("data-search-done") === "zep"`)
	postMs := browsertest.Eval[float64](tb, `window.__postAt - window.__typed`)
	t.Logf("the post showed %.0f ms after typing (the stalled source's budget is %v, it sleeps %v)", postMs, stalledBudget, stalledSleep)
	if time.Duration(postMs)*time.Millisecond >= stalledBudget {
		t.Errorf("the post took %.0f ms, as long as the stalled source's budget", postMs)
	}
	if got := resultTitles(tb, ""); len(got) == 0 || strings.Contains(strings.Join(got, "|"), tomPostTitle) {
		t.Errorf("Sam's results %q: Tom's post is among them or none came", got)
	}

	// A vault entry by title; no secret reaches the page.
	paletteQuery(tb, "quo")
	if got := resultTitles(tb, "vault.entries"); len(got) != 1 || got[0] != samVaultTitle {
		t.Errorf("vault results %q", got)
	}
	if browsertest.Eval[bool](tb, `document.getElementById("palette").innerHTML.includes(`+jsString(samVaultSecret)+`)`) {
		t.Error("the vault entry's password is in the page")
	}
	tb.Screenshot("palette-search-vault")

	// A file by name, with the files scope: only file results, no commands.
	paletteQuery(tb, "/xyl")
	if got := resultTitles(tb, "files.names"); len(got) != 1 || got[0] != samFileName {
		t.Errorf("file results %q", got)
	}
	if g := groupsShown(tb); strings.Join(g, ",") != "files.names" {
		t.Errorf("the files scope asked %q", g)
	}
	if n := browsertest.Eval[int](tb, `[...document.querySelectorAll("#palette-list .palette-command")].filter(o => !o.hidden).length`); n != 0 {
		t.Errorf("the files scope shows %d commands", n)
	}
	tb.Screenshot("palette-search-file")

	// A media asset by three letters of its tag (given through the
	// library's edit route, as its detail page does).
	tb.Do("tag the asset", chromedp.Evaluate[chromedp.Void](`window.tagged = 0; fetch("/media/assets/`+fx.assetID+`", {method: "POST",
		headers: {"Content-Type": "application/json", "Accept": "application/json"},
		body: JSON.stringify({title: "Harbour at dusk", tags: "quayside, dusk"})}).then(r => { window.tagged = r.status; })`))
	tb.WaitFor("the tagged asset", `window.tagged === 200`)
	paletteQuery(tb, "#qua")
	if got := resultTitles(tb, "media.assets"); len(got) != 1 || got[0] != "Harbour at dusk" {
		t.Errorf("media results for #qua: %q", got)
	}
	tb.Screenshot("palette-search-media")

	// The commands scope asks no source; the posts scope only the blog.
	paletteQuery(tb, ">blo")
	if g := groupsShown(tb); len(g) != 0 {
		t.Errorf("the commands scope asked %q", g)
	}
	if got := browsertest.Eval[string](tb, `[...document.querySelectorAll("#palette-list [role=option]")].find(o => !o.hidden).querySelector(".palette-title").textContent`); !strings.HasPrefix(got, "Blog") && got != "New blog post" {
		t.Errorf("the commands scope's first option is %q", got)
	}
	paletteQuery(tb, "#zep")
	if g := groupsShown(tb); strings.Join(g, ",") != "blog.posts" && strings.Join(g, ",") != "blog.posts,media.assets" {
		t.Errorf("the posts scope asked %q", g)
	}
	// The post is the first option; → selects its next action; Enter on
	// the default action opens the editor.
	if got := browsertest.Eval[string](tb, `document.querySelector("#palette-list [role=option].active .palette-title").textContent`); got != samPostTitle {
		t.Fatalf("the active option is %q", got)
	}
	tb.Do("→ for the actions", chromedp.KeyEvent(kb.ArrowRight))
	if got := browsertest.Eval[string](tb, `document.querySelector("#palette .palette-status").textContent`); got != "Action: Copy link" {
		t.Errorf("after →, the status says %q", got)
	}
	tb.Do("← back to Open", chromedp.KeyEvent(kb.ArrowLeft))
	tb.Screenshot("palette-search-scope")
	tb.Do("press Enter", chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the post's editor", `location.pathname === "/blog/admin/posts/`+fx.postID+`/edit" && !document.getElementById("palette").open`)

	// The post is now Sam's first recent item.
	tb.WaitFor("the page's script", `document.body.getAttribute("data-shell-ready") === "true"`)
	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the recent items", `(() => { const o = document.querySelector("#palette-list .palette-recent"); return !!o && !o.hidden && o.textContent.includes(`+jsString(samPostTitle)+`); })()`)
	tb.Screenshot("palette-search-recent")
	tb.Do("press Esc", chromedp.KeyEvent(kb.Escape))

	// Tom finds his own post, none of Sam's things, and no files at all.
	other := demoTab(t)
	other.SignIn(tomEmail, tomPassword)
	other.Do("press Ctrl+K", ctrlK)
	other.WaitFor("the open palette", `document.getElementById("palette").open`)
	paletteQuery(other, "zep")
	if got := resultTitles(other, ""); strings.Join(got, "|") != tomPostTitle {
		t.Errorf("Tom's results for zep: %q", got)
	}
	for _, q := range []string{"quo", "xyl", "#qua", "/xyl"} {
		paletteQuery(other, q)
		if got := resultTitles(other, ""); len(got) != 0 {
			t.Errorf("Tom's results for %s: %q", q, got)
		}
	}
	if g := groupsShown(other); len(g) != 0 {
		t.Errorf("Tom, who may not read files, had %q asked", g)
	}
	other.Screenshot("palette-search-other-user")

	// Switched off by an administrator, the blog's source is not asked.
	sm, err := registry.Get[*settings.Module](browserShared.app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	am, _ := registry.Get[*auth.Module](browserShared.app.Registry())
	admin, _ := am.UserByEmail(context.Background(), browserAdminEmail)
	actx := auth.WithUser(context.Background(), admin)
	if err := sm.Set(actx, ui.ModuleID, map[string]any{ui.KeyDisabledSearchSources: []any{"blog.posts"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sm.Set(actx, ui.ModuleID, map[string]any{ui.KeyDisabledSearchSources: []any{}}) })
	paletteQuery(other, "zepp") // a new query
	if g := groupsShown(other); strings.Contains(strings.Join(g, ","), "blog.posts") {
		t.Errorf("the switched-off source was asked: %q", g)
	}
}
