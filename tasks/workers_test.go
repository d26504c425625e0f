package tasks_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
)

// heavyKit has a type with two workers of its own whose handler runs
// until release is closed, counting how many run at once and in which
// order they start, and a quick type in the shared queue.
type heavyKit struct {
	release chan struct{} // a token ends one running task; closed, every one
	started chan string   // the text of each task that starts

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
		case <-k.release: // one token ends one task
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
// tasks hold none of the shared workers (a quick task runs meanwhile on
// the one shared worker) and show as plainly queued in their own queue;
// all run in the end. Two applications sharing the queues on Redis run
// two each.
func TestWorkers(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newHeavyKit()
		opts := tasks.Options{Concurrency: 1, MaxRunningPerUser: -1, Namespace: randomName("t")}
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
		var first []string
		for range want {
			select {
			case s := <-k.started:
				first = append(first, s)
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
		if processes == 1 {
			// The first two are a and b; each task that ends lets the
			// next in the queue start, in the order they were enqueued.
			if slices.Sort(first); strings.Join(first, "") != "ab" {
				t.Fatalf("the first heavy tasks to start: %q, want a and b", first)
			}
			for i := 2; i < len(heavy); i++ {
				k.release <- struct{}{}
				select {
				case s := <-k.started:
					if want := string(rune('a' + i)); s != want {
						t.Fatalf("after %d heavy tasks ended, %q started, want %q, the next enqueued", i-1, s, want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("after %d heavy tasks ended, no other started", i-1)
				}
			}
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
	})
}

// TestWorkersOwnQueue: a type with workers of its own keeps its queue —
// an enqueue cannot move it elsewhere nor another type into it, and
// neither a definition nor Options.Queues may name it; a definition with
// both Workers and Queue is a programming error.
func TestWorkersOwnQueue(t *testing.T) {
	var heavy, quick *tasks.Def[echoIn]
	defs := func(*slog.Logger) []tasks.Definition {
		heavy = tasks.Define("workers.own", func(context.Context, echoIn) (any, error) { return "ok", nil }, tasks.Workers(1))
		quick = tasks.Define("workers.other", func(context.Context, echoIn) (any, error) { return "ok", nil })
		return []tasks.Definition{heavy, quick}
	}
	e := newEnv(t, "", tasks.Options{Concurrency: 1}, defs)
	ctx := identity.With(context.Background(), identity.Subject("alice"))
	id, err := heavy.Enqueue(ctx, echoIn{Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.waitDone(id, "alice", 10*time.Second); st.Queue != "workers.own" || st.State != tasks.StateSucceeded {
		t.Fatalf("a task of the type: %+v", st)
	}
	if _, err := heavy.Enqueue(ctx, echoIn{Text: "x"}, tasks.Queue(tasks.DefaultQueue)); err == nil {
		t.Error("a task of the type was moved to the default queue")
	}
	if _, err := quick.Enqueue(ctx, echoIn{Text: "x"}, tasks.Queue("workers.own")); err == nil {
		t.Error("another type's task was put in the type's own queue")
	}
	intruder := tasks.Define("workers.intruder", func(context.Context, echoIn) (any, error) { return nil, nil }, tasks.Queue("workers.own"))
	for name, opts := range map[string]tasks.Options{
		"a definition naming it":   {Tasks: append(defs(nil), intruder)},
		"Options.Queues naming it": {Tasks: defs(nil), Queues: map[string]int{"workers.own": 3}},
	} {
		cfg := testConfig(t)
		cfg.DataDir = t.TempDir()
		app := webos.New(cfg, testAuth{}, tasks.New(opts))
		app.SetLogger(slog.New(slog.DiscardHandler))
		if err := app.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "own queue") {
			_ = app.Stop(context.Background())
			t.Errorf("%s: Start = %v, want an error naming the own queue", name, err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Define with Workers and Queue did not panic")
		}
	}()
	tasks.Define("workers.both", func(context.Context, echoIn) (any, error) { return nil, nil }, tasks.Queue("other"), tasks.Workers(1))
}
