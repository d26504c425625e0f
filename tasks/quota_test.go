package tasks_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
)

// longKit has a task type whose handler runs until release is closed (or
// its context ends), and counts how many run at once for each user.
type longKit struct {
	long, quick, broken *tasks.Def[echoIn]

	release chan struct{}
	started chan string // owner of each attempt that starts

	mu      sync.Mutex
	running map[string]int
	peak    map[string]int
}

func newLongKit() *longKit {
	return &longKit{
		release: make(chan struct{}), started: make(chan string, 100),
		running: map[string]int{}, peak: map[string]int{},
	}
}

func (k *longKit) defs(*slog.Logger) []tasks.Definition {
	k.long = tasks.Define("quota.long", func(ctx context.Context, p echoIn) (any, error) {
		owner := identity.ID(ctx)
		k.mu.Lock()
		k.running[owner]++
		k.peak[owner] = max(k.peak[owner], k.running[owner])
		k.mu.Unlock()
		defer func() {
			k.mu.Lock()
			k.running[owner]--
			k.mu.Unlock()
		}()
		k.started <- owner
		select {
		case <-k.release:
			return "done", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, tasks.Expose(permRun), tasks.MaxRetry(0))
	k.quick = tasks.Define("quota.quick", func(context.Context, echoIn) (any, error) { return "ok", nil }, tasks.Expose(permRun))
	k.broken = tasks.Define("quota.broken", func(context.Context, echoIn) (any, error) {
		return nil, tasks.Permanent(errors.New("broken"))
	}, tasks.Expose(permRun))
	return []tasks.Definition{k.long, k.quick, k.broken}
}

func (k *longKit) peakOf(owner string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.peak[owner]
}

// TestFairness: one user who floods the queue with long tasks gets at most
// MaxRunningPerUser workers (by default half of them), so another user's
// single task starts at once; the flood's tasks wait as queued (not as
// retries, also those without retries) and all run in the end.
func TestFairness(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newLongKit()
		e := newEnv(t, url, tasks.Options{Concurrency: 4}, k.defs)
		var flood []string
		for range 12 {
			flood = append(flood, e.enqueue("quota.long", "alice", echoIn{Text: "x"}))
		}
		// The flood takes what it may of the workers.
		for range 2 {
			select {
			case <-k.started:
			case <-time.After(10 * time.Second):
				t.Fatal("the flood's tasks did not start")
			}
		}
		enqueued := time.Now()
		id := e.enqueue("quota.long", "bob", echoIn{Text: "y"})
		deadline := time.After(5 * time.Second)
	wait:
		for {
			select {
			case owner := <-k.started:
				if owner == "bob" {
					break wait
				}
			case <-deadline:
				t.Fatalf("bob's task did not start within 5 s of the flood; alice runs %d at once", k.peakOf("alice"))
			}
		}
		t.Logf("bob's task started %v after its enqueue", time.Since(enqueued).Round(time.Millisecond))
		if st := e.status(id, "bob"); st.State != tasks.StateRunning {
			t.Fatalf("bob's task: %+v", st)
		}
		time.Sleep(300 * time.Millisecond) // let deferred attempts come round
		if p := k.peakOf("alice"); p != 2 {
			t.Fatalf("alice ran %d tasks at once, want 2 (half of Concurrency 4)", p)
		}
		// A worker that fetches one of the flood's tasks while alice is at
		// her limit puts it back; in that moment it shows as running. So
		// the count is read until it settles.
		settle := time.Now().Add(10 * time.Second)
		for {
			waiting := 0
			for _, id := range flood {
				st := e.status(id, "alice")
				switch {
				case st.State == tasks.StateQueued && st.Error == "" && st.Retried == 0 && st.LastFailedAt.IsZero():
					waiting++
				case st.State != tasks.StateRunning:
					t.Fatalf("a task of the flood: %+v", st)
				}
			}
			if waiting == 10 {
				break
			}
			if time.Now().After(settle) {
				t.Fatalf("%d of alice's tasks wait, want 10", waiting)
			}
			time.Sleep(50 * time.Millisecond)
		}
		close(k.release)
		owners := map[string]string{id: "bob"}
		for _, id := range flood {
			owners[id] = "alice"
		}
		for id, owner := range owners {
			st := e.waitDone(id, owner, 60*time.Second)
			if st.State != tasks.StateSucceeded || st.Retried != 0 || st.MaxRetry != 0 {
				t.Fatalf("task %+v", st)
			}
		}
		if p := k.peakOf("alice"); p != 2 {
			t.Fatalf("alice ran %d tasks at once, want 2", p)
		}
	})
}

