package settings_test

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/webos-go/webos/audit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
)

// blog is a module with settings; change, when set, adjusts its schema.
type blog struct {
	settings *settings.Handle[BlogSettings]
	change   func(settings.Schema) settings.Schema
}

func newBlog(change func(settings.Schema) settings.Schema) *blog {
	return &blog{settings: settings.Declare(BlogSettings{Title: "Blog", PageSize: 20, Uploads: "fs://local/blog"}), change: change}
}

func (b *blog) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "blog", Name: "Blog"} }
func (b *blog) Settings() settings.Schema {
	if b.change != nil {
		return b.change(b.settings.Schema())
	}
	return b.settings.Schema()
}

// plain is a module without settings.
type plain struct{}

func (plain) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "plain"} }

type instance struct {
	app  *webos.App
	set  *settings.Module
	blog *blog
}

type options struct {
	schema func(settings.Schema) settings.Schema
	hub    *bus.Hub
	authz  webos.Module // the authorizer; nil means webos.AllowAll
	mws    []webos.Module
	resync time.Duration // the settings module's ResyncInterval
	dir    string        // the embedded store's folder, when url is ""
}

// newDB returns a fresh database name, dropped when the test ends.
func newDB(t *testing.T) (url, name string) {
	t.Helper()
	url = testenv.MongoURL(t)
	name = testenv.DatabaseName("settingstest")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := store.ConnectMongo(ctx, url, name)
		if err != nil {
			return
		}
		_ = db.Drop(ctx)
		_ = db.Close(ctx)
	})
	return url, name
}

// start runs an application over the database; it stops with the test.
func start(t *testing.T, url, dbName string, o options) *instance {
	t.Helper()
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{set: &settings.Module{ResyncInterval: o.resync}}
	if o.authz == nil {
		o.authz = webos.AllowAll()
	}
	mods := append([]webos.Module{&store.Module{URL: url, Database: dbName, Dir: o.dir}, o.authz}, o.mws...)
	in.blog = newBlog(o.schema)
	mods = append(mods, in.set, plain{}, in.blog)
	in.app = webos.New(cfg, mods...)
	in.app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if o.hub != nil {
		b := bus.New(bus.Options{Transport: o.hub.Transport()})
		if err := in.app.SetBus(b); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close(context.Background()) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := in.app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.app.Stop(context.Background()) })
	return in
}

func get(t *testing.T, in *instance) BlogSettings {
	t.Helper()
	return in.blog.settings.Get(context.Background())
}

func TestDefaultsWhenNothingStored(t *testing.T) {
	url, db := newDB(t)
	in := start(t, url, db, options{})
	if got, want := get(t, in), (BlogSettings{Title: "Blog", PageSize: 20, Uploads: "fs://local/blog"}); got != want {
		t.Errorf("Get = %+v, want %+v", got, want)
	}
	if _, err := in.set.Values("plain"); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("module without settings: %v", err)
	}
	caps := in.app.Modules()
	i := slices.IndexFunc(caps, func(s webos.ModuleStatus) bool { return s.ID == "blog" })
	if !slices.Contains(caps[i].Capabilities, "settings") {
		t.Errorf("blog capabilities %v", caps[i].Capabilities)
	}
}

func TestSetPersistsAcrossRestart(t *testing.T) {
	url, db := newDB(t)
	ctx := context.Background()
	a := start(t, url, db, options{})
	if err := a.set.Set(ctx, "blog", map[string]any{"page_size": 50, "title": "Mine"}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, a); got.PageSize != 50 || got.Title != "Mine" {
		t.Errorf("after Set: %+v", got)
	}
	if err := a.app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	b := start(t, url, db, options{})
	if got := get(t, b); got.PageSize != 50 || got.Title != "Mine" || got.Uploads != "fs://local/blog" {
		t.Errorf("after restart: %+v", got)
	}
	// null resets a key to its default.
	if err := b.set.Set(ctx, "blog", map[string]any{"title": nil}); err != nil {
		t.Fatal(err)
	}
	c := start(t, url, db, options{})
	if got := get(t, c); got.PageSize != 50 || got.Title != "Blog" {
		t.Errorf("after reset and restart: %+v", got)
	}
}

