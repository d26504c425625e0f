package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// demoModules returns two modules that contribute to every part of the
// shell, one of them behind the permission "sales.view".
func demoModules() (*contributor, *contributor) {
	notes := &contributor{
		id:   "notes",
		apps: []ui.App{{Name: "Notes", Icon: "📝", Description: "Write things down.", Order: 10}},
		menu: []ui.MenuItem{{Name: "Note settings", Icon: "settings", Path: "/settings", Order: 50}},
		widgets: []ui.Widget{
			{ID: "low", Slot: ui.SlotDashboard, Priority: 1, Render: func(context.Context) g.Node { return h.P(g.Text("low widget")) }},
			{ID: "high", Slot: ui.SlotDashboard, Priority: 9, Render: func(context.Context) g.Node { return h.P(g.Text("high widget")) }},
			{ID: "clock", Slot: ui.SlotHeader, Render: func(context.Context) g.Node { return h.Span(g.Text("12:00")) }},
			{ID: "tip", Slot: ui.SlotSidebar, Render: func(context.Context) g.Node { return h.P(g.Text("sidebar tip")) }},
			{ID: "copyright", Slot: ui.SlotFooter, Render: func(context.Context) g.Node { return h.Small(g.Text("© notes")) }},
		},
		commands: []ui.Command{{Title: "New note", Href: "/new", Keywords: "create add"}},
		routes: func(r *webos.Router) {
			r.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) error {
				return webos.Invalid("title", "is required")
			})
			r.HandleFunc("GET /crash", func(w http.ResponseWriter, r *http.Request) error {
				return fmt.Errorf("connect to db with password hunter2: refused")
			})
		},
	}
	sales := &contributor{
		id:         "sales",
		permission: "sales.view",
		apps:       []ui.App{{Name: "Sales", Icon: "chart", Path: "/", Order: 20}},
		widgets:    []ui.Widget{{ID: "sales-chart", Slot: ui.SlotDashboard, Priority: 5, Render: func(context.Context) g.Node { return h.P(g.Text("chart")) }}},
		commands:   []ui.Command{{Title: "Sales report", Href: "/report"}},
	}
	return notes, sales
}

