package bus

import "testing"

func TestJobQueueIsFIFOAcrossGrowth(t *testing.T) {
	var q jobQueue
	next, want := 0, 0
	push := func(n int) {
		for range n {
			q.push(job{env: Envelope{Payload: next}})
			next++
		}
	}
	pop := func(n int) {
		for range n {
			if got := q.pop().env.Payload; got != want {
				t.Fatalf("pop = %v, want %d", got, want)
			}
			want++
		}
	}
	push(10)
	pop(7) // the head moves into the ring
	push(30)
	pop(20)
	push(100)
	if q.len() != 113 {
		t.Fatalf("len = %d, want 113", q.len())
	}
	pop(113)
	if q.len() != 0 {
		t.Fatalf("len = %d after draining", q.len())
	}
	push(3)
	if n := q.reset(); n != 3 || q.len() != 0 {
		t.Fatalf("reset = %d, len %d", n, q.len())
	}
}
