package tasks_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/tasks"
)

// TestInProcessRestart: on the in-process Redis, a task that a shutdown
// interrupts runs again after the restart, and the tasks that were waiting
// or had finished are still there, with their status.
func TestInProcessRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var calls atomic.Int32
	started := make(chan string, 4)
	var resume *tasks.Def[echoIn]
	defs := func(log *slog.Logger) []tasks.Definition {
		resume = tasks.Define("test.resume", func(ctx context.Context, p echoIn) (any, error) {
			started <- tasks.ID(ctx)
			if calls.Add(1) == 1 {
				<-ctx.Done() // the first attempt runs until the shutdown
				return nil, ctx.Err()
			}
			return "done " + p.Text, nil
		}, tasks.Expose(permRun))
		return append(newKit().defs(log), resume)
	}
	opts := tasks.Options{Namespace: randomName("t"), ShutdownTimeout: 100 * time.Millisecond}
	e := newEnvIn(t, dir, "", opts, defs)
	finished := e.enqueue("test.echo", "alice", echoIn{Text: "before"})
	e.waitDone(finished, "alice", 20*time.Second)
	later, err := resume.Enqueue(contextAs("alice"), echoIn{Text: "later"}, tasks.Delay(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	interrupted := e.enqueue("test.resume", "alice", echoIn{Text: "x"})
	if got := <-started; got != interrupted {
		t.Fatalf("started %s, want %s", got, interrupted)
	}
	e.stop()
	if _, err := os.Stat(filepath.Join(dir, "tasks-redis.gob")); err != nil {
		t.Fatalf("the in-process Redis saved nothing: %v", err)
	}

	e = newEnvIn(t, dir, "", opts, defs)
	st := e.waitDone(interrupted, "alice", 20*time.Second)
	if st.State != tasks.StateSucceeded || string(st.Result) != `"done x"` || calls.Load() != 2 {
		t.Fatalf("interrupted task after the restart: %+v (%d attempts)", st, calls.Load())
	}
	if st := e.status(later, "alice"); st.State != tasks.StateQueued || st.NextRunAt.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("waiting task after the restart: %+v", st)
	}
	if st := e.status(finished, "alice"); st.State != tasks.StateSucceeded {
		t.Fatalf("finished task after the restart: %+v", st)
	}
	if events := e.stream(finished, "alice", 10*time.Second); events[len(events)-1].Name != "succeeded" {
		t.Fatalf("events of the finished task: %v", events)
	}
}
