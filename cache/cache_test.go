package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/cache"
	"github.com/webos-go/webos/internal/testenv"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// storeKind opens stores of one kind; reopen gives a store over the same
// data, as after a restart or on another instance.
type storeKind struct {
	name string
	// env returns an opener bound to a fresh place for the test.
	env func(t *testing.T) func(t *testing.T) cache.Store
}

func storeKinds() []storeKind {
	return []storeKind{
		{"disk", func(t *testing.T) func(t *testing.T) cache.Store {
			path := filepath.Join(t.TempDir(), "cache.db")
			return func(t *testing.T) cache.Store {
				s, err := cache.OpenDisk(path, nil)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
		}},
		{"redis", func(t *testing.T) func(t *testing.T) cache.Store {
			url := testenv.RedisURL(t)
			var rnd [4]byte
			_, _ = rand.Read(rnd[:])
			prefix := "test:cache:" + hex.EncodeToString(rnd[:]) + ":"
			t.Cleanup(func() {
				s, err := cache.OpenRedis(context.Background(), url, prefix)
				if err == nil {
					_ = s.DeletePrefix(context.Background(), "")
					_ = s.Close()
				}
			})
			return func(t *testing.T) cache.Store {
				s, err := cache.OpenRedis(t.Context(), url, prefix)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
		}},
	}
}

// counted is a memoizable function that counts its calls.
type counted struct {
	calls atomic.Int64
}

func (c *counted) fn(_ context.Context, n int) (string, error) {
	k := c.calls.Add(1)
	return fmt.Sprintf("value of %d (call %d)", n, k), nil
}

func TestMemoize(t *testing.T) {
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			open := kind.env(t)
			for _, c := range memoCases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, open)
				})
			}
		})
	}
}

var memoCases = []struct {
	name string
	run  func(t *testing.T, open func(*testing.T) cache.Store)
}{
	{"second-call-cached", testSecondCall},
	{"survives-reopen", testSurvivesReopen},
	{"ttl", testTTL},
	{"concurrent-one-computation", testConcurrent},
	{"corrupt-recomputed", testCorrupt},
	{"invalidate", testInvalidate},
	{"errors-not-cached", testErrorsNotCached},
}

