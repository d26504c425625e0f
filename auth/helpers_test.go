package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// testSecret is the cookie key of the test apps.
const testSecret = "test-secret-key-test-secret-key-0123456789"

// clock is a settable clock for auth.Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type syncBuffer = testenv.Buffer

// env is a running application with the store, auth and notes modules over
// a fresh database.
type env struct {
	t     testing.TB
	app   *webos.App
	auth  *auth.Module
	store *store.Module
	srv   *httptest.Server
	logs  *syncBuffer
	out   *syncBuffer // the auth module's console output
	db    string
	clock *clock
	// startErr is the error of App.Start when envOptions.wantStartErr.
	startErr error
}

// newDatabaseName returns a unique database name for t.
func newDatabaseName() string { return testenv.DatabaseName("authtest") }

type envOptions struct {
	cfg      auth.Config
	database string // reuse this database (not dropped); "" makes a fresh one
	secrets  []webos.Secret
	extra    []webos.Module
	// sqlite runs the embedded store in a temporary folder instead of
	// MongoDB.
	sqlite bool
	// wantStartErr returns the env with startErr set instead of failing.
	wantStartErr bool
	// hub links the application's bus with the other apps given the same
	// hub, as Redis links instances.
	hub *bus.Hub
	// storeOptions are passed to the store module.
	storeOptions []store.Option
}

// newEnv starts an application. The admin created on first run is
// admin@example.com with adminPassword.
func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	url := ""
	if !o.sqlite {
		url = testenv.MongoURL(t)
	}
	e := &env{t: t, logs: &syncBuffer{}, clock: newClock(), db: o.database}
	fresh := e.db == ""
	if fresh {
		e.db = newDatabaseName()
	}
	kcfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	kcfg.SecretKeys = o.secrets
	if kcfg.SecretKeys == nil {
		kcfg.SecretKeys = []webos.Secret{testSecret}
	}
	cfg := o.cfg
	if cfg.AdminEmail == "" {
		cfg.AdminEmail = "admin@example.com"
		cfg.AdminPassword = adminPassword
	}
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	e.store = &store.Module{URL: url, Database: e.db, Options: o.storeOptions}
	if o.sqlite {
		e.store.Dir = t.TempDir()
	}
	e.auth = auth.New(cfg)
	e.out = &syncBuffer{}
	e.auth.Out = e.out
	mods := append([]webos.Module{e.store, e.auth, &notesModule{}}, o.extra...)
	e.app = webos.New(kcfg, mods...)
	e.app.SetLogger(slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if o.hub != nil {
		b := bus.New(bus.Options{Transport: o.hub.Transport(), Logger: e.app.Logger()})
		if err := e.app.SetBus(b); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close(context.Background()) }) // after the app stopped
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.app.Start(ctx); err != nil {
		if o.wantStartErr {
			e.startErr = err
			_ = e.app.Stop(context.Background())
			if fresh && url != "" {
				dropDatabase(url, e.db)
			}
			return e
		}
		t.Fatal(err)
	}
	if o.wantStartErr {
		t.Fatal("start succeeded")
	}
	e.srv = httptest.NewServer(e.app.Handler())
	t.Cleanup(func() {
		e.srv.Close()
		ctx := context.Background()
		if fresh {
			if db := e.store.DB(); db != nil {
				_ = db.Drop(ctx)
			}
		}
		if err := e.app.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return e
}

const adminPassword = "admin-password-1234"

// dropDatabase drops a database the app could not drop itself.
func dropDatabase(url, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := store.ConnectMongo(ctx, url, name)
	if err != nil {
		return
	}
	_ = db.Drop(ctx)
	_ = db.Close(ctx)
}

// req is one request to the test server.
type req struct {
	method, path string
	body         any // marshalled to JSON unless a string
	token        string
	cookie       *http.Cookie
	header       map[string]string
}

// resp is a read response.
type resp struct {
	status int
	header http.Header
	body   []byte
	cookie *http.Cookie // the session cookie it set, if any
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d: body %q: %v", r.status, r.body, err)
	}
}

// errBody decodes a JSON error response and checks its Content-Type.
func (r resp) errBody(t testing.TB) webos.ErrorBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status %d: Content-Type %q, body %q", r.status, ct, r.body)
	}
	var b webos.ErrorBody
	r.decode(t, &b)
	if b.Error == "" {
		t.Fatalf("status %d: no error text: %s", r.status, r.body)
	}
	return b
}

