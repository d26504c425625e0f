package auth

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Role definitions are cached per instance. A snapshot younger than the
// cache's ttl (Config.CredentialCacheTTL, or defaultRoleTTL when that is
// off) is used as it is; an older one, up to roleMaxStale more, is still used
// while one background query refreshes it, so that a slow database never
// makes requests wait for role definitions they already have. Past that, or
// after a change, callers wait for the query, each as long as its own
// context allows. The query runs at most roleQueryTimeout.
const (
	defaultRoleTTL   = 5 * time.Second
	roleMaxStale     = time.Minute
	roleQueryTimeout = 3 * time.Second
)

// roleSnapshot is every role's permissions as loaded at one time.
type roleSnapshot struct {
	perms map[string][]string
	at    time.Time
	gen   uint64 // the cache's generation when the load began
}

// roleCache caches the role definitions (see roleTTL). Its zero value is
// not usable: set load, now and log.
type roleCache struct {
	load func(ctx context.Context) (map[string][]string, error)
	now  func() time.Time
	log  func(ctx context.Context, err error)
	ttl  time.Duration

	snap   atomic.Pointer[roleSnapshot]
	gen    atomic.Uint64 // moves on with every invalidation
	flight singleflight.Group

	mu         sync.Mutex
	life       context.Context // cancelled by stop; ends queries in flight
	end        context.CancelFunc
	refreshing bool
	wg         sync.WaitGroup // goroutines that run or wait for a query
}

// start makes the cache usable; stop ends it.
func (c *roleCache) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.life, c.end = context.WithCancel(context.Background())
}

// stop cancels the queries in flight, waits for their goroutines and
// forgets the cached roles.
func (c *roleCache) stop() {
	c.mu.Lock()
	end := c.end
	c.life, c.end = nil, nil
	c.mu.Unlock()
	if end != nil {
		end()
	}
	c.wg.Wait()
	c.invalidate()
}

// invalidate makes the next get wait for fresh role definitions.
func (c *roleCache) invalidate() {
	c.gen.Add(1)
	c.snap.Store(nil)
}

// get returns the role definitions.
func (c *roleCache) get(ctx context.Context) (*roleSnapshot, error) {
	gen := c.gen.Load()
	if s := c.snap.Load(); s != nil && s.gen == gen {
		switch age := c.now().Sub(s.at); {
		case age < c.ttl:
			return s, nil
		case age < c.ttl+roleMaxStale:
			c.refreshInBackground(ctx, gen)
			return s, nil
		}
	}
	ch, err := c.query(ctx, gen)
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*roleSnapshot), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refreshInBackground starts a query unless one is running already;
// a failure is logged, and the stale snapshot stays in use.
func (c *roleCache) refreshInBackground(ctx context.Context, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refreshing || c.life == nil {
		return
	}
	c.refreshing = true
	c.goQuery(ctx, gen, func(r singleflight.Result) {
		if r.Err != nil && c.log != nil {
			c.log(ctx, r.Err)
		}
		c.mu.Lock()
		c.refreshing = false
		c.mu.Unlock()
	})
}

// query joins the query for generation gen, starting it if none runs,
// and returns where its result arrives.
func (c *roleCache) query(ctx context.Context, gen uint64) (<-chan singleflight.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.life == nil {
		return nil, ErrNotStarted
	}
	ch := make(chan singleflight.Result, 1)
	c.goQuery(ctx, gen, func(r singleflight.Result) { ch <- r })
	return ch, nil
}

// goQuery joins or starts the query for generation gen in a goroutine of
// the cache and passes its result to done. The query keeps ctx's values
// (the trace id) but not its cancellation, since other callers may wait
// for it too; it is bounded by roleQueryTimeout and ends when the cache
// stops. c.mu is held and the cache is started.
func (c *roleCache) goQuery(ctx context.Context, gen uint64, done func(singleflight.Result)) {
	life := c.life
	c.wg.Go(func() {
		v, err, _ := c.flight.Do(strconv.FormatUint(gen, 10), func() (any, error) {
			qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), roleQueryTimeout)
			defer cancel()
			defer context.AfterFunc(life, cancel)()
			began := c.now()
			perms, err := c.load(qctx)
			if err != nil {
				return nil, err
			}
			s := &roleSnapshot{perms: perms, at: began, gen: gen}
			for {
				// Keep a newer snapshot, and store none for a generation
				// that was invalidated meanwhile.
				old := c.snap.Load()
				if (old != nil && old.gen > gen) || c.gen.Load() != gen || c.snap.CompareAndSwap(old, s) {
					break
				}
			}
			return s, nil
		})
		done(singleflight.Result{Val: v, Err: err})
	})
}

// credEntry is a verified token with its user, permissions resolved.
type credEntry struct {
	user  User
	token Token
	until time.Time // when the entry must be checked against the database again
}

// credCache maps token ids (hashes) to what the database said about them
// a short time ago (see [Config.CredentialCacheTTL]). It is bounded; when
// full, expired entries go first, then arbitrary ones.
type credCache struct {
	ttl time.Duration // <= 0: off
	max int

	mu      sync.RWMutex
	entries map[string]*credEntry
	gen     uint64 // moves on with every invalidation
}

func newCredCache(ttl time.Duration, size int) *credCache {
	return &credCache{ttl: ttl, max: size, entries: make(map[string]*credEntry)}
}

// get returns copies of the cached user and token of id, if they may still
// be used at now.
func (c *credCache) get(id string, now time.Time) (*User, *Token, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) || !e.token.Valid(now) {
		return nil, nil, false
	}
	u, t := e.user, e.token
	return &u, &t, true
}

// generation returns the current generation, to pass to put: read it
// before reading the database, so that an invalidation that arrives while
// the reads run keeps their result out of the cache.
func (c *credCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put caches u and t under id until the earlier of now + ttl and until,
// unless something was invalidated since generation gen.
func (c *credCache) put(id string, u *User, t *Token, gen uint64, now, until time.Time) {
	if c.ttl <= 0 {
		return
	}
	until = minTime(until, now.Add(c.ttl), t.ExpiresAt)
	if !now.Before(until) {
		return
	}
	e := &credEntry{user: *u, token: *t, until: until}
	// Clip the shared slices, so that a caller appending to its copy
	// allocates instead of writing into another request's.
	e.user.Roles = slices.Clip(e.user.Roles)
	e.user.Permissions = slices.Clip(e.user.Permissions)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if _, ok := c.entries[id]; !ok && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[id] = e
}

// evict makes room for at least one entry. c.mu is held.
func (c *credCache) evict(now time.Time) {
	for id, e := range c.entries {
		if !now.Before(e.until) {
			delete(c.entries, id)
		}
	}
	// Still full: drop an eighth, in map order, which is arbitrary.
	for id := range c.entries {
		if len(c.entries) < c.max-c.max/8 {
			break
		}
		delete(c.entries, id)
	}
}

// forgetToken drops the entry of the token id.
func (c *credCache) forgetToken(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, id)
}

// forgetUser drops the entries of the user's tokens.
func (c *credCache) forgetUser(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for id, e := range c.entries {
		if e.user.ID == userID {
			delete(c.entries, id)
		}
	}
}

// forgetAll empties the cache.
func (c *credCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

func (c *credCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

func minTime(t time.Time, ts ...time.Time) time.Time {
	for _, u := range ts {
		if u.Before(t) {
			t = u
		}
	}
	return t
}