func TestValidationNamesField(t *testing.T) {
	url, db := newDB(t)
	in := start(t, url, db, options{})
	err := in.set.Set(context.Background(), "blog", map[string]any{"page_size": 0, "title": "ok"})
	var ve *webos.ValidationError
	if !errors.As(err, &ve) || ve.Fields["page_size"] == "" || len(ve.Fields) != 1 {
		t.Fatalf("err = %v", err)
	}
	err = in.set.Set(context.Background(), "blog", map[string]any{"page_size": "many", "colour": "red"})
	if !errors.As(err, &ve) || ve.Fields["page_size"] == "" || ve.Fields["colour"] == "" {
		t.Fatalf("err = %v", err)
	}
	if got := get(t, in); got.PageSize != 20 || got.Title != "Blog" {
		t.Errorf("a refused patch changed the settings: %+v", got)
	}
	if err := in.set.Set(context.Background(), "nope", map[string]any{"a": 1}); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("unknown module: %v", err)
	}
}

func TestLockedKeysRefused(t *testing.T) {
	url, db := newDB(t)
	schema := func(s settings.Schema) settings.Schema { return s.Override(map[string]any{"title": "From env"}) }
	a := start(t, url, db, options{})
	// A value stored before the key was locked ...
	if err := a.set.Set(context.Background(), "blog", map[string]any{"title": "Stored"}); err != nil {
		t.Fatal(err)
	}
	b := start(t, url, db, options{schema: schema})
	// ... does not override the environment.
	if got := get(t, b); got.Title != "From env" {
		t.Errorf("title = %q", got.Title)
	}
	for _, key := range []string{"title", "uploads"} {
		err := b.set.Set(context.Background(), "blog", map[string]any{key: "x"})
		var ve *webos.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields[key], "locked") {
			t.Errorf("%s: err = %v", key, err)
		}
	}
}

func TestChangedEvent(t *testing.T) {
	url, db := newDB(t)
	in := start(t, url, db, options{})
	got := make(chan settings.Changed, 1)
	cancel := bus.On(in.app.Bus(), settings.TopicChanged, func(_ context.Context, _ bus.Envelope, c settings.Changed) error {
		got <- c
		return nil
	})
	defer cancel()
	ctx := identity.With(context.Background(), identity.Subject("u-42"))
	if err := in.set.Set(ctx, "blog", map[string]any{"title": "T", "page_size": 3}); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-got:
		if c.Module != "blog" || c.User != "u-42" || !slices.Equal(c.Keys, []string{"page_size", "title"}) {
			t.Errorf("event %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no settings.changed event")
	}
}

