package vault_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/stack"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
)

// backend is where a test's data lives: the embedded SQLite store in a
// data folder, or a database of its own on the MongoDB-wire test server.
type backend struct {
	name    string
	dataDir string
	mongo   string // URL; "" for SQLite
	db      string
}

func sqliteBackend(t testing.TB) backend {
	return backend{name: store.EngineSQLite, dataDir: t.TempDir()}
}

func mongoBackend(t testing.TB) backend {
	t.Helper()
	url := testenv.MongoURL(t)
	return backend{name: store.EngineMongo, dataDir: t.TempDir(), mongo: url, db: testenv.DatabaseName("t_vault")}
}

// backends are SQLite always and MongoDB unless -short.
func backends(t *testing.T) []func(testing.TB) backend {
	if testing.Short() {
		return []func(testing.TB) backend{sqliteBackend}
	}
	return []func(testing.TB) backend{sqliteBackend, mongoBackend}
}

func each(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, mk := range backends(t) {
		b := mk(t)
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// env is a running application: the standard stack and the vault.
type env struct {
	t     testing.TB
	app   *webos.App
	srv   *httptest.Server
	auth  *auth.Module
	tasks *tasks.Module
	vault *vault.Module
	db    *store.DB
	stop  func()
}

// start runs the standard stack with the vault on b, with the given
// master keys (newest first).
func start(t testing.TB, b backend, keys ...string) *env {
	t.Helper()
	vc := vault.Config{}
	for _, k := range keys {
		vc.MasterKeys = append(vc.MasterKeys, webos.Secret(k))
	}
	return startWith(t, b, vc)
}

// startWith runs the standard stack with the vault configured by vc.
func startWith(t testing.TB, b backend, vc vault.Config) *env {
	t.Helper()
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery-staple")
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = b.dataDir
	cfg.MongoURL = webos.Secret(b.mongo)
	if b.db != "" {
		cfg.MongoDatabase = b.db
	}
	std, err := stack.Standard(cfg)
	if err != nil {
		t.Fatal(err)
	}
	vm := vault.New(vc)
	app := webos.New(cfg, append(std.List(), vm)...)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	e := &env{t: t, app: app, srv: srv, auth: std.Auth, tasks: std.Tasks, vault: vm, db: db}
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		srv.Close()
		_ = app.Stop(context.Background())
	}
	t.Cleanup(func() {
		if b.mongo != "" && !stopped {
			_ = db.Drop(context.Background())
		}
		e.stop()
	})
	return e
}

// shared holds the package's one application per backend, for the tests
// that need no configuration of their own; TestMain stops them.
var shared struct {
	mu    sync.Mutex
	envs  map[string]*env
	stops []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// sharedEnv returns the package's application on b's engine, started by
// the first test that asks. Tests on it make users of their own (see
// [env.user]).
func sharedEnv(t *testing.T, b backend) *env {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.envs == nil {
		shared.envs = map[string]*env{}
	}
	e, ok := shared.envs[b.name]
	if !ok {
		dir, err := os.MkdirTemp("", "vault-test-")
		if err != nil {
			t.Fatal(err)
		}
		b.dataDir = dir
		e = startWith(&keeper{T: t}, b, vault.Config{})
		db := e.db
		shared.stops = append(shared.stops, func() {
			if b.mongo != "" {
				_ = db.Drop(context.Background())
			}
			e.stop()
			_ = os.RemoveAll(dir)
		})
		shared.envs[b.name] = e
	}
	c := *e
	c.t = t
	return &c
}

// keeper is a testing.TB whose Cleanup is left to TestMain, for what
// outlives the test that made it.
type keeper struct{ *testing.T }

func (k *keeper) Cleanup(func()) {}

// Setenv of a shared application's start must not be undone either.
func (k *keeper) Setenv(key, value string) { _ = os.Setenv(key, value) }

// user makes a user who may use the vault and returns their context and
// a bearer token.
func (e *env) user(email string) (context.Context, string) {
	e.t.Helper()
	ctx := context.Background()
	if u, err := e.auth.UserByEmail(ctx, email); err == nil && u != nil {
		// The shared application has the address already: one of the test.
		email = strings.NewReplacer("/", ".", " ", "_").Replace(strings.ToLower(e.t.Name())) + "." + email
	}
	if _, err := e.auth.SaveRole(ctx, auth.Role{Name: "vaulter", Permissions: []string{vault.PermUse}}); err != nil {
		e.t.Fatal(err)
	}
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Email: email, Password: "a-long-password-1", Roles: []string{"vaulter"}})
	if err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.auth.IssueToken(ctx, u.ID, "test", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return auth.WithUser(ctx, u), tok
}

func (e *env) do(method, path, token, ct, body string) (int, string, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// waitTask waits for the task id to finish and returns its status.
func (e *env) waitTask(ctx context.Context, id string) *tasks.Status {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := e.tasks.Status(ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if st.Done() {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("task %s did not finish", id)
	return nil
}

func anon() context.Context { return context.Background() }

func ptr(s string) *string { return &s }

func withUser(u *auth.User) context.Context { return auth.WithUser(context.Background(), u) }

// adminContext is the context of the first administrator.
func adminContext(t *testing.T, e *env) context.Context {
	t.Helper()
	u, err := e.auth.UserByEmail(context.Background(), "admin@localhost")
	if err != nil {
		t.Fatal(err)
	}
	return withUser(u)
}
