package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// Item is the document type of the conformance suite: one field of each
// kind the store compares and sorts.
type Item struct {
	store.Doc `bson:",inline"`
	Title     string         `bson:"title" json:"title"`
	Body      string         `bson:"body,omitempty" json:"body,omitempty"`
	N         int            `bson:"n" json:"n"`
	F         float64        `bson:"f" json:"f"`
	B         bool           `bson:"b" json:"b"`
	At        time.Time      `bson:"at" json:"at"`
	Due       *time.Time     `bson:"due,omitempty" json:"due,omitempty"`
	Tags      []string       `bson:"tags,omitempty" json:"tags,omitempty"`
	Meta      *Meta          `bson:"meta,omitempty" json:"meta,omitempty"`
	Extra     map[string]any `bson:"extra,omitempty" json:"extra,omitempty"`
	Status    Status         `bson:"status" json:"status"`
}

// Meta is a sub-document.
type Meta struct {
	Color string `bson:"color"`
	Size  int    `bson:"size"`
}

// Status is a named string type.
type Status string

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// engine opens fresh databases on one engine.
type engine struct {
	name string
	open func(t testing.TB, opts ...store.Option) *store.DB
}

func sqliteEngine() engine {
	return engine{name: store.EngineSQLite, open: func(t testing.TB, opts ...store.Option) *store.DB {
		t.Helper()
		db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "test.db"), opts...)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close(context.Background()) })
		return db
	}}
}

func mongoEngine() engine {
	return engine{name: store.EngineMongo, open: func(t testing.TB, opts ...store.Option) *store.DB {
		t.Helper()
		url := testenv.MongoURL(t)
		ctx := context.Background()
		db, err := store.ConnectMongo(ctx, url, testenv.DatabaseName("t_store"),
			append([]store.Option{store.WithTimeout(5 * time.Second)}, opts...)...)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		t.Cleanup(func() {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		})
		return db
	}}
}

// engines are the engines a conformance test runs on: SQLite always (it is
// embedded), MongoDB (FerretDB over PostgreSQL in `make test`) unless -short.
func engines() []engine {
	if testing.Short() {
		return []engine{sqliteEngine()}
	}
	return []engine{sqliteEngine(), mongoEngine()}
}

// each runs fn as a subtest on every engine.
func each(t *testing.T, fn func(t *testing.T, e engine)) {
	t.Helper()
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) { fn(t, e) })
	}
}

func as(user string) context.Context {
	return identity.With(context.Background(), identity.Subject(user))
}
