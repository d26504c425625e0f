package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

func newApp(t *testing.T, dir string, logs *testenv.Buffer, mods ...webos.Module) *webos.App {
	t.Helper()
	cfg, err := webos.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dir
	cfg.LogLevel = "warn"
	app := webos.New(cfg, mods...)
	app.SetLogger(webos.NewLogger(cfg, logs))
	return app
}

// user is a module that makes a collection in its Provision.
type user struct {
	db    *store.Module
	items *store.Collection[Item]
}

func (u *user) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "user"} }
func (u *user) Requires() []string           { return []string{store.ModuleID} }
func (u *user) Provision(ctx context.Context, app *webos.App) error {
	u.items = store.NewCollection[Item](u.db.DB(), "items")
	return u.db.DB().EnsureIndexes(ctx)
}

func TestModuleEmbeddedByDefault(t *testing.T) {
	dir := t.TempDir()
	// A folder of the old embedded MongoDB-wire server is explained.
	if err := os.MkdirAll(filepath.Join(dir, "mongo"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mongo", "webos.sqlite"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	m := &store.Module{}
	u := &user{db: m}
	var logs testenv.Buffer
	app := newApp(t, dir, &logs, m, u)
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if m.DB() == nil || m.DB().Engine() != store.EngineSQLite {
		t.Fatalf("DB after start: %v", m.DB())
	}
	if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile)); err != nil {
		t.Fatalf("database file: %v", err)
	}
	if !strings.Contains(logs.String(), "earlier versions") {
		t.Errorf("old data folder not explained; logs: %s", logs.String())
	}
	if err := u.items.Insert(ctx, &Item{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := m.HealthChecks()[0].Check(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if m.DB() != nil {
		t.Fatal("DB after stop")
	}
	if err := m.HealthChecks()[0].Check(ctx); webos.StatusOf(err) != 503 {
		t.Fatalf("health after stop: %v", err)
	}
	if _, err := u.items.Get(ctx, "x"); webos.StatusOf(err) != 503 {
		t.Fatalf("use after stop: %v", err)
	}
}

func TestModuleMongoUnavailable(t *testing.T) {
	m := &store.Module{URL: "mongodb://127.0.0.1:1/", Options: []store.Option{store.WithTimeout(200 * time.Millisecond)}}
	app := newApp(t, t.TempDir(), new(testenv.Buffer), m)
	err := app.Start(context.Background())
	if !errors.Is(err, webos.ErrUnavailable) {
		t.Fatalf("Start against a closed port: %v", err)
	}
	if m.DB() != nil {
		t.Fatal("DB kept after a failed start")
	}
}

func TestModuleMongo(t *testing.T) {
	m := &store.Module{URL: testenv.MongoURL(t), Database: testenv.DatabaseName("t_store_module")}
	u := &user{db: m}
	app := newApp(t, t.TempDir(), new(testenv.Buffer), m, u)
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if m.DB().Engine() != store.EngineMongo {
		t.Fatalf("engine %q", m.DB().Engine())
	}
	if err := u.items.Insert(ctx, &Item{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	_ = m.DB().Drop(ctx)
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
