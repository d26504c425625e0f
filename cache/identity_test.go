package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/cache"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// otherKey stands for another package's copy of the caller's user, such as
// the one auth keeps next to the identity.
type otherKey struct{}

// ownerScoped is a memoizable read whose result depends on who asks, as a
// read of an owner-scoped collection does. It blocks until release is
// closed, so that callers can be made to meet in one computation.
type ownerScoped struct {
	calls   atomic.Int64
	release chan struct{}
	entered chan struct{} // receives once per call
	mu      sync.Mutex
	seen    []string // the trace id and other value each call saw
}

func newOwnerScoped() *ownerScoped {
	o := &ownerScoped{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	close(o.release)
	return o
}

func (o *ownerScoped) fn(ctx context.Context, list string) (string, error) {
	o.calls.Add(1)
	o.entered <- struct{}{}
	<-o.release
	o.mu.Lock()
	other, _ := ctx.Value(otherKey{}).(string)
	o.seen = append(o.seen, trace.ID(ctx)+"|"+other)
	o.mu.Unlock()
	return list + " notes of [" + identity.ID(ctx) + "]", nil
}

func userCtx(t *testing.T, user, traceID string) context.Context {
	ctx := trace.WithID(t.Context(), traceID)
	ctx = context.WithValue(ctx, otherKey{}, user)
	return identity.With(ctx, identity.Subject(user))
}

// TestMemoRunsWithoutCallerIdentity: a memo shared by everyone computes
// without the identity of whoever called first, so one user's data never
// reaches another — neither from the store nor from a shared call in
// flight.
func TestMemoRunsWithoutCallerIdentity(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	o := newOwnerScoped()
	notes := cache.Memoize(c, "notes", time.Hour, o.fn)
	alice, bob := userCtx(t, "alice", "trace-a"), userCtx(t, "bob", "trace-b")

	got, err := notes.Get(alice, "recent")
	if err != nil {
		t.Fatal(err)
	}
	if want := "recent notes of []"; got != want {
		t.Fatalf("alice got %q, want %q: the shared function ran as its caller", got, want)
	}
	if got, err := notes.Get(bob, "recent"); err != nil || got != "recent notes of []" {
		t.Fatalf("bob got %q, %v", got, err)
	}
	if o.calls.Load() != 1 {
		t.Fatalf("%d calls, want 1 shared", o.calls.Load())
	}
	if o.seen[0] != "trace-a|" {
		t.Fatalf("the function saw trace id and caller value %q, want the trace id only", o.seen[0])
	}

	// Two users meeting in one call in flight.
	o.release = make(chan struct{})
	res := make(chan string, 2)
	go func() { v, _ := notes.Get(alice, "starred"); res <- v }()
	<-o.entered // alice's call is running
	go func() { v, _ := notes.Get(bob, "starred"); res <- v }()
	close(o.release)
	for range 2 {
		if v := <-res; v != "starred notes of []" {
			t.Fatalf("a caller got %q from the shared call", v)
		}
	}
}

// TestMemoPerUser: a PerUser memo keeps each user's results apart and runs
// the function as the caller.
func TestMemoPerUser(t *testing.T) {
	c := cache.New(mustDisk(t), cache.Options{})
	defer c.Close()
	o := newOwnerScoped()
	notes := cache.Memoize(c, "notes", time.Hour, o.fn, cache.PerUser())
	alice, bob := userCtx(t, "alice", "trace-a"), userCtx(t, "bob", "trace-b")
	anon := trace.WithID(t.Context(), "trace-0")

	get := func(ctx context.Context, want string) {
		t.Helper()
		if got, err := notes.Get(ctx, "recent"); err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	get(alice, "recent notes of [alice]")
	get(bob, "recent notes of [bob]")
	get(anon, "recent notes of []")
	get(alice, "recent notes of [alice]")
	get(bob, "recent notes of [bob]")
	if o.calls.Load() != 3 {
		t.Fatalf("%d calls, want one per user", o.calls.Load())
	}
	if o.seen[0] != "trace-a|" {
		t.Fatalf("the function saw %q, want the trace id and no other caller value", o.seen[0])
	}
	if k := notes.Key(alice, "recent"); k != "notes:@alice:recent" {
		t.Fatalf("key %q", k)
	}
	if k := notes.Key(identity.With(t.Context(), identity.Subject("a:b@c")), "x"); k != "notes:@a%3Ab%40c:x" {
		t.Fatalf("key of a user id with separators %q", k)
	}
	if k := notes.Key(anon, "recent"); k != "notes:@:recent" {
		t.Fatalf("key without a user %q", k)
	}

	// Invalidate drops the caller's entry only.
	if err := notes.Invalidate(alice, "recent"); err != nil {
		t.Fatal(err)
	}
	get(bob, "recent notes of [bob]")
	get(alice, "recent notes of [alice]")
	if o.calls.Load() != 4 {
		t.Fatalf("%d calls after invalidating alice's entry, want 4", o.calls.Load())
	}

	// Two users at once get a call each, not one shared.
	o.release = make(chan struct{})
	res := make(chan string, 2)
	go func() { v, _ := notes.Get(alice, "starred"); res <- v }()
	go func() { v, _ := notes.Get(bob, "starred"); res <- v }()
	<-o.entered
	<-o.entered
	close(o.release)
	got := map[string]bool{<-res: true, <-res: true}
	if !got["starred notes of [alice]"] || !got["starred notes of [bob]"] {
		t.Fatalf("concurrent users got %v", got)
	}

	if err := notes.InvalidateAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	before := o.calls.Load()
	get(alice, "recent notes of [alice]")
	get(bob, "recent notes of [bob]")
	if o.calls.Load() != before+2 {
		t.Fatalf("InvalidateAll left entries: %d calls", o.calls.Load()-before)
	}
}