func TestLaunchpadDocument(t *testing.T) {
	notes, sales := demoModules()
	env := startShell(t, ui.Config{Brand: "TestOS"}, notes, sales)
	resp, body := get(t, env.srv.URL+"/", browserHeaders...)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if !slices.Contains(resp.Header.Values("Vary"), "HX-Request") {
		t.Errorf("Vary = %q, want HX-Request", resp.Header.Values("Vary"))
	}
	if !strings.HasPrefix(body, "<!doctype html>") {
		t.Errorf("no doctype: %.60s", body)
	}
	doc := parse(t, body)

	// Landmarks and accessibility basics.
	if got := text(one(t, doc, "title")); got != "Launchpad · TestOS" {
		t.Errorf("title %q", got)
	}
	one(t, doc, "html[lang=en]")
	if attr(one(t, doc, "a.skip-link"), "href") != "#main" {
		t.Error("skip link does not lead to #main")
	}
	one(t, doc, "header.shell-header")
	one(t, doc, "aside#sidebar[aria-label=Sidebar] nav#nav[aria-label]")
	one(t, doc, "main#main[tabindex=-1]")
	one(t, doc, "footer.shell-footer")
	one(t, doc, "button#theme-toggle[aria-pressed=false][aria-label]")
	one(t, doc, "button[data-action=drawer-toggle][aria-controls=sidebar][aria-expanded=false]")
	one(t, doc, "button[data-action=palette-open][aria-keyshortcuts]")
	one(t, doc, "head link[rel=icon][type=image/svg+xml]")

	// Hashed, immutable assets.
	for _, sel := range []string{"link[rel=stylesheet]", "script[defer]"} {
		for _, n := range query(doc, sel) {
			u := attr(n, "href") + attr(n, "src")
			if !strings.HasPrefix(u, ui.StaticPath+"/") {
				t.Errorf("%s: %q not under %s", sel, u, ui.StaticPath)
			}
		}
	}
	if n := len(query(doc, "script[defer]")); n != 2 {
		t.Errorf("%d scripts, want htmx and webos", n)
	}

	// Without auth the shell is single-user: everything shows.
	cards := query(doc, "ul.app-grid a.app-card")
	if got := texts(query(doc, "ul.app-grid .app-name")); !slices.Equal(got, []string{"Notes", "Sales"}) {
		t.Errorf("apps %q", got)
	}
	if attr(cards[0], "href") != "/apps/notes" || attr(cards[1], "href") != "/sales/" {
		t.Errorf("card links %q %q", attr(cards[0], "href"), attr(cards[1], "href"))
	}
	if attr(one(t, doc, "ul.app-grid"), "hx-boost") != "true" || attr(one(t, doc, "ul.app-grid"), "hx-target") != "#main" {
		t.Error("cards do not open inside the shell")
	}

	menu := texts(query(doc, "nav#nav a.nav-link .nav-label"))
	if want := []string{"Launchpad", "Notes", "Sales", "Note settings", "System log"}; !slices.Equal(menu, want) {
		t.Errorf("menu %q, want %q", menu, want)
	}
	if got := text(one(t, doc, "nav#nav a[aria-current=page]")); got != "Launchpad" {
		t.Errorf("active entry %q", got)
	}

	// Slots, ordered by priority.
	if got := texts(query(doc, "div.slot-dashboard .widget")); !slices.Equal(got, []string{"high widget", "chart", "low widget"}) {
		t.Errorf("dashboard %q", got)
	}
	if got := text(one(t, doc, "header .slot-header [data-widget=clock]")); got != "12:00" {
		t.Errorf("header widget %q", got)
	}
	one(t, doc, "aside .slot-sidebar [data-widget=tip]")
	one(t, doc, "footer .slot-footer [data-widget=copyright]")

	// The palette: a dialog with a combobox over a listbox of options.
	one(t, doc, "dialog#palette[aria-label] input#palette-input[role=combobox][aria-controls=palette-list]")
	opts := query(doc, "ul#palette-list[role=listbox] li[role=option]")
	titles := texts(query(doc, "#palette-list .palette-title"))
	if want := []string{"Notes", "Sales", "Note settings", "System log", "Launchpad", "New note", "Sales report"}; !slices.Equal(titles, want) {
		t.Errorf("palette %q, want %q", titles, want)
	}
	for _, o := range opts {
		if attr(o, "id") == "" || attr(o, "aria-selected") != "false" {
			t.Errorf("option %q lacks id or aria-selected", text(o))
		}
	}
}

func TestFragmentNavigation(t *testing.T) {
	notes, sales := demoModules()
	env := startShell(t, ui.Config{}, notes, sales)
	resp, body := get(t, env.srv.URL+"/apps/notes", htmxHeaders...)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<html") || strings.Contains(body, "<header") || strings.Contains(body, "palette") {
		t.Fatalf("fragment carries the whole page: %.200s", body)
	}
	if !slices.Contains(resp.Header.Values("Vary"), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}
	doc := parse(t, body)
	if got := text(one(t, doc, "title")); got != "Notes · WebOS" {
		t.Errorf("title %q", got)
	}
	one(t, doc, "main#main h1")
	oob := one(t, doc, "div#nav-slot[hx-swap-oob=true]")
	if got := text(one(t, oob, "a[aria-current=page] .nav-label")); got != "Notes" {
		t.Errorf("active entry %q", got)
	}

	// History restore needs the whole page.
	_, full := get(t, env.srv.URL+"/apps/notes", append(htmxHeaders, "HX-History-Restore-Request", "true")...)
	if !strings.Contains(full, "<html") {
		t.Error("history restore got a fragment")
	}
}

