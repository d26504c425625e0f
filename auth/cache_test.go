package auth

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRoles is a role loader that can be held up.
type fakeRoles struct {
	calls atomic.Int32
	gate  chan struct{} // when not nil, a load waits for it or for its context
	mu    sync.Mutex
	ctxs  []context.Context
	perm  atomic.Value // the permission the "user" role grants
}

func (f *fakeRoles) load(ctx context.Context) (map[string][]string, error) {
	p, _ := f.perm.Load().(string) // what the database holds when the query begins
	f.mu.Lock()
	f.ctxs = append(f.ctxs, ctx)
	gate := f.gate
	f.mu.Unlock()
	f.calls.Add(1)
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return map[string][]string{RoleUser: {p}}, nil
}

func (f *fakeRoles) hold() chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = make(chan struct{})
	return f.gate
}

func (f *fakeRoles) release(gate chan struct{}) {
	f.mu.Lock()
	f.gate = nil
	f.mu.Unlock()
	close(gate)
}

type traceKey struct{}

func newTestRoleCache(t *testing.T, f *fakeRoles, clk *fakeClock) *roleCache {
	f.perm.Store("v1")
	c := &roleCache{load: f.load, now: clk.Now, ttl: defaultRoleTTL}
	c.start()
	t.Cleanup(c.stop)
	return c
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func grants(t *testing.T, s *roleSnapshot, err error, want string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.grant([]string{RoleUser}); len(got) != 1 || got[0] != want {
		t.Fatalf("grants %v, want %s", got, want)
	}
}

// While the role query is slow, callers holding stale role definitions get
// them at once instead of queueing behind the query, and only one query
// runs.
func TestRoleCacheServesStaleWhileRefreshing(t *testing.T) {
	f, clk := &fakeRoles{}, &fakeClock{now: time.Now()}
	c := newTestRoleCache(t, f, clk)
	s, err := c.get(context.Background())
	grants(t, s, err, "v1")

	clk.Advance(defaultRoleTTL + time.Second)
	gate := f.hold()
	f.perm.Store("v2")
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			s, err := c.get(ctx)
			if err != nil || s.grant([]string{RoleUser})[0] != "v1" {
				t.Errorf("stale get: %v", err)
			}
		})
	}
	wg.Wait() // none waited for the held query
	for f.calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	f.release(gate)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := c.get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if s.grant([]string{RoleUser})[0] == "v2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the refresh never landed")
		}
		time.Sleep(time.Millisecond)
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("%d loads, want the first and one refresh", n)
	}

	// Too stale to trust: callers wait for the query.
	clk.Advance(defaultRoleTTL + roleMaxStale)
	f.perm.Store("v3")
	s, err = c.get(context.Background())
	grants(t, s, err, "v3")
}

// Without anything cached, callers share one query and each waits only
// as long as its own context allows; the query keeps the first caller's
// values, not its cancellation, and has a deadline of its own.
func TestRoleCacheWaitersKeepTheirContext(t *testing.T) {
	f, clk := &fakeRoles{}, &fakeClock{now: time.Now()}
	c := newTestRoleCache(t, f, clk)
	gate := f.hold()

	impatient, cancel := context.WithTimeout(context.WithValue(context.Background(), traceKey{}, "trace-1"), 50*time.Millisecond)
	defer cancel()
	began := time.Now()
	if _, err := c.get(impatient); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient caller: %v", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Fatalf("the impatient caller waited %v", d)
	}
	results := make(chan error, 5)
	for range 5 {
		go func() {
			s, err := c.get(context.Background())
			if err == nil && s.grant([]string{RoleUser})[0] != "v1" {
				err = errors.New("wrong roles")
			}
			results <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	f.release(gate)
	for range 5 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("%d loads, want one shared", n)
	}
	f.mu.Lock()
	qctx := f.ctxs[0]
	f.mu.Unlock()
	if qctx.Value(traceKey{}) != "trace-1" {
		t.Fatal("the query lost the caller's values")
	}
	if dl, ok := qctx.Deadline(); !ok || time.Until(dl) > roleQueryTimeout {
		t.Fatalf("query deadline %v %v", dl, ok)
	}
	if !errors.Is(qctx.Err(), context.Canceled) {
		t.Fatal("the query's context outlived the query")
	}
}

// After a change, callers wait for definitions loaded after it; a query
// that began before it is not used.
func TestRoleCacheInvalidate(t *testing.T) {
	f, clk := &fakeRoles{}, &fakeClock{now: time.Now()}
	c := newTestRoleCache(t, f, clk)
	gate := f.hold()
	clk.Advance(defaultRoleTTL + time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s, err := c.get(context.Background()) // cold: waits for the held query
		if err != nil || s.grant([]string{RoleUser})[0] != "v1" {
			t.Errorf("first get: %v", err)
		}
	}()
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.invalidate()
	f.perm.Store("v2")
	f.release(gate)
	<-done
	s, err := c.get(context.Background())
	grants(t, s, err, "v2")
}

