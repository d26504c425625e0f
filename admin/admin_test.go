package admin_test

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/admin"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

const adminPassword = "admin-password-1234"

// greeter is an ordinary module with a page, a setting and a permission,
// which the console manages like any other.
type greeter struct {
	prefs *settings.Handle[greeterSettings]
}

type greeterSettings struct {
	Greeting string `json:"greeting" validate:"required,max=40" desc:"What the page says"`
	Times    int    `json:"times" validate:"min=1,max=5" desc:"How often"`
}

func newGreeter() *greeter {
	return &greeter{prefs: settings.Declare(greeterSettings{Greeting: "hello", Times: 1})}
}

func (m *greeter) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "greeter", Name: "Greeter", Icon: "👋", Permission: "greeter.use"}
}
func (m *greeter) Permissions() []webos.Permission {
	return []webos.Permission{{Name: "greeter.use", Description: "Be greeted"}}
}
func (m *greeter) Settings() settings.Schema { return m.prefs.Schema() }
func (m *greeter) Routes(r *webos.Router) {
	r.HandleFunc("GET /hi", func(w http.ResponseWriter, r *http.Request) error {
		s := m.prefs.Get(r.Context())
		webos.WriteJSON(w, http.StatusOK, map[string]string{"says": strings.Repeat(s.Greeting+" ", s.Times)})
		return nil
	})
}
func (m *greeter) LaunchpadApps() []ui.App { return []ui.App{{Path: "/hi"}} }

type instance struct {
	t    *testing.T
	app  *webos.App
	srv  *httptest.Server
	auth *auth.Module
	ui   *ui.Module
}

type options struct {
	mongoURL, database string
	redisURL, channel  string
	extra              []webos.Module
	dataDir            string
}

func start(t *testing.T, o options) *instance {
	t.Helper()
	app, am, shell := build(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = app.Stop(context.Background())
	})
	return &instance{t: t, app: app, srv: srv, auth: am, ui: shell}
}

// build makes the test application, not started. o.dataDir, when set,
// is its data folder (else a fresh one).
func build(t *testing.T, o options) (*webos.App, *auth.Module, *ui.Module) {
	t.Helper()
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg.SecretKeys = []webos.Secret{"admin-test-secret-admin-test-secret-0123"}
	cfg.DataDir = o.dataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	st := &store.Module{URL: o.mongoURL, Database: o.database}
	if o.mongoURL == "" {
		st.Dir = cfg.DataDir
	}
	am := auth.New(auth.Config{AdminEmail: "admin@example.com", AdminPassword: adminPassword, InsecureCookies: true})
	am.Out = io.Discard
	shell := ui.New(ui.Config{})
	mods := []webos.Module{st, am, shell, &settings.Module{}, audit.New(), admin.New(), newGreeter()}
	mods = append(mods, o.extra...)
	if o.redisURL != "" {
		mods = append([]webos.Module{&redisbus.Module{URL: o.redisURL, Options: redisbus.Options{Channel: o.channel, Keys: redisbus.KeysFrom(cfg.SecretKeys)}}}, mods...)
	}
	app := webos.New(cfg, mods...)
	app.SetLogger(slog.New(slog.DiscardHandler))
	return app, am, shell
}