func TestPermissionsFilterContributions(t *testing.T) {
	notes, sales := demoModules()
	env := startShell(t, ui.Config{}, notes, sales, testUsers{})

	_, body := get(t, env.srv.URL+"/", append(browserHeaders, "X-Test-Perms", "-")...)
	doc := parse(t, body)
	for _, sel := range []string{"a.app-card[href=/sales/]", "nav#nav a[href=/sales/]", "[data-widget=sales-chart]", "a[href=/sales/report]", "a[href=/ui/logs]"} {
		if n := len(query(doc, sel)); n != 0 {
			t.Errorf("without permissions %q shows", sel)
		}
	}
	one(t, doc, "a.app-card[href=/apps/notes]")
	if got := text(one(t, doc, ".account .account-name")); got != "Ada Lovelace" {
		t.Errorf("account %q", got)
	}

	_, body = get(t, env.srv.URL+"/", append(browserHeaders, "X-Test-Perms", "sales.*")...)
	doc = parse(t, body)
	for _, sel := range []string{"a.app-card[href=/sales/]", "nav#nav a[href=/sales/]", "[data-widget=sales-chart]", "#palette-list a[href=/sales/report]"} {
		one(t, doc, sel)
	}
	if len(query(doc, "a[href=/ui/logs]")) != 0 {
		t.Error("the log terminal shows without ui.logs.read")
	}

	// The generic app page of an app the user may not see is 403.
	resp, _ := get(t, env.srv.URL+"/apps/sales", append(browserHeaders, "X-Test-Perms", "-")...)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("app page without permission: %d", resp.StatusCode)
	}
	resp, _ = get(t, env.srv.URL+"/ui/logs", append(browserHeaders, "X-Test-Perms", "*")...)
	if resp.StatusCode != 200 {
		t.Errorf("log terminal for an admin: %d", resp.StatusCode)
	}
}

func TestDisabledModuleContributesNothing(t *testing.T) {
	notes, sales := demoModules()
	env := startShell(t, ui.Config{}, notes, sales)
	if err := env.app.SetModuleEnabled("notes", false); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, env.srv.URL+"/", browserHeaders...)
	doc := parse(t, body)
	for _, sel := range []string{"[data-module=notes]", "a[href=/apps/notes]", "a[href=/notes/settings]", "a[href=/notes/new]"} {
		if len(query(doc, sel)) != 0 {
			t.Errorf("disabled module still shows %q", sel)
		}
	}
	one(t, doc, "a.app-card[href=/sales/]")
	resp, _ := get(t, env.srv.URL+"/apps/notes", browserHeaders...)
	if resp.StatusCode != 404 {
		t.Errorf("disabled app page: %d", resp.StatusCode)
	}
}

func TestFailingWidgetDoesNotBreakThePage(t *testing.T) {
	bad := &contributor{id: "bad", widgets: []ui.Widget{
		{ID: "panics", Slot: ui.SlotDashboard, Priority: 3, Render: func(context.Context) g.Node { panic("boom") }},
		{ID: "fails", Slot: ui.SlotDashboard, Priority: 2, Render: func(context.Context) g.Node {
			return g.NodeFunc(func(io.Writer) error { return fmt.Errorf("no data") })
		}},
		{ID: "fine", Slot: ui.SlotDashboard, Priority: 1, Render: func(context.Context) g.Node { return h.P(g.Text("still here")) }},
	}}
	env := startShell(t, ui.Config{}, bad)
	resp, body := get(t, env.srv.URL+"/", browserHeaders...)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	for _, id := range []string{"panics", "fails"} {
		if got := text(one(t, doc, "[data-widget="+id+"]")); !strings.Contains(got, "not available") {
			t.Errorf("widget %s: %q", id, got)
		}
	}
	if got := text(one(t, doc, "[data-widget=fine]")); got != "still here" {
		t.Errorf("fine widget: %q", got)
	}
}

