package notes

import (
	"context"
	"testing"

	"github.com/webos-go/webos/identity"
)

// TestCountsCache: a user's count is read once and kept, a new note adds
// one, and a count read while a note was added is not kept.
func TestCountsCache(t *testing.T) {
	var c counts
	ctx := identity.With(context.Background(), identity.Subject("u1"))
	reads := 0
	n := int64(3)
	count := func(context.Context) (int64, error) { reads++; return n, nil }
	for range 3 {
		if got, _ := c.get(ctx, count); got != 3 {
			t.Fatalf("count %d", got)
		}
	}
	if reads != 1 {
		t.Fatalf("%d reads, want 1", reads)
	}
	c.added("u1")
	if got, _ := c.get(ctx, count); got != 4 || reads != 1 {
		t.Fatalf("after a new note: %d after %d reads", got, reads)
	}
	// A note added while the count is read: the count read is not kept.
	var fresh counts
	racing := func(context.Context) (int64, error) { reads++; fresh.added("u1"); return 4, nil }
	_, _ = fresh.get(ctx, racing)
	n = 5
	if got, _ := fresh.get(ctx, count); got != 5 {
		t.Fatalf("a count read during a change was kept: %d", got)
	}
}
