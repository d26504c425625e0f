package tasks_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/tasks"
)

// heavyKit has a type with two workers of its own whose handler runs
// until release is closed, counting how many run at once and in which
// order they start, and a quick type in the shared queue.
type heavyKit struct {
	release chan struct{}
	started chan string // the text of each task that starts

	mu            sync.Mutex
	running, peak int
	order         []string
}

func newHeavyKit() *heavyKit {
	return &heavyKit{release: make(chan struct{}), started: make(chan string, 100)}
}

func (k *heavyKit) defs(*slog.Logger) []tasks.Definition {
	heavy := tasks.Define("workers.heavy", func(ctx context.Context, p echoIn) (any, error) {
		k.mu.Lock()
		k.running++
		k.peak = max(k.peak, k.running)
		k.order = append(k.order, p.Text)
		k.mu.Unlock()
		defer func() {
			k.mu.Lock()
			k.running--
			k.mu.Unlock()
		}()
		k.started <- p.Text
		select {
		case <-k.release:
			return "done", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, tasks.Expose(permRun), tasks.MaxRetry(0), tasks.Workers(2))
	quick := tasks.Define("workers.quick", func(context.Context, echoIn) (any, error) { return "ok", nil }, tasks.Expose(permRun))
	return []tasks.Definition{heavy, quick}
}

func (k *heavyKit) peakNow() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.peak
}

// TestWorkers: a type with Workers(2) runs at most two tasks at once in
// each worker process, in the order they were enqueued, while its waiting
// tasks hold none of the shared workers (a quick task runs meanwhile) and
// show as plainly queued; all run in the end. Two applications sharing
// the queues on Redis run two each.
func TestWorkers(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newHeavyKit()
		opts := tasks.Options{Concurrency: 4, MaxRunningPerUser: -1, Namespace: randomName("t")}
		a := newEnv(t, url, opts, k.defs)
		b, processes := a, 1
		if url != "" {
			b, processes = newEnv(t, url, opts, k.defs), 2
		}
		want := 2 * processes
		var heavy []string
		for i := range 8 {
			heavy = append(heavy, a.enqueue("workers.heavy", "alice", echoIn{Text: string(rune('a' + i))}))
		}
		for range want {
			select {
			case <-k.started:
			case <-time.After(10 * time.Second):
				t.Fatal("the heavy tasks did not start")
			}
		}
		quick := b.enqueue("workers.quick", "alice", echoIn{Text: "q"})
		if st := b.waitDone(quick, "alice", 10*time.Second); st.State != tasks.StateSucceeded {
			t.Fatalf("a quick task beside the heavy ones: %+v", st)
		}
		running, waiting := 0, 0
		for _, id := range heavy {
			st := a.status(id, "alice")
			switch {
			case st.State == tasks.StateRunning:
				running++
			case st.State == tasks.StateQueued && st.Error == "" && st.Retried == 0 && st.LastFailedAt.IsZero():
				waiting++
			default:
				t.Fatalf("a heavy task: %+v", st)
			}
			if st.Queue != "workers.heavy" {
				t.Errorf("a heavy task is in queue %q, want its own, workers.heavy", st.Queue)
			}
		}
		if running != want || waiting != len(heavy)-want {
			t.Fatalf("%d heavy tasks running and %d waiting, want %d and %d", running, waiting, want, len(heavy)-want)
		}
		close(k.release)
		for _, id := range heavy {
			if st := a.waitDone(id, "alice", 60*time.Second); st.State != tasks.StateSucceeded || st.Retried != 0 {
				t.Fatalf("heavy task %+v", st)
			}
		}
		if p := k.peakNow(); p != want {
			t.Fatalf("%d heavy tasks ran at once in %d processes, want %d", p, processes, want)
		}
		if processes == 1 {
			// Queue order, up to the two workers fetching side by side.
			k.mu.Lock()
			order := strings.Join(k.order, "")
			k.mu.Unlock()
			for i, c := range order {
				if d := i - int(c-'a'); d <= -2 || d >= 2 {
					t.Errorf("the heavy tasks started in the order %q, want the order they were enqueued (give or take a neighbour)", order)
					break
				}
			}
		}
	})
}

// TestWorkersOwnQueue: a type with workers of its own keeps its queue; a
// definition naming a queue too is a programming error.
func TestWorkersOwnQueue(t *testing.T) {
	k := newHeavyKit()
	e := newEnv(t, "", tasks.Options{Concurrency: 2}, k.defs)
	res := e.do("POST", "/tasks/workers.heavy", "alice", echoIn{Text: "x"})
	if res.Code != 202 {
		t.Fatalf("enqueue: %d %s", res.Code, res.Body)
	}
	defer func() {
		if recover() == nil {
			t.Error("Define with Workers and Queue did not panic")
		}
	}()
	tasks.Define("workers.both", func(context.Context, echoIn) (any, error) { return nil, nil }, tasks.Queue("other"), tasks.Workers(1))
}
