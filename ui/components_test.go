package ui_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	g "maragu.dev/gomponents"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

func render(t *testing.T, n g.Node) string {
	t.Helper()
	var b strings.Builder
	if err := n.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMenuMarksTheActiveEntry(t *testing.T) {
	items := []ui.MenuItem{
		{Name: "Launchpad", Path: "/"},
		{Name: "Files", Icon: "folder", Path: "/files/"},
		{Name: "File settings", Path: "/files/settings"},
		{Name: "Blog", Icon: "✍️", Path: "/blog"},
	}
	cases := map[string]string{
		"/":                  "Launchpad",
		"/files/":            "Files",
		"/files":             "Files",
		"/files/a/b.txt":     "Files",
		"/files/settings":    "File settings",
		"/files/settings/x":  "File settings",
		"/blog/posts/1":      "Blog",
		"/blogger":           "",
		"/something/else/42": "",
	}
	for path, want := range cases {
		doc := parse(t, render(t, ui.Menu(items, path)))
		got := texts(query(doc, "a[aria-current=page] .nav-label"))
		if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("%s: active %q, want %q", path, got, want)
		}
	}
	doc := parse(t, render(t, ui.Menu(items, "/")))
	one(t, doc, "nav#nav[aria-label] ul[role=list]")
	if n := len(query(doc, "li a.nav-link svg.icon[aria-hidden=true]")); n != 3 { // Launchpad (default), Files, File settings
		t.Errorf("%d svg icons", n)
	}
	if got := text(one(t, doc, "a[href=/blog] .icon-text[aria-hidden=true]")); got != "✍️" {
		t.Errorf("emoji icon %q", got)
	}
}

func TestLaunchpadCards(t *testing.T) {
	doc := parse(t, render(t, ui.Launchpad([]ui.App{
		{ID: "hello", Name: "Hello", Icon: "👋", Description: "Says hello."},
		{ID: "files", Name: "Files", Path: "/files/"},
	})))
	one(t, doc, "section.launchpad[aria-labelledby=launchpad-title] h2#launchpad-title")
	cards := query(doc, "ul.app-grid[hx-boost=true][hx-target=#main] li a.app-card")
	if len(cards) != 2 || attr(cards[0], "href") != "/apps/hello" || attr(cards[1], "href") != "/files/" {
		t.Fatalf("cards %d", len(cards))
	}
	if got := text(one(t, cards[0], ".app-desc")); got != "Says hello." {
		t.Errorf("desc %q", got)
	}
	if n := len(query(cards[1], ".app-desc")); n != 0 {
		t.Error("empty description rendered")
	}
	if got := text(one(t, parse(t, render(t, ui.Launchpad(nil))), "p.muted")); !strings.Contains(got, "No apps") {
		t.Errorf("empty launchpad %q", got)
	}
}

func TestPaletteOptions(t *testing.T) {
	doc := parse(t, render(t, ui.Palette([]ui.Command{
		{Title: "Hello", Hint: "App", Href: "/apps/hello", Keywords: "greet"},
		{Title: "Sign out", Post: "/logout"},
	})))
	opts := query(doc, "li[role=option]")
	if len(opts) != 2 {
		t.Fatalf("%d options", len(opts))
	}
	if attr(opts[0], "id") != "palette-opt-0" || attr(opts[0], "data-keywords") != "greet" {
		t.Errorf("option 0: id %q keywords %q", attr(opts[0], "id"), attr(opts[0], "data-keywords"))
	}
	if _, ok := attrOK(opts[1], "data-keywords"); ok {
		t.Error("empty keywords rendered")
	}
	one(t, opts[0], "a[href=/apps/hello][tabindex=-1]")
	one(t, opts[1], "form[method=post][action=/logout][hx-boost=false] button[type=submit]")
	one(t, doc, "p.palette-empty[hidden][role=status]")
}

func TestProgressBarAndTerminal(t *testing.T) {
	if got := ui.TaskEventsURL("a/b c"); got != "/tasks/a%2Fb%20c/events" {
		t.Errorf("url %q", got)
	}
	doc := parse(t, render(t, ui.TaskProgress("t1")))
	bar := one(t, doc, "div.progress[data-sse=progress][data-state=connecting][role=group]")
	if attr(bar, "data-sse-url") != "/tasks/t1/events" || attr(bar, "aria-label") != "Task t1" {
		t.Errorf("bar attrs %v", bar.Attr)
	}
	one(t, bar, "progress[max=100][value=0][aria-label]")
	one(t, bar, "span[data-progress-label][aria-live=polite]")

	doc = parse(t, render(t, ui.Terminal("/ui/logs/events", 200)))
	term := one(t, doc, "section.terminal[data-sse=log][data-max=200][aria-label]")
	if attr(term, "data-sse-url") != "/ui/logs/events" {
		t.Error("terminal url")
	}
	one(t, term, "div[data-log-lines][role=log][tabindex=0]")
	// The bar's filters and pause, each labelled for assistive technology.
	levels := query(one(t, term, "select[data-log-level][aria-label]"), "option")
	var names []string
	for _, o := range levels {
		names = append(names, attr(o, "value"))
	}
	if strings.Join(names, ",") != "debug,info,warn,error" {
		t.Errorf("level options %v", names)
	}
	one(t, term, "input[type=search][data-log-filter][aria-label]")
	if b := one(t, term, "button[type=button][data-log-pause]"); attr(b, "aria-pressed") != "false" || text(b) != "Pause" {
		t.Errorf("pause button %v %q", b.Attr, text(b))
	}
}