// TestQueuedLimit: a user with MaxQueuedPerUser unfinished tasks cannot
// enqueue more, over HTTP (429 JSON with Retry-After) or from Go (an error
// wrapping ErrTooManyTasks); other users can. A task that succeeds,
// fails, is cancelled while it runs or while it waits counts no more.
func TestQueuedLimit(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newLongKit()
		e := newEnv(t, url, tasks.Options{Concurrency: 4, MaxQueuedPerUser: 3, MaxRunningPerUser: -1}, k.defs)
		refused := func() {
			t.Helper()
			res := e.do("POST", "/tasks/quota.quick", "alice", echoIn{Text: "x"})
			var body webos.ErrorBody
			res.json(t, &body)
			if res.Code != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "5" ||
				!strings.Contains(body.Error, "3 of your tasks have not finished") {
				t.Fatalf("enqueue over the limit: %d (Retry-After %q) %s", res.Code, res.Header.Get("Retry-After"), res.Body)
			}
			_, err := k.quick.Enqueue(contextAs("alice"), echoIn{Text: "x"})
			var ra *webos.RetryAfterError
			if !errors.Is(err, tasks.ErrTooManyTasks) || !errors.Is(err, webos.ErrTooManyRequests) ||
				webos.StatusOf(err) != http.StatusTooManyRequests || !errors.As(err, &ra) || ra.After <= 0 {
				t.Fatalf("Enqueue over the limit: %v", err)
			}
		}

		// Ended tasks, succeeded or failed, count no more.
		for _, typ := range []string{"quota.quick", "quota.broken", "quota.quick", "quota.broken"} {
			e.waitDone(e.enqueue(typ, "alice", echoIn{Text: "x"}), "alice", 20*time.Second)
		}
		running := []string{e.enqueue("quota.long", "alice", echoIn{Text: "x"}), e.enqueue("quota.long", "alice", echoIn{Text: "x"})}
		waiting, err := k.long.Enqueue(contextAs("alice"), echoIn{Text: "x"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		refused()
		if id := e.enqueue("quota.quick", "bob", echoIn{Text: "x"}); e.waitDone(id, "bob", 20*time.Second).State != tasks.StateSucceeded {
			t.Fatal("bob's task did not succeed")
		}

		// Cancelled while running, and while waiting.
		for range running {
			<-k.started
		}
		if res := e.do("DELETE", "/tasks/"+running[0], "alice", nil); res.Code != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		running[0] = e.enqueue("quota.long", "alice", echoIn{Text: "x"})
		refused()
		if res := e.do("DELETE", "/tasks/"+waiting, "alice", nil); res.Code != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		e.enqueue("quota.long", "alice", echoIn{Text: "x"})
		refused()
		close(k.release)
	})
}

// TestCountsSelfHeal: tasks that end without the module noticing (here,
// archived or deleted behind its back, as a worker that died or Redis's
// expiry of finished tasks would leave them) stop counting once the user
// reaches the limit, and do not lock the user out.
func TestCountsSelfHeal(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newLongKit()
		ns := randomName("q")
		e := newEnv(t, url, tasks.Options{Namespace: ns, NoWorker: true, MaxQueuedPerUser: 2}, k.defs)
		var ids []string
		for range 2 {
			id, err := k.quick.Enqueue(contextAs("alice"), echoIn{Text: "x"}, tasks.Delay(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if _, err := k.quick.Enqueue(contextAs("alice"), echoIn{Text: "x"}); !errors.Is(err, tasks.ErrTooManyTasks) {
			t.Fatalf("third enqueue: %v", err)
		}
		insp := asynq.NewInspectorFromRedisClient(e.tasks.Redis())
		if err := insp.ArchiveTask(ns+":"+tasks.DefaultQueue, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := k.quick.Enqueue(contextAs("alice"), echoIn{Text: "x"}); err != nil {
			t.Fatalf("enqueue after a task was archived behind the module's back: %v", err)
		}
		if _, err := k.quick.Enqueue(contextAs("alice"), echoIn{Text: "x"}); !errors.Is(err, tasks.ErrTooManyTasks) {
			t.Fatalf("enqueue over the limit again: %v", err)
		}
	})
}
