package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
)

// TestRetryAndDelete: an administrator runs a cancelled task again and
// deletes a waiting one, both announced to the audit trail; a user may
// do neither, a queued or running task is a conflict.
func TestRetryAndDelete(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		got := make(chan audit.Change, 8)
		stop := bus.On(e.app.Bus(), audit.Topic, func(_ context.Context, _ bus.Envelope, c audit.Change) error {
			got <- c
			return nil
		})
		defer stop()
		alice := identity.With(context.Background(), identity.Subject("alice"))
		admin := identity.With(context.Background(), identity.Subject("admin"))
		id, err := k.echo.Enqueue(alice, echoIn{Text: "again"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		st, err := e.tasks.Status(admin, id)
		if err != nil {
			t.Fatal(err)
		}
		var payload echoIn
		if err := json.Unmarshal(st.Payload, &payload); err != nil || payload.Text != "again" {
			t.Fatalf("payload %s: %v", st.Payload, err)
		}
		if _, err := e.tasks.Retry(alice, id); !errors.Is(err, webos.ErrForbidden) {
			t.Fatalf("Retry as alice: %v", err)
		}
		if err := e.tasks.Delete(alice, id); !errors.Is(err, webos.ErrForbidden) {
			t.Fatalf("Delete as alice: %v", err)
		}
		// A scheduled task runs now.
		if st, err = e.tasks.Retry(admin, id); err != nil || st.State != tasks.StateQueued {
			t.Fatalf("Retry a scheduled task: %+v %v", st, err)
		}
		e.waitDone(id, "alice", 20*time.Second)
		if _, err := e.tasks.Retry(admin, id); !errors.Is(err, webos.ErrConflict) {
			t.Fatalf("Retry a succeeded task: %v", err)
		}
		// A cancelled one runs again, to its end.
		id2, err := k.echo.Enqueue(alice, echoIn{Text: "cancelled"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st, err := e.tasks.Cancel(alice, id2); err != nil || st.State != tasks.StateCancelled {
			t.Fatalf("cancel: %+v %v", st, err)
		}
		if _, err := e.tasks.Retry(admin, id2); err != nil {
			t.Fatalf("Retry a cancelled task: %v", err)
		}
		if st := e.waitDone(id2, "alice", 20*time.Second); st.State != tasks.StateSucceeded {
			t.Fatalf("the retried task: %+v", st)
		}
		// A task waiting for a worker is not retried, but deleted.
		id3, err := k.echo.Enqueue(alice, echoIn{Text: "gone"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.tasks.Delete(admin, id3); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tasks.Status(admin, id3); !errors.Is(err, tasks.ErrNotFound) {
			t.Fatalf("a deleted task: %v", err)
		}
		if err := e.tasks.Delete(admin, id3); !errors.Is(err, tasks.ErrNotFound) {
			t.Fatalf("deleted twice: %v", err)
		}
		want := map[string]string{tasks.ActionRetry + " task:" + id: "", tasks.ActionRetry + " task:" + id2: "", tasks.ActionDelete + " task:" + id3: ""}
		deadline := time.After(5 * time.Second)
		for len(want) > 0 {
			select {
			case c := <-got:
				delete(want, c.Action+" "+c.Target)
			case <-deadline:
				t.Fatalf("not announced: %v", want)
			}
		}
	})
}

// TestMonitorOddKeys: keys of other programs and broken entries in the
// queues' own keys leave the monitor working.
func TestMonitorOddKeys(t *testing.T) {
	k := newKit()
	e := newEnv(t, testenv.RedisURL(t), tasks.Options{Namespace: "odd" + randomName("k")}, k.defs)
	admin := identity.With(context.Background(), identity.Subject("admin"))
	alice := identity.With(context.Background(), identity.Subject("alice"))
	id, err := k.echo.Enqueue(alice, echoIn{Text: "x"}, tasks.Delay(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	qs, err := e.tasks.Queues(admin)
	if err != nil || len(qs) != 1 {
		t.Fatalf("queues: %v %v", qs, err)
	}
	rdb := e.tasks.Redis()
	ctx := context.Background()
	q := qs[0].Queue
	// Foreign keys, of other types, and a queue of another application.
	for key, val := range map[string]string{"foreign:" + id: "x", "asynq:{not-ours}:t:1": "junk", "asynq:queues:junk": "1"} {
		if err := rdb.Set(ctx, key, val, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rdb.Del(context.Background(), key) })
	}
	// An id in the queue's pending list whose task is gone, and a task
	// hash that is not a hash.
	keys, err := rdb.Keys(ctx, "asynq:{*}:t:"+id).Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("the task's key: %v %v", keys, err)
	}
	base := keys[0][:len(keys[0])-len(":t:"+id)]
	if err := rdb.LPush(ctx, base+":pending", "vanished").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, base+":t:vanished", "not a hash", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Del(context.Background(), base+":pending", base+":t:vanished") })
	if _, err := e.tasks.Queues(admin); err != nil {
		t.Fatalf("queues with foreign keys: %v", err)
	}
	if _, err := e.tasks.List(admin, q, "pending", 1, 10); err != nil {
		t.Fatalf("pending with a broken entry: %v", err)
	}
	if list, err := e.tasks.List(admin, q, "scheduled", 1, 10); err != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("list with foreign keys: %v %v", list, err)
	}
	if _, err := e.tasks.List(admin, "no-such-queue", "pending", 1, 10); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("unknown queue: %v", err)
	}
}