func TestDocumentWithoutNavIsBare(t *testing.T) {
	doc := parse(t, render(t, ui.Document(ui.Layout{Title: "Sign in", Brand: "B", Theme: "light", Content: g.Text("form")})))
	one(t, doc, "html[data-theme=light] body.shell.bare")
	for _, sel := range []string{"aside", "nav", "dialog", "[data-action=drawer-toggle]", "[data-action=palette-open]"} {
		if len(query(doc, sel)) != 0 {
			t.Errorf("bare page has %q", sel)
		}
	}
	if got := text(one(t, doc, "main#main")); got != "form" {
		t.Errorf("main %q", got)
	}
}

func TestThemeCSS(t *testing.T) {
	th := ui.DefaultTheme()
	if err := th.Validate(); err != nil {
		t.Fatal(err)
	}
	css := th.CSS()
	for _, want := range []string{
		":root{--font-sans:", "--color-bg:" + th.Light.Background + ";",
		":root[data-theme=dark]{color-scheme:dark;--color-bg:" + th.Dark.Background + ";",
		"@media (prefers-color-scheme: dark){:root:not([data-theme=light]){color-scheme:dark;",
	} {
		if !strings.Contains(css, want) {
			t.Errorf("css lacks %q", want)
		}
	}
	bad := th
	bad.Dark.Accent = "red;} body{display:none"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "--color-accent") {
		t.Errorf("injection: %v", err)
	}
	bad = th
	bad.FontSize = ""
	if bad.Validate() == nil {
		t.Error("empty token accepted")
	}
	app := webos.New(webos.Config{}, ui.New(ui.Config{Theme: &bad}))
	if err := app.Start(t.Context()); err == nil {
		t.Error("start with a bad theme succeeded")
	}
}

// fakeSessions accepts one password and throttles another.
type fakeSessions struct{ signedOut int }

func (f *fakeSessions) SignIn(w http.ResponseWriter, r *http.Request, email, password string) error {
	switch password {
	case "right":
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s-" + email, Path: "/"})
		return nil
	case "throttled":
		return &webos.RetryAfterError{Err: webos.ErrTooManyRequests, After: 41 * time.Second}
	}
	return errors.Join(webos.ErrUnauthorized, errors.New("bad password"))
}

func (f *fakeSessions) SignOut(w http.ResponseWriter, r *http.Request) error {
	f.signedOut++
	http.SetCookie(w, &http.Cookie{Name: "session", Path: "/", MaxAge: -1})
	return nil
}

func TestLoginAndLogoutPages(t *testing.T) {
	sessions := &fakeSessions{}
	env := startShell(t, ui.Config{Sessions: sessions})
	post := func(form url.Values) (*http.Response, string) {
		return do(t, http.MethodPost, env.srv.URL+ui.LoginPath, strings.NewReader(form.Encode()),
			append(browserHeaders, "Content-Type", "application/x-www-form-urlencoded")...)
	}

	resp, body := get(t, env.srv.URL+ui.LoginPath+"?next=/apps/x", browserHeaders...)
	if resp.StatusCode != 200 {
		t.Fatalf("login page %d", resp.StatusCode)
	}
	doc := parse(t, body)
	form := one(t, doc, "main form[method=post][action=/login]")
	one(t, form, "input[type=hidden][name=next][value=/apps/x]")
	one(t, form, `label[for=email]`)
	one(t, form, "input#email[type=email][name=email][required][autocomplete=username]")
	one(t, form, "input#password[type=password][autocomplete=current-password]")
	if len(query(doc, "nav")) != 0 {
		t.Error("the login page shows the menu")
	}

	resp, body = post(url.Values{"email": {"ada@example.com"}, "password": {"wrong"}, "next": {"/apps/x"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	doc = parse(t, body)
	if got := text(one(t, doc, "#login-error[role=alert]")); !strings.Contains(got, "not correct") {
		t.Errorf("alert %q", got)
	}
	one(t, doc, "input#email[value=ada@example.com]")

	resp, body = post(url.Values{"email": {"ada@example.com"}, "password": {"throttled"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "41" || !strings.Contains(body, "wait 41 seconds") {
		t.Errorf("throttled: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	resp, body = post(url.Values{"email": {""}, "password": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty: %d", resp.StatusCode)
	}
	one(t, parse(t, body), "input#email[aria-invalid=true][aria-describedby=email-error]")

	resp, _ = post(url.Values{"email": {"ada@example.com"}, "password": {"right"}, "next": {"/apps/x"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/apps/x" {
		t.Errorf("sign-in: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	names := map[string]bool{}
	for _, c := range resp.Cookies() {
		names[c.Name] = true
	}
	if !names["session"] || !names["webos_flash"] {
		t.Errorf("cookies %v", names)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		resp, _ = post(url.Values{"email": {"a@b.c"}, "password": {"right"}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next %q redirected to %q", next, loc)
		}
	}

	resp, _ = do(t, http.MethodPost, env.srv.URL+ui.LogoutPath, nil, browserHeaders...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ui.LoginPath || sessions.signedOut != 1 {
		t.Errorf("sign-out: %d → %q (%d)", resp.StatusCode, resp.Header.Get("Location"), sessions.signedOut)
	}
	resp, _ = do(t, http.MethodPost, env.srv.URL+ui.LogoutPath, nil, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate")
	if resp.StatusCode != http.StatusForbidden || sessions.signedOut != 1 {
		t.Errorf("cross-site sign-out: %d", resp.StatusCode)
	}
}