func TestErrorPagesInsideTheShell(t *testing.T) {
	notes, _ := demoModules()
	env := startShell(t, ui.Config{}, notes)

	// A browser navigating to an unknown app gets a page in the shell.
	resp, body := get(t, env.srv.URL+"/apps/nope", browserHeaders...)
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("unknown app: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc := parse(t, body)
	one(t, doc, "nav#nav")
	if got := text(one(t, doc, "main .error-page h1")); got != "404 · Not Found" {
		t.Errorf("heading %q", got)
	}
	if got := text(one(t, doc, "main [role=alert]")); got != "There is nothing here." {
		t.Errorf("message %q", got)
	}
	if got := text(one(t, doc, "main .error-detail")); !strings.Contains(got, `no app "nope"`) {
		t.Errorf("detail %q", got)
	}

	// Another module's JSON error becomes a page for a browser...
	resp, body = get(t, env.srv.URL+"/notes/broken", browserHeaders...)
	if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("module error: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := text(one(t, parse(t, body), ".error-fields li")); got != "title: is required" {
		t.Errorf("fields %q", got)
	}
	// ...and a fragment for htmx, but stays JSON for API clients.
	resp, body = get(t, env.srv.URL+"/notes/broken", htmxHeaders...)
	if resp.StatusCode != 422 || strings.Contains(body, "<html") || !strings.Contains(body, `<main id="main"`) {
		t.Errorf("htmx error: %d %.100s", resp.StatusCode, body)
	}
	resp, body = get(t, env.srv.URL+"/notes/broken", "Accept", "application/json")
	if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"title":"is required"`) {
		t.Errorf("API error: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, env.srv.URL+"/notes/crash", browserHeaders...)
	if resp.StatusCode != 500 || strings.Contains(body, "hunter2") || !strings.Contains(body, "Something went wrong") {
		t.Errorf("server error: %d, leaks text: %v", resp.StatusCode, strings.Contains(body, "hunter2"))
	}
	one(t, parse(t, body), "main .error-page code") // the trace id to quote
	resp, body = get(t, env.srv.URL+"/no/such/route", browserHeaders...)
	if resp.StatusCode != 404 || !strings.Contains(body, "404 · Not Found") {
		t.Errorf("unknown route: %d", resp.StatusCode)
	}
}

func TestFlashShownOnce(t *testing.T) {
	mod := &contributor{id: "saver", routes: func(r *webos.Router) {
		r.HandleFunc("POST /save", func(w http.ResponseWriter, r *http.Request) error {
			ui.AddFlash(w, r, ui.Flash{Kind: "success", Text: "Saved."})
			ui.AddFlash(w, r, ui.Flash{Kind: "warning", Text: "Check <the> spelling."})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return nil
		})
	}}
	env := startShell(t, ui.Config{}, mod)
	resp, _ := do(t, http.MethodPost, env.srv.URL+"/saver/save", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "webos_flash" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no flash cookie")
	}
	resp, body := get(t, env.srv.URL+"/", append(browserHeaders, "Cookie", cookie)...)
	got := query(parse(t, body), "main .flashes[role=status] p.flash")
	if len(got) != 2 || attr(got[0], "class") != "flash flash-success" || text(got[0]) != "Saved." || text(got[1]) != "Check <the> spelling." {
		t.Fatalf("flashes %q", texts(got))
	}
	if !strings.Contains(body, "Check &lt;the&gt; spelling.") {
		t.Error("flash text not escaped")
	}
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == "webos_flash" && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("the flash cookie is not cleared after showing")
	}
}

func TestThemeChoice(t *testing.T) {
	env := startShell(t, ui.Config{})
	resp, _ := do(t, http.MethodPost, env.srv.URL+ui.ThemePath, strings.NewReader("theme=dark"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "webos_theme" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "dark" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("theme cookie %+v", cookie)
	}
	_, body := get(t, env.srv.URL+"/", append(browserHeaders, "Cookie", "webos_theme=dark")...)
	doc := parse(t, body)
	one(t, doc, "html[data-theme=dark][data-theme-url=/ui/theme]")
	one(t, doc, "button#theme-toggle[aria-pressed=true]")

	_, body = get(t, env.srv.URL+"/", browserHeaders...)
	if n := len(query(parse(t, body), "html[data-theme]")); n != 0 {
		t.Error("without a choice the page should follow the system")
	}

	resp, _ = do(t, http.MethodPost, env.srv.URL+ui.ThemePath, strings.NewReader("theme=purple"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad theme: %d", resp.StatusCode)
	}
	resp, _ = do(t, http.MethodPost, env.srv.URL+ui.ThemePath, strings.NewReader("theme=dark"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d", resp.StatusCode)
	}
	// A plain form post goes back where it came from.
	resp, _ = do(t, http.MethodPost, env.srv.URL+ui.ThemePath, strings.NewReader("theme=system"),
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "navigate",
		"Referer", env.srv.URL+"/apps/x?y=1")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/apps/x?y=1" {
		t.Errorf("form post: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestStaticAssets(t *testing.T) {
	env := startShell(t, ui.Config{})
	for _, name := range []string{"htmx.min.js", "webos.js", "webos.css", "theme.css", "favicon.svg"} {
		u := env.shell.Assets().URL(name)
		base := strings.TrimSuffix(name, name[strings.LastIndexByte(name, '.'):])
		if !strings.HasPrefix(u, ui.StaticPath+"/"+base+".") || u == ui.StaticPath+"/"+name {
			t.Errorf("%s: url %q is not content-hashed", name, u)
		}
		resp, body := get(t, env.srv.URL+u, "Accept-Encoding", "identity")
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		resp2, _ := get(t, env.srv.URL+u, "If-None-Match", resp.Header.Get("ETag"))
		if resp2.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation %d", u, resp2.StatusCode)
		}
	}
	// htmx is served gzipped to clients that take it, and is htmx 2.
	req, _ := http.NewRequest("GET", env.srv.URL+env.shell.Assets().URL("htmx.min.js"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("htmx: encoding %q type %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	resp, _ = get(t, env.srv.URL+ui.StaticPath+"/webos.0000000000.css")
	if resp.StatusCode != 404 {
		t.Errorf("unknown hash: %d", resp.StatusCode)
	}
}

func TestCapabilitiesListed(t *testing.T) {
	notes, _ := demoModules()
	env := startShell(t, ui.Config{}, notes)
	for _, st := range env.app.Modules() {
		if st.ID != "notes" {
			continue
		}
		for _, c := range []string{"ui.apps", "ui.menu", "ui.widgets", "ui.palette"} {
			if !slices.Contains(st.Capabilities, c) {
				t.Errorf("capabilities %q lack %q", st.Capabilities, c)
			}
		}
	}
}

func TestConfigAppsMustExist(t *testing.T) {
	app := webos.New(webos.Config{}, ui.New(ui.Config{Apps: []string{"ghost"}}))
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"ghost"`) {
		t.Fatalf("err = %v", err)
	}
	_ = app.Stop(context.Background())
}