// login returns a bearer token.
func (in *instance) login(email, password string) string {
	in.t.Helper()
	r := in.do("POST", "/auth/login", "", "application/json",
		`{"email":"`+email+`","password":"`+password+`","token":true}`)
	var lr struct{ Token string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &lr) != nil || lr.Token == "" {
		in.t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return lr.Token
}

// res is a read response.
type res struct {
	status int
	body   string
}

func (in *instance) do(method, path, token, ctype, body string) res {
	in.t.Helper()
	req, err := http.NewRequest(method, in.srv.URL+path, strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return res{resp.StatusCode, string(b)}
}

func (in *instance) post(path, token string, form url.Values) res {
	in.t.Helper()
	return in.do("POST", path, token, "application/x-www-form-urlencoded", form.Encode())
}

func must(t *testing.T, r res, want int) string {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %.400s", r.status, want, r.body)
	}
	return r.body
}

var oneTime = regexp.MustCompile(`data-one-time-password[^>]*>[^<]*<code>([^<]+)</code>`)

func TestConsoleManagesUsersRolesModulesSettingsAndLogs(t *testing.T) {
	in := start(t, options{})
	ctx := context.Background()
	tok := in.login("admin@example.com", adminPassword)

	// A role and a user who gets it, with a one-time password shown once.
	must(t, in.post("/admin/roles", tok, url.Values{"name": {"greeters"}, "description": {"may be greeted"},
		"permissions": {"greeter.use"}}), http.StatusSeeOther)
	page := must(t, in.post("/admin/users/new", tok, url.Values{"email": {"gina@example.com"}, "display_name": {"Gina"},
		"roles": {"user"}}), http.StatusOK)
	mm := oneTime.FindStringSubmatch(page)
	if mm == nil {
		t.Fatalf("no one-time password on the page: %.2000s", page)
	}
	gina, err := in.auth.UserByEmail(ctx, "gina@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ginaTok := in.login("gina@example.com", mm[1])
	must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusForbidden)
	must(t, in.post("/admin/user/"+gina.ID+"/roles", tok, url.Values{"roles": {"user", "greeters"}}), http.StatusSeeOther)
	must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusOK)
	// She sees exactly the granted app: the greeter, not the console.
	launch := must(t, in.do("GET", "/", ginaTok, "", ""), http.StatusOK)
	if !strings.Contains(launch, "Greeter") || strings.Contains(launch, `href="/admin`) {
		t.Fatalf("gina's launchpad: %.3000s", launch)
	}

	// The users grid filters by role: gina is the only greeter.
	byRole := must(t, in.do("GET", "/admin/users/rows?f.roles=greeters", tok, "", ""), http.StatusOK)
	if !strings.Contains(byRole, "gina@example.com") || strings.Count(byRole, `"email"`) != 1 {
		t.Fatalf("users with role greeters: %s", byRole)
	}
	upage := must(t, in.do("GET", "/admin/users/?f.roles=greeters", tok, "", ""), http.StatusOK)
	if !strings.Contains(upage, "gina@example.com") || strings.Count(upage, "<tr data-id=") != 1 || !strings.Contains(upage, `aria-label="Roles has"`) {
		t.Fatalf("users page filtered by role: %.3000s", upage)
	}

	// The read-only grids mount no edit or delete routes.
	for _, p := range []string{"/admin/users/rows/" + gina.ID, "/admin/audit/rows/1"} {
		if st := in.do("PATCH", p, tok, "application/json", "{}").status; st != http.StatusNotFound && st != http.StatusMethodNotAllowed {
			t.Errorf("PATCH %s: %d, want no such route", p, st)
		}
	}
	for _, p := range []string{"/admin/users/delete", "/admin/audit/delete"} {
		if st := in.do("POST", p, tok, "application/json", "{}").status; st != http.StatusNotFound && st != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d, want no such route", p, st)
		}
	}

	// The explainer says why.
	why := must(t, in.do("GET", "/admin/user/"+gina.ID+"/why?perm=greeter.use", tok, "", ""), http.StatusOK)
	if !strings.Contains(why, `"allowed":true`) || !strings.Contains(why, `"role":"greeters"`) {
		t.Fatalf("why: %s", why)
	}

	// A module switched off: its route 404s, its card is gone; on again.
	must(t, in.post("/admin/modules/greeter", tok, url.Values{"enabled": {"false"}}), http.StatusSeeOther)
	must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusNotFound)
	if launch := must(t, in.do("GET", "/", ginaTok, "", ""), http.StatusOK); strings.Contains(launch, "Greeter") {
		t.Fatal("the switched-off module's card is still on the launchpad")
	}
	must(t, in.post("/admin/modules/auth", tok, url.Values{"enabled": {"false"}}), http.StatusUnprocessableEntity)
	must(t, in.post("/admin/modules/greeter", tok, url.Values{"enabled": {"true"}}), http.StatusSeeOther)
	must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusOK)

	// A setting changes the module's behaviour; a bad value is named.
	must(t, in.post("/admin/settings/greeter", tok, url.Values{"greeting": {"ahoy"}, "times": {"2"}}), http.StatusSeeOther)
	if body := must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusOK); !strings.Contains(body, "ahoy ahoy") {
		t.Fatalf("after the settings change: %s", body)
	}
	bad := must(t, in.post("/admin/settings/greeter", tok, url.Values{"times": {"9"}}), http.StatusUnprocessableEntity)
	if !strings.Contains(bad, `"times"`) {
		t.Fatalf("bad setting: %s", bad)
	}

	// The settings explorer: every module's settings in one grid, filtered
	// by module, edited inline through the schema's validation.
	rows := must(t, in.do("GET", "/admin/settings/explorer/rows?filter=module:eq:greeter", tok, "", ""), http.StatusOK)
	if !strings.Contains(rows, `"key":"greeting"`) || !strings.Contains(rows, `"value":"ahoy"`) || !strings.Contains(rows, `"state":"changed"`) ||
		strings.Contains(rows, `"module":"settings"`) {
		t.Fatalf("settings explorer rows: %s", rows)
	}
	edit := func(key, value string) res {
		return in.do("PATCH", "/admin/settings/explorer/rows/greeter%2F"+key, tok, "application/x-www-form-urlencoded",
			url.Values{"version": {""}, "value": {value}}.Encode())
	}
	must(t, edit("greeting", "hey"), http.StatusOK)
	if body := must(t, in.do("GET", "/greeter/hi", ginaTok, "", ""), http.StatusOK); !strings.Contains(body, "hey hey") {
		t.Fatalf("after the inline edit: %s", body)
	}
	for _, v := range []string{"9", "often"} {
		if body := must(t, edit("times", v), http.StatusUnprocessableEntity); !strings.Contains(body, `"value"`) {
			t.Fatalf("times=%s: %s", v, body)
		}
	}
	if st := in.do("GET", "/admin/settings/explorer/rows", ginaTok, "", "").status; st != http.StatusForbidden {
		t.Fatalf("an ordinary user reads the settings explorer: %d", st)
	}
	sx := must(t, in.do("GET", "/admin/settings/explorer/", tok, "", ""), http.StatusOK)
	if !strings.Contains(sx, "Settings explorer") || !strings.Contains(sx, `data-field="value"`) {
		t.Fatalf("settings explorer page: %.2000s", sx)
	}

	// The log level: debug records reach the log terminal.
	in.app.Logger().Debug("before the change")
	must(t, in.post("/admin/config/log-level", tok, url.Values{"level": {"debug"}}), http.StatusSeeOther)
	if in.app.LogLevel() != slog.LevelDebug {
		t.Fatalf("level %v", in.app.LogLevel())
	}
	in.app.Logger().Debug("after the change")
	var msgs []string
	for _, r := range in.ui.Logs().Records(0) {
		msgs = append(msgs, r.Message)
	}
	all := strings.Join(msgs, "|")
	if strings.Contains(all, "before the change") || !strings.Contains(all, "after the change") {
		t.Fatalf("terminal records: %s", all)
	}
	cfgPage := must(t, in.do("GET", "/admin/config", tok, "", ""), http.StatusOK)
	if !strings.Contains(cfgPage, `data-log-level="debug"`) || strings.Contains(cfgPage, "admin-test-secret") {
		t.Fatal("the configuration page shows the wrong level or a secret")
	}

	// The last administrator is kept, with the reason next to the form.
	admins, err := in.auth.UserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	must(t, in.post("/admin/user/"+admins.ID+"/active", tok, url.Values{"active": {"false"}}), http.StatusUnprocessableEntity)

	// Every change is in the audit trail, which the grid shows.
	want := []string{auth.ActionRoleSave, auth.ActionUserCreate, auth.ActionUserUpdate, settings.ActionSet, auth.ActionAdminSignIn}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := must(t, in.do("GET", "/admin/audit/rows?limit=100", tok, "", ""), http.StatusOK)
		missing := ""
		for _, a := range want {
			if !strings.Contains(rows, `"action":"`+a+`"`) {
				missing = a
			}
		}
		// The changes reach the trail over the bus, each in its own time.
		for _, key := range []string{"disabled_modules", "log_level"} {
			if !strings.Contains(rows, key) {
				missing = "the change of " + key
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit grid lacks %s: %.3000s", missing, rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, p := range []string{"/admin/", "/admin/users/", "/admin/user/" + gina.ID, "/admin/users/new", "/admin/roles",
		"/admin/modules", "/admin/settings", "/admin/config", "/admin/audit/"} {
		must(t, in.do("GET", p, tok, "", ""), http.StatusOK)
	}
}

