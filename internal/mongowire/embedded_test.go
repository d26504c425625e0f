package mongowire_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/mongowire"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

type item struct {
	store.Doc `bson:",inline"`
	Name      string `bson:"name"`
}

type syncBuffer = testenv.Buffer

// roundTrip checks CRUD and both forms of unique-index conflict through
// package store against the server.
func roundTrip(t *testing.T, srv *mongowire.Server) {
	t.Helper()
	ctx := identity.With(context.Background(), identity.Subject("alice"))
	db, err := store.ConnectMongo(ctx, srv.URI(), "embedded_test", store.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	defer db.Drop(ctx)
	items := store.NewCollection[item](db, "items", store.Index{Keys: []string{"name"}, Unique: true})
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	a, b := &item{Name: "a"}, &item{Name: "b"}
	for _, it := range []*item{a, b} {
		if err := items.Insert(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := items.Get(ctx, a.ID); err != nil || got.Name != "a" || got.CreatedBy != "alice" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if err := items.Insert(ctx, &item{Name: "a"}); webos.StatusOf(err) != 409 {
		t.Fatalf("duplicate insert: %v", err)
	}
	if _, err := items.Update(ctx, b.ID, store.Set("name", "a")); webos.StatusOf(err) != 409 || !errors.Is(err, webos.ErrConflict) {
		t.Fatalf("duplicate update: %v", err)
	}
	if n, err := items.Count(ctx, store.Filter{}); err != nil || n != 2 {
		t.Fatalf("count: %d, %v", n, err)
	}
}

func TestSQLite(t *testing.T) {
	dir := t.TempDir() + "/data"
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := mongowire.Start(context.Background(), mongowire.Options{SQLiteDir: dir, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URI(), "mongodb://127.0.0.1:") || srv.Backend() != "sqlite" {
		t.Fatalf("URI %q, backend %q", srv.URI(), srv.Backend())
	}
	roundTrip(t, srv)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if s := logs.String(); strings.Contains(s, "level=DEBUG") || strings.Contains(s, "level=INFO") || strings.Contains(s, "level=WARN") {
		t.Fatalf("records below ERROR were passed on:\n%s", s)
	}
}

func TestSQLitePersists(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i := range 2 {
		srv, err := mongowire.Start(ctx, mongowire.Options{SQLiteDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.ConnectMongo(ctx, srv.URI(), "persist")
		if err != nil {
			t.Fatal(err)
		}
		items := store.NewCollection[item](db, "items")
		if i == 0 {
			err = items.Insert(ctx, &item{Doc: store.Doc{ID: "kept"}, Name: "x"})
		} else {
			_, err = items.Get(ctx, "kept")
		}
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		_ = db.Close(ctx)
		_ = srv.Close()
	}
}

func TestPostgreSQL(t *testing.T) {
	url := testenv.Require(t, testenv.PostgresURLVar)
	srv, err := mongowire.Start(context.Background(), mongowire.Options{PostgreSQLURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.Backend() != "postgresql" {
		t.Fatalf("backend %q", srv.Backend())
	}
	roundTrip(t, srv)
}

func TestStartRefusesBadOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := mongowire.Start(ctx, mongowire.Options{}); !errors.Is(err, mongowire.ErrOptions) {
		t.Errorf("no backend: %v", err)
	}
	if _, err := mongowire.Start(ctx, mongowire.Options{SQLiteDir: t.TempDir(), PostgreSQLURL: "postgres://x"}); !errors.Is(err, mongowire.ErrOptions) {
		t.Errorf("two backends: %v", err)
	}
	if _, err := mongowire.Start(ctx, mongowire.Options{SQLiteDir: t.TempDir(), Addr: "256.0.0.1:0"}); err == nil {
		t.Errorf("bad address: no error")
	}
	// A PostgreSQL server that is not there fails the start, not the first query.
	tctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	if _, err := mongowire.Start(tctx, mongowire.Options{PostgreSQLURL: "postgres://postgres@127.0.0.1:1/postgres", Logger: quiet}); err == nil {
		t.Errorf("unreachable PostgreSQL: no error")
	}
}
