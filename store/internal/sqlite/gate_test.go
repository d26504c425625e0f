package sqlite

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
)

// TestGateFirstComeFirstServed checks that the gate admits waiters in the
// order they came, which database/sql's pool does not promise.
func TestGateFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := make(gate, 1)
		ctx := context.Background()
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		var order []int
		done := make(chan struct{})
		const n = 20
		for i := range n {
			go func() {
				if err := g.enter(ctx); err != nil {
					t.Error(err)
					return
				}
				order = append(order, i) // one holder at a time
				if len(order) == n {
					close(done)
				}
				g.leave()
			}()
			synctest.Wait() // waiter i is queued before i+1 comes
		}
		g.leave()
		<-done
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(order, want) {
			t.Fatalf("admitted in order %v", order)
		}
	})
}

// TestGateGivesUpWithTheContext checks that a waiter whose context ends
// leaves the queue with the context's error.
func TestGateGivesUpWithTheContext(t *testing.T) {
	g := make(gate, 1)
	if err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.enter(ctx); err != context.Canceled {
		t.Fatalf("enter with a cancelled context: %v", err)
	}
	g.leave()
	if err := g.enter(context.Background()); err != nil {
		t.Fatalf("the gate is not free again: %v", err)
	}
}