// TestOrdinaryUsersGet403Everywhere walks every route of the console.
func TestOrdinaryUsersGet403Everywhere(t *testing.T) {
	in := start(t, options{})
	if _, err := in.auth.CreateUser(context.Background(), auth.NewUser{Email: "olga@example.com", Password: "olga-password-1234"}); err != nil {
		t.Fatal(err)
	}
	tok := in.login("olga@example.com", "olga-password-1234")
	var routes []string
	for _, st := range in.app.Modules() {
		if st.ID == admin.ModuleID {
			routes = st.Routes
		}
	}
	if len(routes) < 15 {
		t.Fatalf("only %d admin routes: %q", len(routes), routes)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		path = param.ReplaceAllString(strings.ReplaceAll(path, "{$}", ""), "x")
		for _, who := range []string{tok, ""} {
			r := in.do(method, path, who, "application/x-www-form-urlencoded", "a=b")
			want := http.StatusForbidden
			if who == "" {
				want = http.StatusUnauthorized
			}
			if r.status != want || !strings.Contains(r.body, `"error"`) {
				t.Errorf("%s %s as %v: %d %.200s", method, path, who != "", r.status, r.body)
			}
		}
	}
}

// TestImportsOnlyPublicAPI: the console is built on what any module has.
func TestImportsOnlyPublicAPI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pf.Imports {
			if strings.Contains(imp.Path.Value, "/internal") {
				t.Errorf("%s imports %s", f, imp.Path.Value)
			}
		}
	}
}

// TestModuleSwitchReachesAnotherInstance: two instances sharing MongoDB and
// Redis; a module switched off on one is off on the other.
func TestModuleSwitchReachesAnotherInstance(t *testing.T) {
	mongo, redis := testenv.MongoURL(t), testenv.RedisURL(t)
	o := options{mongoURL: mongo, database: testenv.DatabaseName("admintest"), redisURL: redis, channel: testenv.DatabaseName("admin-bus")}
	t.Cleanup(func() {
		if db, err := store.ConnectMongo(context.Background(), mongo, o.database); err == nil {
			_ = db.Drop(context.Background())
			_ = db.Close(context.Background())
		}
	})
	a := start(t, o)
	b := start(t, o)
	tokA := a.login("admin@example.com", adminPassword)
	tokB := b.login("admin@example.com", adminPassword)
	must(t, b.do("GET", "/greeter/hi", tokB, "", ""), http.StatusOK)
	must(t, a.post("/admin/modules/greeter", tokA, url.Values{"enabled": {"false"}}), http.StatusSeeOther)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := b.do("GET", "/greeter/hi", tokB, "", "")
		if r.status == http.StatusNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other instance still serves the switched-off module: %d", r.status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