func newCache(t *testing.T, open func(*testing.T) cache.Store, clock *fakeClock) *cache.Cache {
	opts := cache.Options{}
	if clock != nil {
		opts.Clock = clock.Now
	}
	c := cache.New(open(t), opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testSecondCall(t *testing.T, open func(*testing.T) cache.Store) {
	c := newCache(t, open, nil)
	var fn counted
	m := cache.Memoize(c, "second", time.Hour, fn.fn)
	a, err := m.Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Get(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || fn.calls.Load() != 1 {
		t.Fatalf("%q, %q after %d calls", a, b, fn.calls.Load())
	}
	if _, err := m.Get(t.Context(), 2); err != nil || fn.calls.Load() != 2 {
		t.Fatalf("another argument: %v, %d calls", err, fn.calls.Load())
	}
}

func testSurvivesReopen(t *testing.T, open func(*testing.T) cache.Store) {
	type report struct {
		Title string
		At    time.Time
		Lines []string
	}
	var calls atomic.Int64
	build := func(_ context.Context, title string) (report, error) {
		calls.Add(1)
		return report{Title: title, At: time.Now().UTC(), Lines: []string{"a", "b"}}, nil
	}
	c1 := cache.New(open(t), cache.Options{})
	first, err := cache.Memoize(c1, "report", time.Hour, build).Get(t.Context(), "q1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := newCache(t, open, nil)
	again, err := cache.Memoize(c2, "report", time.Hour, build).Get(t.Context(), "q1")
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || !again.At.Equal(first.At) || again.Title != "q1" || len(again.Lines) != 2 {
		t.Fatalf("after reopening: %+v (first %+v), %d calls", again, first, calls.Load())
	}
}

func testTTL(t *testing.T, open func(*testing.T) cache.Store) {
	clock := newClock()
	c := newCache(t, open, clock)
	var fn counted
	m := cache.Memoize(c, "ttl", 10*time.Minute, fn.fn)
	forever := cache.Memoize(c, "forever", 0, fn.fn)
	get := func(m *cache.Memo[int, string]) {
		t.Helper()
		if _, err := m.Get(t.Context(), 7); err != nil {
			t.Fatal(err)
		}
	}
	get(m)
	get(forever)
	clock.Advance(9 * time.Minute)
	get(m)
	if fn.calls.Load() != 2 {
		t.Fatalf("before expiry: %d calls", fn.calls.Load())
	}
	clock.Advance(time.Minute)
	get(m)
	if fn.calls.Load() != 3 {
		t.Fatalf("at expiry: %d calls", fn.calls.Load())
	}
	clock.Advance(100 * 24 * time.Hour)
	get(forever)
	if fn.calls.Load() != 3 {
		t.Fatalf("no ttl expired: %d calls", fn.calls.Load())
	}
}

func testConcurrent(t *testing.T, open func(*testing.T) cache.Store) {
	c := newCache(t, open, nil)
	var calls atomic.Int64
	release := make(chan struct{})
	m := cache.Memoize(c, "slow", time.Hour, func(ctx context.Context, n int) (int, error) {
		calls.Add(1)
		<-release
		return n * n, nil
	})
	const callers = 50
	var entered atomic.Int64
	var done sync.WaitGroup
	results := make([]int, callers)
	errs := make([]error, callers)
	for i := range callers {
		done.Add(1)
		go func() {
			defer done.Done()
			entered.Add(1)
			results[i], errs[i] = m.Get(context.Background(), 12)
		}()
	}
	// Nothing can finish before release, so every caller that reaches Get
	// meanwhile must either join the one computation or start another:
	// wait until all 50 are in (and a moment for them to get past the
	// counter) before letting the computation end.
	deadline := time.Now().Add(10 * time.Second)
	for entered.Load() < callers || calls.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d callers started", entered.Load())
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	done.Wait()
	for i := range callers {
		if errs[i] != nil || results[i] != 144 {
			t.Fatalf("caller %d: %d, %v", i, results[i], errs[i])
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("%d computations for %d concurrent callers", calls.Load(), callers)
	}
}

func testCorrupt(t *testing.T, open func(*testing.T) cache.Store) {
	c := newCache(t, open, nil)
	var fn counted
	m := cache.Memoize(c, "corrupt", time.Hour, fn.fn)
	ctx := t.Context()
	if _, err := m.Get(ctx, 3); err != nil {
		t.Fatal(err)
	}
	stored, ok, err := c.Store().Get(ctx, m.Key(ctx, 3))
	if err != nil || !ok {
		t.Fatalf("entry not stored: %v", err)
	}
	flipped := append([]byte(nil), stored...)
	flipped[len(flipped)-2] ^= 0x20
	corrupt := map[string]func(){
		"garbage":      func() { _ = c.Store().Set(ctx, m.Key(ctx, 3), []byte("garbage"), time.Hour) },
		"empty":        func() { _ = c.Store().Set(ctx, m.Key(ctx, 3), []byte{}, time.Hour) },
		"bad checksum": func() { _ = c.Store().Set(ctx, m.Key(ctx, 3), flipped, time.Hour) },
		"another type": func() {
			// A sound entry holding a value that is no string.
			other := cache.Memoize(c, "corrupt", time.Hour, func(context.Context, int) (map[string]string, error) {
				return map[string]string{"not": "a string"}, nil
			})
			_ = m.Invalidate(ctx, 3)
			if _, err := other.Get(ctx, 3); err != nil {
				t.Fatal(err)
			}
		},
	}
	for what, spoil := range corrupt {
		spoil()
		before := fn.calls.Load()
		v, err := m.Get(ctx, 3)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if fn.calls.Load() != before+1 || !strings.HasPrefix(v, "value of 3") {
			t.Fatalf("%s: %q, not recomputed", what, v)
		}
		// And stored again, readable.
		if again, err := m.Get(ctx, 3); err != nil || again != v || fn.calls.Load() != before+1 {
			t.Fatalf("after recomputing (%s): %v, %d calls", what, err, fn.calls.Load())
		}
	}
}

func testInvalidate(t *testing.T, open func(*testing.T) cache.Store) {
	c := newCache(t, open, nil)
	var calls atomic.Int64
	thumb := cache.Memoize(c, "thumb", time.Hour, func(_ context.Context, urn string) (string, error) {
		calls.Add(1)
		return "thumbnail of " + urn, nil
	})
	other := cache.Memoize(c, "other", time.Hour, func(_ context.Context, urn string) (string, error) {
		calls.Add(1)
		return urn, nil
	})
	urns := []string{"fs://local/photos/a.jpg", "fs://local/photos/b.jpg", "fs://local/docs/c.pdf", "fs://local/photos[1]/*.jpg"}
	getAll := func() {
		t.Helper()
		for _, u := range urns {
			if _, err := thumb.Get(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			if _, err := other.Get(t.Context(), u); err != nil {
				t.Fatal(err)
			}
		}
	}
	step := func(what string, want int64, invalidate func() error) {
		t.Helper()
		if err := invalidate(); err != nil {
			t.Fatal(err)
		}
		before := calls.Load()
		getAll()
		if got := calls.Load() - before; got != want {
			t.Fatalf("%s: %d recomputed, want %d", what, got, want)
		}
	}
	getAll()
	if thumb.Key(t.Context(), "fs://local/photos/a.jpg") != "thumb:fs://local/photos/a.jpg" {
		t.Fatalf("key = %q", thumb.Key(t.Context(), "fs://local/photos/a.jpg"))
	}
	step("nothing", 0, func() error { return nil })
	step("one key", 1, func() error { return thumb.Invalidate(t.Context(), "fs://local/docs/c.pdf") })
	step("a folder's prefix", 2, func() error { return c.InvalidatePrefix(t.Context(), "thumb:fs://local/photos/") })
	step("a prefix with glob characters", 1, func() error { return c.InvalidatePrefix(t.Context(), "thumb:fs://local/photos[1]/*") })
	step("one memo", 4, func() error { return thumb.InvalidateAll(t.Context()) })
	step("everything", 8, func() error { return c.Clear(t.Context()) })
}

func testErrorsNotCached(t *testing.T, open func(*testing.T) cache.Store) {
	c := newCache(t, open, nil)
	var calls atomic.Int64
	boom := errors.New("boom")
	m := cache.Memoize(c, "flaky", time.Hour, func(_ context.Context, n int) (int, error) {
		if calls.Add(1) == 1 {
			return 0, boom
		}
		return n, nil
	})
	if _, err := m.Get(t.Context(), 5); !errors.Is(err, boom) {
		t.Fatalf("first call: %v", err)
	}
	if v, err := m.Get(t.Context(), 5); err != nil || v != 5 || calls.Load() != 2 {
		t.Fatalf("second call: %d %v after %d calls", v, err, calls.Load())
	}
}

func TestKeys(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	type query struct {
		Folder string            `json:"folder"`
		Tags   map[string]string `json:"tags"`
		Limit  int               `json:"limit"`
	}
	m := cache.Memoize(c, "search", time.Minute, func(context.Context, query) (int, error) { return 0, nil })
	q := query{Folder: "fs://local/<x>&y", Tags: map[string]string{"b": "2", "a": "1"}, Limit: 10}
	want := `search:{"folder":"fs://local/<x>&y","tags":{"a":"1","b":"2"},"limit":10}`
	for range 3 {
		if got := m.Key(t.Context(), q); got != want {
			t.Fatalf("key = %s, want %s", got, want)
		}
	}
	long := cache.Memoize(c, "long", time.Minute, func(context.Context, string) (int, error) { return 0, nil })
	if k := long.Key(t.Context(), strings.Repeat("x", 1000)); len(k) > cache.MaxKeyLen || !strings.HasPrefix(k, "long:#") {
		t.Fatalf("long key %q", k)
	}
	type userID string
	ids := cache.Memoize(c, "user", time.Minute, func(context.Context, userID) (int, error) { return 0, nil })
	if k := ids.Key(t.Context(), "u1"); k != "user:u1" {
		t.Fatalf("named string key %q", k)
	}
	for _, bad := range []string{"", "a:b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Memoize with name %q did not panic", bad)
				}
			}()
			cache.Memoize(c, bad, time.Minute, func(context.Context, int) (int, error) { return 0, nil })
		}()
	}
}

func mustDisk(t *testing.T) *cache.DiskStore {
	t.Helper()
	s, err := cache.OpenDisk(filepath.Join(t.TempDir(), "c.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWaiterCancelled: a caller whose context ends gets its error at once;
// the computation goes on and its result is stored.
func TestWaiterCancelled(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	release := make(chan struct{})
	var calls atomic.Int64
	m := cache.Memoize(c, "slow", time.Hour, func(ctx context.Context, n int) (int, error) {
		calls.Add(1)
		select {
		case <-release:
			return n + 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := m.Get(ctx, 1)
		errc <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	close(release)
	// The next caller joins the same computation or finds its result.
	if v, err := m.Get(t.Context(), 1); err != nil || v != 2 || calls.Load() != 1 {
		t.Fatalf("%d, %v after %d calls", v, err, calls.Load())
	}
}

// TestCloseCancelsComputations: Close cancels what is in flight, waits for
// it, and later calls fail.
func TestCloseCancelsComputations(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	started := make(chan struct{})
	m := cache.Memoize(c, "forever", time.Hour, func(ctx context.Context, n int) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		_, err := m.Get(context.Background(), 1)
		errc <- err
	}()
	<-started
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("in flight: %v", err)
	}
	if _, err := m.Get(context.Background(), 2); !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestPanicBecomesError(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	m := cache.Memoize(c, "panics", time.Hour, func(context.Context, int) (int, error) { panic("kaboom") })
	if _, err := m.Get(t.Context(), 1); err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("err = %v", err)
	}
}

func TestGobCodec(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	type point struct{ X, Y float64 }
	var calls atomic.Int64
	m := cache.Memoize(c, "gob", time.Hour, func(_ context.Context, n int) ([]point, error) {
		calls.Add(1)
		return []point{{1.5, float64(n)}}, nil
	}, cache.WithCodec(cache.Gob))
	for range 2 {
		v, err := m.Get(t.Context(), 4)
		if err != nil || len(v) != 1 || v[0].Y != 4 {
			t.Fatalf("%v %v", v, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls", calls.Load())
	}
}

// TestDiskFileDamaged: an unreadable store file is moved aside and a new
// one started.
func TestDiskFileDamaged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := cache.OpenDisk(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Set(t.Context(), "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("moved aside: %q", matches)
	}
}

func TestDiskSweep(t *testing.T) {
	s := mustDisk(t)
	defer s.Close()
	ctx := t.Context()
	_ = s.Set(ctx, "short", []byte("1"), time.Nanosecond)
	_ = s.Set(ctx, "long", []byte("2"), time.Hour)
	_ = s.Set(ctx, "none", []byte("3"), 0)
	time.Sleep(2 * time.Millisecond)
	n, err := s.Sweep()
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	for k, want := range map[string]bool{"short": false, "long": true, "none": true} {
		if _, ok, _ := s.Get(ctx, k); ok != want {
			t.Errorf("%s present = %v", k, ok)
		}
	}
}

// TestRedisShared: two caches on one Redis, as two instances of an
// application, share entries and invalidations.
func TestRedisShared(t *testing.T) {
	url := testenv.RedisURL(t)
	opts, _ := redis.ParseURL(url)
	client := redis.NewClient(opts)
	defer client.Close()
	prefix := "test:shared:" + t.Name() + ":"
	defer cache.NewRedis(client, prefix).DeletePrefix(context.Background(), "")
	a := cache.New(cache.NewRedis(client, prefix), cache.Options{})
	b := cache.New(cache.NewRedis(client, prefix), cache.Options{})
	defer a.Close()
	defer b.Close()
	var fn counted
	ma, mb := cache.Memoize(a, "shared", time.Hour, fn.fn), cache.Memoize(b, "shared", time.Hour, fn.fn)
	va, _ := ma.Get(t.Context(), 1)
	vb, _ := mb.Get(t.Context(), 1)
	if va != vb || fn.calls.Load() != 1 {
		t.Fatalf("%q %q after %d calls", va, vb, fn.calls.Load())
	}
	if err := ma.Invalidate(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Get(t.Context(), 1); err != nil || fn.calls.Load() != 2 {
		t.Fatalf("after invalidation elsewhere: %v, %d calls", err, fn.calls.Load())
	}
	// The ttl reaches Redis as an expiry.
	ttl, err := client.PTTL(t.Context(), prefix+ma.Key(t.Context(), 1)).Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Fatalf("PTTL = %v, %v", ttl, err)
	}
}

func TestOpenConfig(t *testing.T) {
	dir := t.TempDir()
	c, err := cache.Open(t.Context(), cache.Config{Dir: dir}, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Store().(*cache.DiskStore); !ok {
		t.Fatalf("store %T", c.Store())
	}
	c.Close()
	if _, err := os.Stat(filepath.Join(dir, "cache.db")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := cache.Open(ctx, cache.Config{RedisURL: "redis://127.0.0.1:1/0"}, cache.Options{}); err == nil {
		t.Fatal("unreachable Redis: no error")
	}
	if _, err := cache.Open(t.Context(), cache.Config{RedisURL: "::not a url"}, cache.Options{}); err == nil {
		t.Fatal("bad URL: no error")
	}
}
