package tasks_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
)

// waitHealthy polls GET /health until it answers 200.
func (e *env) waitHealthy(timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		res := e.do("GET", "/health", "", nil)
		if res.Code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("health after %v: %d %s", timeout, res.Code, res.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// queues reads the task monitor's queue list as the administrator.
func (e *env) queues() []tasks.QueueStats {
	e.t.Helper()
	res := e.do("GET", "/tasks/admin/queues", "admin", nil)
	if res.Code != http.StatusOK {
		e.t.Fatalf("queues: %d %s", res.Code, res.Body)
	}
	var qs struct{ Queues []tasks.QueueStats }
	res.json(e.t, &qs)
	return qs.Queues
}

// checkLifecycle enqueues a task over HTTP and follows it to its end through
// status and event stream, and cancels a delayed one.
func checkLifecycle(t *testing.T, e *env, k *kit) {
	t.Helper()
	id := e.enqueue("test.echo", "alice", echoIn{Text: "again"})
	if st := e.waitDone(id, "alice", 20*time.Second); st.State != tasks.StateSucceeded {
		t.Fatalf("status %+v", st)
	}
	events := e.stream(id, "alice", 10*time.Second)
	if last := events[len(events)-1]; last.Name != "succeeded" {
		t.Fatalf("stream ends with %s", last.Name)
	}
	later, err := k.echo.Enqueue(contextAs("alice"), echoIn{Text: "later"}, tasks.Delay(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := e.do("DELETE", "/tasks/"+later, "alice", nil)
	var st tasks.Status
	res.json(t, &st)
	if res.Code != http.StatusOK || st.State != tasks.StateCancelled {
		t.Fatalf("cancel: %d %s", res.Code, res.Body)
	}
}

// TestRedisRestartEmpty: after Redis restarts without its data, or loses
// it while running, new tasks are visible again — status, events, cancel
// and the task monitor — without restarting the application. A fresh
// Redis shows the application's queues, empty, before the first task.
func TestRedisRestartEmpty(t *testing.T) {
	t.Parallel()
	rs := startVolatileRedisServer(t)
	k := newKit()
	e := newEnv(t, rs.url(), tasks.Options{}, k.defs)

	qs := e.queues()
	if len(qs) != 1 || qs[0].Queue != "default" || qs[0].Size != 0 || qs[0].Completed != 0 {
		t.Fatalf("queues of a fresh Redis: %+v", qs)
	}
	checkLifecycle(t, e, k)

	rs.kill()
	rs.start() // empty
	e.waitHealthy(20 * time.Second)
	checkLifecycle(t, e, k)
	if qs := e.queues(); len(qs) != 1 || qs[0].Completed != 1 || qs[0].Archived != 1 {
		t.Fatalf("queues after the restart: %+v", qs)
	}

	// Emptied while running, without a reconnect.
	opts, _ := redis.ParseURL(rs.url())
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if qs := e.queues(); len(qs) != 1 || qs[0].Size != 0 || qs[0].Completed != 0 {
		t.Fatalf("queues after FLUSHALL: %+v", qs)
	}
	checkLifecycle(t, e, k)
}

// redisWait is how long the tests accept an answer to take while Redis does
// not answer: the module's bound on a Redis call, plus slack for a loaded
// machine.
const redisWait = 3*time.Second + 2*time.Second

// TestRedisFrozen: while Redis accepts connections but answers nothing
// (SIGSTOP), every route answers 503 JSON with a generic message and
// Retry-After within the bound, and all works again once Redis does.
func TestRedisFrozen(t *testing.T) {
	t.Parallel()
	rs := startVolatileRedisServer(t)
	k := newKit()
	e := newEnv(t, rs.url(), tasks.Options{}, k.defs)
	ctx := contextAs("alice")
	id, err := k.echo.Enqueue(ctx, echoIn{Text: "later"}, tasks.Delay(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e.status(id, "alice")

	rs.freeze()
	defer rs.thaw()
	reqs := []struct{ method, path, user string }{
		{"DELETE", "/tasks/" + id, "alice"},
		{"GET", "/tasks/admin/queues", "admin"},
		{"GET", "/tasks/admin/queues/default/scheduled", "admin"},
		{"GET", "/tasks/" + id, "alice"},
		{"GET", "/tasks/" + id + "/events", "alice"},
		{"POST", "/tasks/test.echo", "alice"},
	}
	var wg sync.WaitGroup
	for _, r := range reqs {
		wg.Go(func() {
			start := time.Now()
			res := e.do(r.method, r.path, r.user, echoIn{Text: "x"})
			took := time.Since(start)
			var body webos.ErrorBody
			res.json(t, &body)
			if res.Code != http.StatusServiceUnavailable || body.Error == "" || res.Header.Get("Retry-After") == "" {
				t.Errorf("%s %s while Redis is frozen: %d %s (Retry-After %q)", r.method, r.path, res.Code, res.Body, res.Header.Get("Retry-After"))
			}
			if strings.Contains(body.Error, "127.0.0.1") || strings.Contains(body.Error, strconv.Itoa(rs.port)) ||
				strings.Contains(body.Error, "timeout") || strings.Contains(body.Error, "deadline") {
				t.Errorf("%s %s: the error shows internals: %s", r.method, r.path, body.Error)
			}
			if took > redisWait {
				t.Errorf("%s %s answered after %v, want at most %v", r.method, r.path, took, redisWait)
			}
		})
	}
	wg.Go(func() {
		start := time.Now()
		_, err := k.echo.Enqueue(ctx, echoIn{Text: "x"})
		if took := time.Since(start); !errors.Is(err, tasks.ErrUnavailable) || took > redisWait {
			t.Errorf("Enqueue while Redis is frozen: %v after %v", err, took)
		}
	})
	wg.Wait()

	rs.thaw()
	e.waitHealthy(20 * time.Second)
	res := e.do("DELETE", "/tasks/"+id, "alice", nil)
	if res.Code != http.StatusOK {
		t.Fatalf("cancel once Redis answers: %d %s", res.Code, res.Body)
	}
	checkLifecycle(t, e, k)
}