func (e *env) do(q req) resp {
	e.t.Helper()
	var body io.Reader
	switch b := q.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(q.method, e.srv.URL+q.path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if q.token != "" {
		hr.Header.Set("Authorization", "Bearer "+q.token)
	}
	if q.cookie != nil {
		hr.AddCookie(q.cookie)
	}
	for k, v := range q.header {
		hr.Header.Set(k, v)
	}
	hresp, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer hresp.Body.Close()
	b, err := io.ReadAll(hresp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := resp{status: hresp.StatusCode, header: hresp.Header, body: b}
	for _, c := range hresp.Cookies() {
		if c.Name == e.auth.Config().CookieName {
			out.cookie = c
		}
	}
	return out
}

// must checks the status of r.
func must(t testing.TB, r resp, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// register creates a user with the default roles, as registration does.
func (e *env) register(email, password string) *auth.User {
	e.t.Helper()
	u, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: email, Password: password, DisplayName: strings.Split(email, "@")[0]})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// session is a logged-in client.
type session struct {
	token  string
	cookie *http.Cookie
	user   auth.User
}

// login signs in asking for a bearer token, and keeps the cookie too.
func (e *env) login(email, password string) session {
	e.t.Helper()
	r := must(e.t, e.do(req{method: "POST", path: "/auth/login", body: map[string]any{"email": email, "password": password, "token": true}}), http.StatusOK)
	var lr auth.LoginResponse
	r.decode(e.t, &lr)
	if lr.Token == "" || lr.User == nil || r.cookie == nil {
		e.t.Fatalf("login response %s, cookie %v", r.body, r.cookie)
	}
	return session{token: lr.Token, cookie: r.cookie, user: *lr.User}
}

func (e *env) admin() session { return e.login("admin@example.com", adminPassword) }

// grant gives the user a role with the given permissions, through the API.
func (e *env) grant(admin session, userID, role string, perms ...string) {
	e.t.Helper()
	must(e.t, e.do(req{method: "PUT", path: "/auth/roles/" + role, token: admin.token,
		body: map[string]any{"description": role, "permissions": perms}}), http.StatusOK)
	must(e.t, e.do(req{method: "PATCH", path: "/auth/users/" + userID, token: admin.token,
		body: map[string]any{"roles": []string{auth.RoleUser, role}}}), http.StatusOK)
}

// note is the document type of the test module.
type note struct {
	store.Doc `bson:",inline"`
	Title     string `bson:"title" json:"title"`
}

// notesModule is an application module with an owner-scoped collection and
// CRUD routes guarded by the auth module.
type notesModule struct {
	notes *store.Owned[note]
}

func (m *notesModule) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "notes", Name: "Notes"}
}

func (m *notesModule) Requires() []string { return []string{store.ModuleID, auth.ModuleID} }

func (m *notesModule) Permissions() []auth.Permission {
	return []auth.Permission{{Name: "notes.read", Description: "Read one's notes"}, {Name: "notes.write", Description: "Write one's notes"}}
}

func (m *notesModule) Provision(ctx context.Context, app *webos.App) error {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	m.notes = store.NewOwned[note](db, "notes")
	return m.notes.EnsureIndexes(ctx)
}

func (m *notesModule) Routes(r *webos.Router) {
	read := r.Require("notes.read")
	write := r.Require("notes.write")
	read.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
		list, err := m.notes.Find(r.Context(), store.Query{Sort: []string{"created_at"}})
		if err != nil {
			return err
		}
		webos.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	read.HandleFunc("GET /{id}", func(w http.ResponseWriter, r *http.Request) error {
		n, err := m.notes.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		webos.WriteJSON(w, http.StatusOK, n)
		return nil
	})
	write.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Title string `json:"title" validate:"required"`
		}
		if err := webos.Decode(r, &in); err != nil {
			return err
		}
		n := &note{Title: in.Title}
		if err := m.notes.Insert(r.Context(), n); err != nil {
			return err
		}
		webos.WriteJSON(w, http.StatusCreated, n)
		return nil
	})
	write.HandleFunc("PATCH /{id}", func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Title string `json:"title" validate:"required"`
		}
		if err := webos.Decode(r, &in); err != nil {
			return err
		}
		n, err := m.notes.Update(r.Context(), r.PathValue("id"), store.Set("title", in.Title))
		if err != nil {
			return err
		}
		webos.WriteJSON(w, http.StatusOK, n)
		return nil
	})
	write.HandleFunc("DELETE /{id}", func(w http.ResponseWriter, r *http.Request) error {
		if err := m.notes.Delete(r.Context(), r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}
