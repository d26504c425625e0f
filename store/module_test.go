package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// wireModule stands for an embedded server module.
type wireModule struct{ url string }

func (w *wireModule) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "wire"} }
func (w *wireModule) URL() string                  { return w.url }

type plainURL string

func (p plainURL) URL() string { return string(p) }

func TestModuleRequires(t *testing.T) {
	if got := (&store.Module{URLFrom: &wireModule{}}).Requires(); !slices.Equal(got, []string{"wire"}) {
		t.Fatalf("Requires = %v", got)
	}
	if got := (&store.Module{URLFrom: plainURL("x")}).Requires(); got != nil {
		t.Fatalf("Requires of a plain URL source = %v", got)
	}
	if got := (&store.Module{}).ModuleInfo().ID; got != "store" {
		t.Fatalf("ID = %q", got)
	}
}

func TestModuleWithoutServer(t *testing.T) {
	m := &store.Module{URL: "mongodb://127.0.0.1:1/", Options: []store.Option{store.WithTimeout(200 * time.Millisecond)}}
	if err := m.Start(context.Background()); webos.StatusOf(err) != 503 {
		t.Fatalf("Start against a closed port: %v", err)
	}
	if m.DB() != nil {
		t.Fatal("DB set after a failed start")
	}
	checks := m.HealthChecks()
	if len(checks) != 1 || checks[0].Name != "mongodb" {
		t.Fatalf("health checks %+v", checks)
	}
	if err := checks[0].Check(context.Background()); !errors.Is(err, webos.ErrUnavailable) {
		t.Fatalf("check before start: %v", err)
	}
	if err := (&store.Module{}).Start(context.Background()); err == nil {
		t.Fatal("Start without URL: no error")
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatalf("Stop after failed start: %v", err)
	}
}

func TestModuleLifecycle(t *testing.T) {
	wire := &wireModule{url: testenv.MongoURL(t)}
	m := &store.Module{URLFrom: wire, Database: "t_module_lifecycle_" + time.Now().Format("150405_000000")}
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	db := m.DB()
	if db == nil || !strings.HasPrefix(db.Name(), "t_module_lifecycle_") {
		t.Fatalf("DB after start: %v", db)
	}
	if err := m.HealthChecks()[0].Check(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if err := m.Start(ctx); err == nil || m.DB() != db {
		t.Fatalf("second Start: %v", err)
	}
	notes := store.NewCollection[Note](db, "notes")
	if err := notes.Insert(ctx, &Note{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	_ = db.Database().Drop(ctx)
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if m.DB() != nil {
		t.Fatal("DB after stop")
	}
	if err := m.HealthChecks()[0].Check(ctx); webos.StatusOf(err) != 503 {
		t.Fatalf("health after stop: %v", err)
	}
	if _, err := notes.Get(ctx, "x"); webos.StatusOf(err) != 503 {
		t.Fatalf("use after stop: %v", err)
	}
}