// Stop ends a query in flight and waits for it.
func TestRoleCacheStop(t *testing.T) {
	f, clk := &fakeRoles{}, &fakeClock{now: time.Now()}
	c := &roleCache{load: f.load, now: clk.Now, ttl: defaultRoleTTL}
	f.perm.Store("v1")
	if _, err := c.get(context.Background()); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("before start: %v", err)
	}
	c.start()
	f.hold()
	errc := make(chan error, 1)
	go func() { _, err := c.get(context.Background()); errc <- err }()
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() { c.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not end the query")
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("get during stop: %v", err)
	}
}

func testEntry(uid string, expires time.Time) (*User, *Token) {
	u := &User{Email: uid + "@example.com", Roles: []string{RoleUser}, Active: true}
	u.ID = uid
	return u, &Token{UserID: uid, ExpiresAt: expires}
}

// The credential cache forgets entries after its TTL or the token's end,
// on invalidation, and never grows past its bound.
func TestCredCache(t *testing.T) {
	now := time.Now()
	c := newCredCache(5*time.Second, 100)
	u, tok := testEntry("u1", now.Add(time.Hour))
	c.put("t1", u, tok, c.generation(), now, now.Add(time.Hour))
	if got, _, ok := c.get("t1", now.Add(4*time.Second)); !ok || got.ID != "u1" {
		t.Fatal("miss within the TTL")
	}
	if _, _, ok := c.get("t1", now.Add(5*time.Second)); ok {
		t.Fatal("hit after the TTL")
	}
	// The token's end and the given limit cut the TTL short.
	u2, tok2 := testEntry("u2", now.Add(time.Second))
	c.put("t2", u2, tok2, c.generation(), now, now.Add(time.Hour))
	if _, _, ok := c.get("t2", now.Add(time.Second)); ok {
		t.Fatal("hit after the token expired")
	}
	c.put("t3", u2, &Token{UserID: "u2", ExpiresAt: now.Add(time.Hour)}, c.generation(), now, now.Add(2*time.Second))
	if _, _, ok := c.get("t3", now.Add(2*time.Second)); ok {
		t.Fatal("hit past the limit")
	}
	// A copy per caller.
	got, _, _ := c.get("t1", now)
	got.Email = "changed"
	_ = append(got.Roles, "admin")
	if again, _, _ := c.get("t1", now); again.Email != "u1@example.com" || len(again.Roles) != 1 || cap(again.Roles) != 1 {
		t.Fatalf("callers share the cached user: %+v", again)
	}

	// An invalidation during the database reads keeps their result out.
	gen := c.generation()
	c.forgetToken("nothing")
	c.put("t4", u, tok, gen, now, now.Add(time.Hour))
	if _, _, ok := c.get("t4", now); ok {
		t.Fatal("stored across an invalidation")
	}

	c.put("t5", u, tok, c.generation(), now, now.Add(time.Hour))
	c.put("t6", u2, &Token{UserID: "u2", ExpiresAt: now.Add(time.Hour)}, c.generation(), now, now.Add(time.Hour))
	c.forgetUser("u1")
	if _, _, ok := c.get("t5", now); ok {
		t.Fatal("user's token kept")
	}
	if _, _, ok := c.get("t6", now); !ok {
		t.Fatal("another user's token dropped")
	}
	c.forgetToken("t6")
	if _, _, ok := c.get("t6", now); ok {
		t.Fatal("revoked token kept")
	}

	// Bounded: expired entries go first, then arbitrary ones.
	c.forgetAll()
	for i := range 50 {
		c.put("old"+strconv.Itoa(i), u, tok, c.generation(), now.Add(-time.Minute), now.Add(time.Hour))
	}
	for i := range 1000 {
		c.put("k"+strconv.Itoa(i), u, tok, c.generation(), now, now.Add(time.Hour))
		if n := c.len(); n > 100 {
			t.Fatalf("%d entries, bound 100", n)
		}
	}
	if _, _, ok := c.get("k999", now); !ok {
		t.Fatal("the newest entry is missing")
	}

	// Off.
	off := newCredCache(-1, 100)
	off.put("t1", u, tok, off.generation(), now, now.Add(time.Hour))
	if off.len() != 0 {
		t.Fatal("a disabled cache stored")
	}
}

// TestCookieCache: a decoded cookie value is remembered for the TTL,
// the cache stays within its size, and a TTL ≤ 0 caches nothing.
func TestCookieCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newCookieCache(time.Second, 2)
	c.put("v1", "s1", now)
	if s, ok := c.get("v1", now.Add(999*time.Millisecond)); !ok || s != "s1" {
		t.Fatalf("within the TTL: %q %v", s, ok)
	}
	if _, ok := c.get("v1", now.Add(time.Second)); ok {
		t.Fatal("found after the TTL")
	}
	c.put("v2", "s2", now)
	c.put("v3", "s3", now)
	if n := len(c.m); n > 2 {
		t.Fatalf("%d entries, bound 2", n)
	}
	if s, ok := c.get("v3", now); !ok || s != "s3" {
		t.Fatal("the newest entry is missing")
	}
	c.forget()
	if _, ok := c.get("v3", now); ok {
		t.Fatal("found after forget")
	}
	off := newCookieCache(-1, 10)
	off.put("v", "s", now)
	if _, ok := off.get("v", now); ok {
		t.Fatal("a cache with TTL ≤ 0 cached")
	}
}
