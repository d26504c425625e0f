package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// Note is the document type of the tests.
type Note struct {
	store.Doc `bson:",inline"`
	Title     string    `bson:"title" json:"title"`
	Body      string    `bson:"body,omitempty" json:"body,omitempty"`
	N         int       `bson:"n" json:"n"`
	Tags      []string  `bson:"tags,omitempty" json:"tags,omitempty"`
	Due       time.Time `bson:"due,omitempty" json:"due,omitzero"`
	Meta      *Meta     `bson:"meta,omitempty" json:"meta,omitempty"`
}

type Meta struct {
	Color string `bson:"color"`
}

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

var nonName = regexp.MustCompile(`[^a-zA-Z0-9_]+`)

// newDB connects to the test server and returns a fresh database of its own,
// dropped when the test ends.
func newDB(t testing.TB, opts ...store.Option) *store.DB {
	t.Helper()
	url := testenv.MongoURL(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.ToLower(nonName.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	name = "t_" + name + "_" + hex.EncodeToString(b)
	ctx := context.Background()
	db, err := store.Connect(ctx, url, name, append([]store.Option{store.WithTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		_ = db.Database().Drop(ctx)
		_ = db.Close(ctx)
	})
	return db
}

func as(user string) context.Context {
	return identity.With(context.Background(), identity.Subject(user))
}
