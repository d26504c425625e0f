package notes

import (
	"context"
	"sync"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
)

// countTTL bounds how old a cached count of a user's notes may be.
const countTTL = 30 * time.Second

// maxCounts bounds how many users' counts are kept.
const maxCounts = 10000

// counts remembers how many notes each user keeps, for the dashboard
// widget that every launchpad shows: counting is a database query that
// reads the user's whole index range, the cached number a map lookup. A
// new note adds one to its author's count on every instance that hears
// notes.created (this one too), and no count is used after countTTL, in
// case an event was lost. The zero value is ready.
type counts struct {
	mu  sync.Mutex
	m   map[string]countEntry
	gen uint64 // incremented by every change, so that a count read before one is not kept
}

type countEntry struct {
	n   int64
	at  time.Time
	gen uint64
}

// get returns the count of the user in ctx, from the cache or from count.
func (c *counts) get(ctx context.Context, count func(context.Context) (int64, error)) (int64, error) {
	user := identity.ID(ctx)
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[user]
	gen := c.gen
	c.mu.Unlock()
	if ok && user != "" && now.Sub(e.at) < countTTL {
		return e.n, nil
	}
	n, err := count(ctx)
	if err != nil || user == "" {
		return n, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= maxCounts {
			c.m = map[string]countEntry{}
		}
		c.m[user] = countEntry{n: n, at: now, gen: gen}
	}
	c.mu.Unlock()
	return n, nil
}

// added counts one more note of user.
func (c *counts) added(user string) {
	c.mu.Lock()
	c.gen++
	if e, ok := c.m[user]; ok {
		e.n++
		c.m[user] = e
	}
	c.mu.Unlock()
}

// Subscriptions count a note in its author's number when an instance (this
// one or another) announces it.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: TopicCreated, Handler: bus.Typed(func(_ context.Context, _ bus.Envelope, n Note) error {
		m.counts.added(n.CreatedBy)
		return nil
	})}}
}