// TestFormErrorsForHTMX: a 422 answering a form's htmx request becomes the
// field messages as HTML, aimed at the form's error region; the same
// route answers API clients with the JSON error.
func TestFormErrorsForHTMX(t *testing.T) {
	notes, _ := demoModules()
	env := startShell(t, ui.Config{}, notes)
	resp, body := get(t, env.srv.URL+"/notes/broken", "HX-Request", "true", "HX-Target", "notes-list", "HX-Trigger", "note-form")
	if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("htmx: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if got := resp.Header.Get("HX-Retarget"); got != "#note-form-errors" || resp.Header.Get("HX-Reswap") != "innerHTML" {
		t.Errorf("retarget %q", got)
	}
	doc := parse(t, body)
	if got := text(one(t, doc, `p.field-error[data-field=title]`)); got != "title is required" {
		t.Errorf("message %q", got)
	}
	resp, body = get(t, env.srv.URL+"/notes/broken")
	if resp.StatusCode != 422 || !strings.Contains(body, `"fields":{"title":"is required"}`) {
		t.Fatalf("API client: %d %s", resp.StatusCode, body)
	}
	if n := len(query(parse(t, renderNode(t, ui.FormErrors("note-form"))), "#note-form-errors[role=alert]")); n != 1 {
		t.Errorf("FormErrors renders %d regions", n)
	}
}