func TestChangeIsAudited(t *testing.T) {
	url, db := newDB(t)
	in := start(t, url, db, options{})
	got := make(chan audit.Change, 2)
	cancel := bus.On(in.app.Bus(), audit.Topic, func(_ context.Context, _ bus.Envelope, c audit.Change) error {
		got <- c
		return nil
	})
	defer cancel()
	ctx := identity.With(context.Background(), identity.Subject("u-42"))
	for _, patch := range []map[string]any{{"page_size": 3}, {"page_size": nil, "title": "T"}} {
		if err := in.set.Set(ctx, "blog", patch); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{`settings:blog {} {"page_size":3}`, `settings:blog {"page_size":3} {"title":"T"}`}
	for _, w := range want {
		select {
		case c := <-got:
			b, _ := json.Marshal(c.Before)
			a, _ := json.Marshal(c.After)
			if s := c.Target + " " + string(b) + " " + string(a); c.Action != settings.ActionSet || s != w {
				t.Errorf("audit change %s %s, want %s", c.Action, s, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no audit change")
		}
	}
}

func TestChangeReachesOtherInstance(t *testing.T) {
	url, db := newDB(t)
	hub := bus.NewHub()
	a := start(t, url, db, options{hub: hub})
	b := start(t, url, db, options{hub: hub})
	if got := get(t, b); got.PageSize != 20 {
		t.Fatalf("b before: %+v", got)
	}
	for i, size := range []int{42, 43} {
		if err := a.set.Set(context.Background(), "blog", map[string]any{"page_size": size}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for get(t, b).PageSize != size {
			if time.Now().After(deadline) {
				t.Fatalf("change %d never reached the other instance: %+v", i, get(t, b))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestBadSchemaFailsStart(t *testing.T) {
	url, db := newDB(t)
	cfg, _ := webos.LoadConfig("/nonexistent/.env")
	app := webos.New(cfg, &store.Module{URL: url, Database: db}, &settings.Module{},
		newBlog(func(s settings.Schema) settings.Schema { return s.Lock("nope") }))
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	err := app.Start(context.Background())
	_ = app.Stop(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"blog"`) {
		t.Fatalf("err = %v", err)
	}
}

// permHeader stands in for the auth module as the application's
// authorizer: the request's X-Perms header lists the permissions its user
// has; the user is "u-1".
type permHeader struct{}

type permsKey struct{}

func (permHeader) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "perm-header"} }
func (permHeader) Authorizer() webos.Authorizer { return permHeader{} }
func (permHeader) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	ctx := identity.With(r.Context(), identity.Subject("u-1"))
	return r.WithContext(context.WithValue(ctx, permsKey{}, strings.Split(r.Header.Get("X-Perms"), ","))), nil
}
func (permHeader) Authorize(ctx context.Context, perm string) error {
	perms, _ := ctx.Value(permsKey{}).([]string)
	if !slices.Contains(perms, perm) {
		return webos.ErrForbidden
	}
	return nil
}

func do(t *testing.T, in *instance, method, path, perms, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Perms", perms)
	rec := httptest.NewRecorder()
	in.app.Handler().ServeHTTP(rec, req)
	var v map[string]any
	if strings.HasPrefix(strings.TrimSpace(rec.Body.String()), "{") {
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
		}
	}
	return rec, v
}

func TestHTTP(t *testing.T) {
	url, db := newDB(t)
	in := start(t, url, db, options{authz: permHeader{}})
	const rw = "settings.read,settings.write"

	rec, _ := do(t, in, "GET", "/settings/", rw, "")
	if rec.Code != 200 {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	var list []settings.View
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	// The settings module's own (the module switches), then the blog's.
	if len(list) != 2 || list[0].Module != settings.ModuleID || list[1].Module != "blog" || list[1].Name != "Blog" || len(list[1].Fields) != 3 {
		t.Fatalf("list %+v", list)
	}
	list = list[1:]
	f := list[0].Fields[2]
	if f.Key != "uploads" || !f.Locked || f.Value != "fs://local/blog" || f.Description == "" || f.Type != "string" {
		t.Errorf("uploads field %+v", f)
	}
	if f := list[0].Fields[1]; f.Default != float64(20) || f.Value != float64(20) || f.Validate != "min=1,max=100" {
		t.Errorf("page_size field %+v", f)
	}

	got := make(chan settings.Changed, 1)
	defer bus.On(in.app.Bus(), settings.TopicChanged, func(_ context.Context, _ bus.Envelope, c settings.Changed) error {
		got <- c
		return nil
	})()
	rec, body := do(t, in, "PATCH", "/settings/blog", rw, `{"page_size": 7}`)
	if rec.Code != 200 {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if fs := body["fields"].([]any); fs[1].(map[string]any)["value"] != float64(7) {
		t.Errorf("patch answer %v", body)
	}
	select {
	case c := <-got:
		if c.User != "u-1" {
			t.Errorf("event user %q", c.User)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	if rec, body := do(t, in, "GET", "/settings/blog", "settings.read", ""); rec.Code != 200 || body["module"] != "blog" {
		t.Errorf("get: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		method, path, perms, body string
		status                    int
		field                     string
	}{
		{"GET", "/settings/", "", "", 403, ""},
		{"PATCH", "/settings/blog", "settings.read", `{"page_size": 8}`, 403, ""},
		{"GET", "/settings/nope", rw, "", 404, ""},
		{"GET", "/settings/plain", rw, "", 404, ""},
		{"PATCH", "/settings/nope", rw, `{"a": 1}`, 404, ""},
		{"PATCH", "/settings/blog", rw, `{"page_size": 0}`, 422, "page_size"},
		{"PATCH", "/settings/blog", rw, `{"uploads": "/x"}`, 422, "uploads"},
		{"PATCH", "/settings/blog", rw, `{"nope": 1}`, 422, "nope"},
		{"PATCH", "/settings/blog", rw, `{"page_size": `, 400, ""},
		{"PATCH", "/settings/blog", rw, `[1]`, 400, ""},
		{"PATCH", "/settings/blog", rw, `null`, 400, ""},
		{"PATCH", "/settings/blog", rw, `{}`, 400, ""},
	} {
		rec, body := do(t, in, tc.method, tc.path, tc.perms, tc.body)
		if rec.Code != tc.status {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, rec.Code, rec.Body, tc.status)
			continue
		}
		if tc.field != "" {
			if fs, _ := body["fields"].(map[string]any); fs[tc.field] == nil {
				t.Errorf("%s %s: body %s does not name %q", tc.method, tc.path, rec.Body, tc.field)
			}
		}
	}
	if got := get(t, in); got.PageSize != 7 {
		t.Errorf("refused patches changed the settings: %+v", got)
	}
}

// TestHTTPFailsClosed: without an authorizer the settings API refuses
// every request; webos.AllowAll opens it.
func TestHTTPFailsClosed(t *testing.T) {
	url, db := newDB(t)
	closed := start(t, url, db, options{authz: plainModule{"nothing"}})
	for _, rq := range [][2]string{{"GET", "/settings/"}, {"GET", "/settings/blog"}, {"PATCH", "/settings/blog"}} {
		rec, body := do(t, closed, rq[0], rq[1], "settings.read,settings.write", `{"title": "Shut"}`)
		if rec.Code != 401 || body["error"] == nil {
			t.Errorf("%s %s without an authorizer: %d %s", rq[0], rq[1], rec.Code, rec.Body)
		}
	}
	if got := get(t, closed); got.Title == "Shut" {
		t.Fatal("a refused patch changed the settings")
	}
	in := start(t, url, db, options{})
	if rec, _ := do(t, in, "PATCH", "/settings/blog", "", `{"title": "Open"}`); rec.Code != 200 {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if got := get(t, in); got.Title != "Open" {
		t.Errorf("title %q", got.Title)
	}
}

func TestConcurrentSetsConverge(t *testing.T) {
	url, db := newDB(t)
	hub := bus.NewHub()
	ins := []*instance{start(t, url, db, options{hub: hub}), start(t, url, db, options{hub: hub})}
	done := make(chan error, 20)
	for i := range 20 {
		go func() {
			done <- ins[i%2].set.Set(context.Background(), "blog", map[string]any{"page_size": 1 + i})
		}()
	}
	for range 20 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// Each instance ends with what the database holds.
	check := start(t, url, db, options{})
	want := get(t, check).PageSize
	deadline := time.Now().Add(5 * time.Second)
	for _, in := range ins {
		for get(t, in).PageSize != want {
			if time.Now().After(deadline) {
				t.Fatalf("instance has %d, database %d", get(t, in).PageSize, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// plainModule is a module with nothing but an ID.
type plainModule struct{ id string }

func (p plainModule) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: p.id} }
