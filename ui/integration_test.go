package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// startWithAuth serves the shell with the store and auth modules over a
// fresh database of the test MongoDB server, which is dropped afterwards.
func startWithAuth(t *testing.T, mods ...webos.Module) (*shellEnv, *auth.Module, string) {
	t.Helper()
	mongoURL := testenv.MongoURL(t)
	name := testenv.DatabaseName("ui")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, mongoURL, name); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})
	am := auth.New(auth.Config{AdminEmail: "admin@example.com", AdminPassword: "admin-password-1", InsecureCookies: true})
	env := startShell(t, ui.Config{}, append([]webos.Module{dbModule(mongoURL, name), am}, mods...)...)
	return env, am, name
}

// browser is an HTTP client that keeps cookies and sends what a browser
// sends when it navigates.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, headers ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	for i := 0; i+1 < len(browserHeaders); i += 2 {
		req.Header.Set(browserHeaders[i], browserHeaders[i+1])
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (b *browser) signIn(email, password string) {
	b.t.Helper()
	resp, body := b.do("POST", ui.LoginPath, url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in as %s: %d %.300s", email, resp.StatusCode, body)
	}
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSignInThroughAuth(t *testing.T) {
	env, am, _ := startWithAuth(t)
	br := newBrowser(t, env.srv.URL)

	resp, _ := br.do("GET", "/", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ui.LoginPath {
		t.Fatalf("anonymous launchpad: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = br.do("GET", "/apps/anything", nil)
	if loc := resp.Header.Get("Location"); loc != "/login?next=%2Fapps%2Fanything" {
		t.Errorf("anonymous app page → %q", loc)
	}
	resp, _ = br.do("GET", ui.LogsSSEPath, nil, "Sec-Fetch-Mode", "cors", "Accept", "text/event-stream")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous log stream: %d", resp.StatusCode)
	}

	resp, body := br.do("POST", ui.LoginPath, url.Values{"email": {"admin@example.com"}, "password": {"not-the-password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not correct") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	br.signIn("ADMIN@example.com", "admin-password-1")
	if c := br.cookie(am.Config().CookieName); c == nil {
		t.Fatal("no session cookie")
	}

	resp, body = br.do("GET", "/", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("launchpad: %d", resp.StatusCode)
	}
	doc := parse(t, body)
	if got := text(one(t, doc, ".account-name")); got != "Administrator" {
		t.Errorf("account %q", got)
	}
	if got := text(one(t, doc, "main p.flash-success")); got != "You are signed in." {
		t.Errorf("flash %q", got)
	}
	one(t, doc, "nav#nav a[href=/ui/logs]")           // admins have "*"
	one(t, doc, "#palette-list form[action=/logout]") // and can sign out from the palette

	// The session is auth's own: its API accepts it.
	resp, body = br.do("GET", "/auth/me", nil, "Sec-Fetch-Mode", "cors", "Accept", "application/json")
	if resp.StatusCode != 200 || !strings.Contains(body, `"email":"admin@example.com"`) {
		t.Errorf("auth/me: %d %s", resp.StatusCode, body)
	}

	resp, _ = br.do("POST", ui.LogoutPath, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != ui.LoginPath {
		t.Errorf("sign-out: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = br.do("GET", ui.LoginPath, nil)
	if !strings.Contains(body, "You are signed out.") {
		t.Errorf("no sign-out flash: %d", resp.StatusCode)
	}
	resp, _ = br.do("GET", "/", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("launchpad after sign-out: %d", resp.StatusCode)
	}
}

func TestPermissionsWithAuth(t *testing.T) {
	_, sales := demoModules()
	env, am, _ := startWithAuth(t, sales)
	ctx := context.Background()
	if _, err := am.CreateUser(ctx, auth.NewUser{Email: "bob@example.com", Password: "bob-password-1", DisplayName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	bob := newBrowser(t, env.srv.URL)
	bob.signIn("bob@example.com", "bob-password-1")
	_, body := bob.do("GET", "/", nil)
	doc := parse(t, body)
	for _, sel := range []string{"a[href=/sales/]", "a[href=/sales/report]", "[data-widget=sales-chart]", "a[href=/ui/logs]"} {
		if len(query(doc, sel)) != 0 {
			t.Errorf("bob sees %q", sel)
		}
	}
	resp, body := bob.do("GET", ui.LogsPath, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "403 · Forbidden") {
		t.Errorf("log terminal for bob: %d", resp.StatusCode)
	}
	resp, _ = bob.do("GET", ui.LogsSSEPath, nil, "Sec-Fetch-Mode", "cors", "Accept", "text/event-stream")
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("log stream for bob: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A role that grants sales.* shows the Sales app, widget and command.
	if _, err := am.SaveRole(ctx, auth.Role{Name: "sales", Permissions: []string{"sales.*"}}); err != nil {
		t.Fatal(err)
	}
	u, err := am.UserByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := am.SetRoles(ctx, u.ID, []string{"user", "sales"}); err != nil {
		t.Fatal(err)
	}
	bob.signIn("bob@example.com", "bob-password-1")
	_, body = bob.do("GET", "/", nil)
	doc = parse(t, body)
	for _, sel := range []string{"a.app-card[href=/sales/]", "nav#nav a[href=/sales/]", "#palette-list a[href=/sales/report]", "[data-widget=sales-chart]"} {
		one(t, doc, sel)
	}
}

func TestThemeFollowsTheUser(t *testing.T) {
	env, am, dbName := startWithAuth(t)
	first := newBrowser(t, env.srv.URL)
	first.signIn("admin@example.com", "admin-password-1")
	resp, _ := first.do("POST", ui.ThemePath, url.Values{"theme": {"dark"}}, "Sec-Fetch-Mode", "cors")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("theme: %d", resp.StatusCode)
	}

	// Stored in the database for the user...
	ctx := context.Background()
	db, err := store.ConnectMongo(ctx, testenv.MongoURL(t), dbName)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	admin, err := am.UserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	pref, err := store.NewCollection[ui.Preference](db, ui.PreferencesCollection).Get(ctx, admin.ID)
	if err != nil || pref.Theme != "dark" || pref.CreatedBy != admin.ID {
		t.Fatalf("stored preference %+v, %v", pref, err)
	}

	// ...so another browser, without the theme cookie, starts dark too.
	second := newBrowser(t, env.srv.URL)
	second.signIn("admin@example.com", "admin-password-1")
	if second.cookie("webos_theme") != nil {
		t.Fatal("the second browser has the theme cookie")
	}
	_, body := second.do("GET", "/", nil)
	one(t, parse(t, body), "html[data-theme=dark]")

	// Back to following the system.
	resp, _ = second.do("POST", ui.ThemePath, url.Values{"theme": {"system"}}, "Sec-Fetch-Mode", "cors")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("theme: %d", resp.StatusCode)
	}
	_, body = second.do("GET", "/", nil)
	if len(query(parse(t, body), "html[data-theme]")) != 0 {
		t.Error("still themed after choosing the system's")
	}
	// The user's choice beats the first browser's older cookie.
	if first.cookie("webos_theme") == nil {
		t.Fatal("the first browser lost its theme cookie")
	}
	_, body = first.do("GET", "/", nil)
	if len(query(parse(t, body), "html[data-theme]")) != 0 {
		t.Error("the first browser's cookie overrides the user's newer choice")
	}
}

func TestRecentItemsFollowTheUser(t *testing.T) {
	env, am, _ := startWithAuth(t)
	ctx := context.Background()
	if _, err := am.CreateUser(ctx, auth.NewUser{Email: "bob@example.com", Password: "bob-password-1", DisplayName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	first := newBrowser(t, env.srv.URL)
	first.signIn("admin@example.com", "admin-password-1")
	cors := []string{"Sec-Fetch-Mode", "cors"}
	if resp, _ := first.do("POST", ui.ThemePath, url.Values{"theme": {"dark"}}, cors...); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("theme: %d", resp.StatusCode)
	}
	use := func(b *browser, id, title, href string) (*http.Response, string) {
		return b.do("POST", ui.RecentPath, url.Values{"id": {id}, "title": {title}, "href": {href}, "hint": {"Page"}, "icon": {"grid"}}, cors...)
	}
	for _, it := range [][3]string{{"cmd:/", "Launchpad", "/"}, {"cmd:/ui/logs", "System log", "/ui/logs"}, {"cmd:/ui/logs", "System log", "/ui/logs"}} {
		if resp, body := use(first, it[0], it[1], it[2]); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("use %v: %d %s", it, resp.StatusCode, body)
		}
	}
	for _, bad := range [][3]string{{"x", "Evil", "https://evil.example/"}, {"x", "Evil", "//evil.example/"}, {"x", "Nowhere", "/no/such/page"}, {"", "No id", "/"}, {"x", "", "/"}} {
		resp, body := use(first, bad[0], bad[1], bad[2])
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"error"`) {
			t.Errorf("use %v: %d %s", bad, resp.StatusCode, body)
		}
	}

	// Another browser of the same user lists them, most used first, and
	// the theme is still the user's.
	second := newBrowser(t, env.srv.URL)
	second.signIn("admin@example.com", "admin-password-1")
	_, body := second.do("GET", ui.RecentPath, nil, cors...)
	doc := parse(t, body)
	titles := texts(query(doc, "li.palette-recent .palette-title"))
	if strings.Join(titles, "|") != "System log|Launchpad" {
		t.Errorf("recent items %q", titles)
	}
	if items := query(doc, "li.palette-recent"); len(items) != 2 || attr(items[0], "data-recent-id") != "cmd:/ui/logs" {
		t.Errorf("recent items %d", len(items))
	} else if a := one(t, items[0], "a"); attr(a, "href") != "/ui/logs" || attr(a, "data-palette-action") != "open" {
		t.Errorf("the recent item's link: %v", a.Attr)
	}
	_, page := second.do("GET", "/", nil)
	one(t, parse(t, page), "html[data-theme=dark]")

	// Bob has none; and may not record a page he may not open.
	bob := newBrowser(t, env.srv.URL)
	bob.signIn("bob@example.com", "bob-password-1")
	if _, body := bob.do("GET", ui.RecentPath, nil, cors...); strings.Contains(body, "palette-recent\"") || strings.Contains(body, "System log") {
		t.Errorf("Bob sees the administrator's recent items: %s", body)
	}
	if resp, _ := use(bob, "cmd:/ui/logs", "System log", "/ui/logs"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("Bob recorded the log page he may not open: %d", resp.StatusCode)
	}
}

// TestRecentItemsCountConcurrentUses: uses recorded at once all count —
// twelve of the launchpad from tabs at the same moment put it before the
// log page's eleven uses one after the other. On the embedded store: the
// test MongoDB-wire server (FerretDB v1) applies updates without a lock,
// so it loses concurrent updates of one document whatever the caller does
// (see store's TestUpdateIfRace).
func TestRecentItemsCountConcurrentUses(t *testing.T) {
	testenv.Integration(t)
	am := auth.New(auth.Config{AdminEmail: "admin@example.com", AdminPassword: "admin-password-1", InsecureCookies: true})
	env := startShell(t, ui.Config{}, &store.Module{Dir: t.TempDir()}, am)
	b := newBrowser(t, env.srv.URL)
	b.signIn("admin@example.com", "admin-password-1")
	cors := []string{"Sec-Fetch-Mode", "cors"}
	use := func(id, title, href string) (*http.Response, string) {
		return b.do("POST", ui.RecentPath, url.Values{"id": {id}, "title": {title}, "href": {href}, "hint": {"Page"}, "icon": {"grid"}}, cors...)
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			if resp, body := use("cmd:/", "Launchpad", "/"); resp.StatusCode != http.StatusNoContent {
				t.Errorf("concurrent use %d: %d %s", i, resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	for range 11 {
		if resp, body := use("cmd:/ui/logs", "System log", "/ui/logs"); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("use: %d %s", resp.StatusCode, body)
		}
	}
	_, body := b.do("GET", ui.RecentPath, nil, cors...)
	if titles := texts(query(parse(t, body), "li.palette-recent .palette-title")); strings.Join(titles, "|") != "Launchpad|System log" {
		t.Errorf("recent items %q, want the launchpad (12 uses at once) before the log (11 one after the other)", titles)
	}
}
