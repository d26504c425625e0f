package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/trace"
)

// backends runs fn against the test Redis server and against the
// in-process Redis.
func backends(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		fn(t, testenv.RedisURL(t))
	})
	t.Run("in-process", func(t *testing.T) {
		t.Parallel()
		fn(t, "")
	})
}

type echoIn struct {
	Text string `json:"text" validate:"required,max=50"`
}

type echoOut struct {
	Text    string `json:"text"`
	User    string `json:"user"`
	Trace   string `json:"trace"`
	TaskID  string `json:"task_id"`
	Retried int    `json:"retried"`
}

type stepsIn struct {
	Steps   int `json:"steps" validate:"min=1,max=50"`
	DelayMS int `json:"delay_ms" validate:"min=0,max=1000"`
}

// kit is a set of task definitions the tests use.
type kit struct {
	echo, fail, permanent, block, slow, hidden *tasks.Def[echoIn]
	stepsDef                                   *tasks.Def[stepsIn]

	failCalls  atomic.Int32
	blockCalls atomic.Int32
	blockSaw   chan error // what block's handler saw when it ended
	started    chan string
}

func newKit() *kit {
	k := &kit{blockSaw: make(chan error, 10), started: make(chan string, 10)}
	return k
}

func (k *kit) defs(log *slog.Logger) []tasks.Definition {
	k.echo = tasks.Define("test.echo", func(ctx context.Context, p echoIn) (any, error) {
		log.InfoContext(ctx, "echo ran", "text", p.Text)
		return echoOut{Text: p.Text, User: identity.ID(ctx), Trace: trace.ID(ctx), TaskID: tasks.ID(ctx)}, nil
	}, tasks.Expose(permRun))
	k.stepsDef = tasks.Define("test.steps", func(ctx context.Context, p stepsIn) (any, error) {
		for i := range p.Steps {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(p.DelayMS) * time.Millisecond):
			}
			if err := tasks.Progress(ctx, (i+1)*100/p.Steps, fmt.Sprintf("step %d of %d", i+1, p.Steps)); err != nil {
				return nil, err
			}
		}
		return map[string]int{"rows": p.Steps}, nil
	}, tasks.Expose(permRun))
	k.fail = tasks.Define("test.fail", func(ctx context.Context, p echoIn) (any, error) {
		n := k.failCalls.Add(1)
		return nil, fmt.Errorf("boom %d", n)
	}, tasks.Expose(permRun), tasks.MaxRetry(2), tasks.Backoff(func(int, error) time.Duration { return 0 }))
	k.permanent = tasks.Define("test.permanent", func(ctx context.Context, p echoIn) (any, error) {
		k.failCalls.Add(1)
		return nil, tasks.Permanent(errors.New("bad input: " + p.Text))
	}, tasks.Expose(permRun), tasks.MaxRetry(5))
	k.block = tasks.Define("test.block", func(ctx context.Context, p echoIn) (any, error) {
		k.blockCalls.Add(1)
		k.started <- tasks.ID(ctx)
		_ = tasks.Progress(ctx, 10, "waiting")
		<-ctx.Done()
		k.blockSaw <- ctx.Err()
		return nil, ctx.Err()
	}, tasks.Expose(permRun), tasks.MaxRetry(3), tasks.Backoff(func(int, error) time.Duration { return 0 }))
	k.slow = tasks.Define("test.slow", func(ctx context.Context, p echoIn) (any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, tasks.Expose(permRun), tasks.MaxRetry(0), tasks.Timeout(time.Second))
	k.hidden = tasks.Define("test.hidden", func(ctx context.Context, p echoIn) (any, error) {
		return "ok", nil
	})
	return []tasks.Definition{k.echo, k.stepsDef, k.fail, k.permanent, k.block, k.slow, k.hidden}
}

// TestContextPropagation: a task enqueued over HTTP by a user runs with
// that user and the request's trace id in its context and its log lines.
func TestContextPropagation(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		const traceID = "0af7651916cd43dd8448eb211c80319c"
		id := e.enqueue("test.echo", "alice", echoIn{Text: "hi"},
			"Traceparent", "00-"+traceID+"-b7ad6b7169203331-01")
		st := e.waitDone(id, "alice", 20*time.Second)
		if st.State != tasks.StateSucceeded || st.Owner != "alice" || st.TraceID != traceID || st.Percent != 100 {
			t.Fatalf("status %+v", st)
		}
		var out echoOut
		if err := json.Unmarshal(st.Result, &out); err != nil {
			t.Fatal(err)
		}
		if out.User != "alice" || out.Trace != traceID || out.TaskID != id || out.Text != "hi" {
			t.Fatalf("handler saw %+v", out)
		}
		for _, msg := range []string{"echo ran", "task started", "task succeeded"} {
			recs := e.logs.records(msg)
			if len(recs) != 1 {
				t.Fatalf("%d %q log lines", len(recs), msg)
			}
			if recs[0]["user_id"] != "alice" || recs[0]["trace_id"] != traceID {
				t.Fatalf("%q log line lacks the ids: %v", msg, recs[0])
			}
		}
		if !st.EnqueuedAt.After(time.Now().Add(-time.Minute)) {
			t.Fatalf("enqueued_at %v", st.EnqueuedAt)
		}
	})
}

// TestProgressStream: a long task reports 0 → 100 %; its event stream
// delivers the steps in order and ends with success.
func TestProgressStream(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.steps", "alice", stepsIn{Steps: 10, DelayMS: 30})
		events := e.stream(id, "alice", 30*time.Second)
		var kinds []string
		var percents []int
		for _, ev := range events {
			kinds = append(kinds, ev.Name)
			if ev.Name == "progress" {
				var p tasks.Event
				if err := json.Unmarshal(ev.Data, &p); err != nil {
					t.Fatal(err)
				}
				percents = append(percents, p.Percent)
				if want := fmt.Sprintf("step %d of 10", len(percents)); p.Message != want || p.ID != id || p.State != tasks.StateRunning {
					t.Fatalf("progress event %+v, want message %q", p, want)
				}
			}
		}
		if want := []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}; !slices.Equal(percents, want) {
			t.Fatalf("progress %v, want %v (events %v)", percents, want, kinds)
		}
		if kinds[len(kinds)-1] != "succeeded" || !slices.Contains(kinds, "started") {
			t.Fatalf("events %v", kinds)
		}
		var last tasks.Event
		_ = json.Unmarshal(events[len(events)-1].Data, &last)
		if last.State != tasks.StateSucceeded || last.Percent != 100 || string(last.Result) != `{"rows":10}` {
			t.Fatalf("last event %+v", last)
		}
		st := e.status(id, "alice")
		if st.State != tasks.StateSucceeded || st.Message != "step 10 of 10" || string(st.Result) != `{"rows":10}` {
			t.Fatalf("status %+v", st)
		}

		// Reconnecting with Last-Event-ID resumes after that event.
		mid := events[len(events)-3]
		rest := e.stream(id, "alice", 10*time.Second, "Last-Event-ID", mid.ID)
		if len(rest) != 2 || rest[1].Name != "succeeded" {
			t.Fatalf("resumed stream: %v", rest)
		}
		// Reconnecting after the end: 204, so that EventSource stops.
		if res := e.do("GET", "/tasks/"+id+"/events", "alice", nil, "Last-Event-ID", rest[1].ID); res.Code != http.StatusNoContent {
			t.Fatalf("reconnect after the end: %d %s", res.Code, res.Body)
		}
		// A finished task's stream replays its log and ends.
		if again := e.stream(id, "alice", 10*time.Second); len(again) != len(withoutStatus(events)) || again[0].Name != "started" {
			t.Fatalf("replay has %d events, want %d", len(again), len(withoutStatus(events)))
		}
	})
}

// TestProgressRunning: status shows a running task's progress.
func TestProgressRunning(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.block", "alice", echoIn{Text: "x"})
		<-k.started
		deadline := time.Now().Add(10 * time.Second)
		for {
			st := e.status(id, "alice")
			if st.State == tasks.StateRunning && st.Percent == 10 && st.Message == "waiting" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("status %+v", st)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if res := e.do("DELETE", "/tasks/"+id, "alice", nil); res.Code != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
	})
}

// TestRetriesThenFail: a failing task is retried MaxRetry times, then
// shows failed with its error.
func TestRetriesThenFail(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.fail", "alice", echoIn{Text: "x"})
		events := e.stream(id, "alice", 60*time.Second)
		st := e.status(id, "alice")
		if st.State != tasks.StateFailed || st.Retried != 2 || st.MaxRetry != 2 || st.Error != "boom 3" {
			t.Fatalf("status %+v", st)
		}
		if n := k.failCalls.Load(); n != 3 {
			t.Fatalf("%d attempts, want 3", n)
		}
		var kinds []string
		for _, ev := range withoutStatus(events) {
			kinds = append(kinds, ev.Name)
		}
		want := []string{"started", "retrying", "started", "retrying", "started", "failed"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("events %v, want %v", kinds, want)
		}
		var last tasks.Event
		_ = json.Unmarshal(events[len(events)-1].Data, &last)
		if last.Error != "boom 3" || last.Retried != 2 {
			t.Fatalf("failed event %+v", last)
		}
	})
}

// TestPermanentFailure: a permanent failure fails the task at once.
func TestPermanentFailure(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.permanent", "alice", echoIn{Text: "x"})
		st := e.waitDone(id, "alice", 20*time.Second)
		if st.State != tasks.StateFailed || st.Retried != 0 || st.Error != "bad input: x" {
			t.Fatalf("status %+v", st)
		}
		// Failed is asynq's archive, which no attempt leaves.
		if n := k.failCalls.Load(); n != 1 {
			t.Fatalf("%d attempts, want 1", n)
		}
	})
}

// TestTimeout: an attempt that runs past its timeout fails.
func TestTimeout(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.slow", "alice", echoIn{Text: "x"})
		st := e.waitDone(id, "alice", 20*time.Second)
		if st.State != tasks.StateFailed || !strings.Contains(st.Error, "deadline exceeded") {
			t.Fatalf("status %+v", st)
		}
	})
}

// TestCancelRunning: cancel stops a running task, which is not retried.
func TestCancelRunning(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.block", "alice", echoIn{Text: "x"})
		if got := <-k.started; got != id {
			t.Fatalf("started %s, want %s", got, id)
		}
		res := e.do("DELETE", "/tasks/"+id, "alice", nil)
		if res.Code != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		var st tasks.Status
		res.json(t, &st)
		if st.State != tasks.StateCancelled || !st.CancelRequested || st.Error != tasks.ErrCancelled.Error() {
			t.Fatalf("status after cancel %+v", st)
		}
		select {
		case err := <-k.blockSaw:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("handler saw %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("handler's context was not cancelled")
		}
		events := e.stream(id, "alice", 10*time.Second)
		if last := events[len(events)-1]; last.Name != "cancelled" {
			t.Fatalf("stream ends with %s", last.Name)
		}
		e.waitArchived(id, 10*time.Second) // no attempt leaves the archive
		if n := k.blockCalls.Load(); n != 1 {
			t.Fatalf("%d attempts, want 1", n)
		}
		if st := e.status(id, "alice"); st.State != tasks.StateCancelled || st.Retried != 0 {
			t.Fatalf("status %+v (one attempt, no retry)", st)
		}
		// Cancelling again: it has ended.
		if res := e.do("DELETE", "/tasks/"+id, "alice", nil); res.Code != http.StatusConflict {
			t.Fatalf("second cancel: %d %s", res.Code, res.Body)
		}
	})
}

// TestCancelWaiting: cancel ends a task that has not started.
func TestCancelWaiting(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id, err := k.echo.Enqueue(identity.With(context.Background(), identity.Subject("alice")), echoIn{Text: "later"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st := e.status(id, "alice"); st.State != tasks.StateQueued || st.NextRunAt.Before(time.Now().Add(50*time.Minute)) {
			t.Fatalf("status %+v", st)
		}
		res := e.do("DELETE", "/tasks/"+id, "alice", nil)
		var st tasks.Status
		res.json(t, &st)
		if res.Code != http.StatusOK || st.State != tasks.StateCancelled {
			t.Fatalf("cancel: %d %s", res.Code, res.Body)
		}
		events := e.stream(id, "alice", 10*time.Second)
		if len(events) != 1 || events[0].Name != "cancelled" {
			t.Fatalf("events %v", events)
		}
	})
}

// TestOwnerOnly: another user cannot read, stream or cancel a task (404
// JSON); an administrator can.
func TestOwnerOnly(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.echo", "alice", echoIn{Text: "secret"})
		e.waitDone(id, "alice", 20*time.Second)
		for _, req := range [][2]string{{"GET", "/tasks/" + id}, {"GET", "/tasks/" + id + "/events"}, {"DELETE", "/tasks/" + id}} {
			res := e.do(req[0], req[1], "bob", nil)
			var body struct{ Error string }
			res.json(t, &body)
			if res.Code != http.StatusNotFound || !strings.Contains(body.Error, "not found") {
				t.Fatalf("%s %s as bob: %d %s", req[0], req[1], res.Code, res.Body)
			}
		}
		// The same answer as for a task that does not exist.
		if res := e.do("GET", "/tasks/no-such-task", "bob", nil); res.Code != http.StatusNotFound {
			t.Fatalf("unknown task: %d", res.Code)
		}
		if st := e.status(id, "admin"); st.Owner != "alice" || st.State != tasks.StateSucceeded {
			t.Fatalf("admin reads %+v", st)
		}
		// Go API: the same rules.
		if _, err := e.tasks.Status(identity.With(context.Background(), identity.Subject("bob")), id); !errors.Is(err, tasks.ErrNotFound) {
			t.Fatalf("Status as bob: %v", err)
		}
		if _, err := e.tasks.Status(context.Background(), id); !errors.Is(err, tasks.ErrNotFound) {
			t.Fatalf("Status without a user: %v", err)
		}
	})
}

// TestEnqueueHTTPErrors: what HTTP enqueues refuse.
func TestEnqueueHTTPErrors(t *testing.T) {
	k := newKit()
	e := newEnv(t, "", tasks.Options{}, func(log *slog.Logger) []tasks.Definition {
		guarded := tasks.Define("test.guarded", func(context.Context, echoIn) (any, error) { return nil, nil },
			tasks.Expose("test.admins-only"))
		return append(k.defs(log), guarded)
	})
	cases := []struct {
		name, typ, user, body string
		code                  int
	}{
		{"anonymous", "test.echo", "", `{"text":"x"}`, http.StatusUnauthorized},
		{"unknown type", "test.nope", "alice", `{"text":"x"}`, http.StatusNotFound},
		{"not exposed", "test.hidden", "alice", `{"text":"x"}`, http.StatusNotFound},
		{"malformed", "test.echo", "alice", `{"text":`, http.StatusBadRequest},
		{"unknown field", "test.echo", "alice", `{"text":"x","extra":1}`, http.StatusBadRequest},
		{"invalid", "test.echo", "alice", `{"text":""}`, http.StatusUnprocessableEntity},
		{"empty body is the zero payload", "test.echo", "alice", ``, http.StatusUnprocessableEntity},
		{"valid", "test.echo", "alice", `{"text":"x"}`, http.StatusAccepted},
		{"authorized", "test.guarded", "admin", `{"text":"x"}`, http.StatusAccepted},
		{"not authorized", "test.guarded", "alice", `{"text":"x"}`, http.StatusForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/tasks/"+c.typ, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			if c.user != "" {
				req.Header.Set("X-Test-User", c.user)
			}
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.code || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("%d %s, want %d JSON", res.StatusCode, res.Header.Get("Content-Type"), c.code)
			}
		})
	}
}

// TestMonitor: administrators see queues and tasks by state.
func TestMonitor(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		id := e.enqueue("test.echo", "alice", echoIn{Text: "x"})
		e.waitDone(id, "alice", 20*time.Second)
		if res := e.do("GET", "/tasks/admin/queues", "alice", nil); res.Code != http.StatusForbidden {
			t.Fatalf("queues as alice: %d", res.Code)
		}
		res := e.do("GET", "/tasks/admin/queues", "admin", nil)
		var qs struct{ Queues []tasks.QueueStats }
		res.json(t, &qs)
		if res.Code != http.StatusOK || len(qs.Queues) != 1 || qs.Queues[0].Queue != "default" || qs.Queues[0].Completed != 1 {
			t.Fatalf("queues: %d %s", res.Code, res.Body)
		}
		res = e.do("GET", "/tasks/admin/queues/default/completed?size=10", "admin", nil)
		var list struct{ Tasks []tasks.Status }
		res.json(t, &list)
		if res.Code != http.StatusOK || len(list.Tasks) != 1 || list.Tasks[0].ID != id {
			t.Fatalf("completed: %d %s", res.Code, res.Body)
		}
		if res := e.do("GET", "/tasks/admin/queues/default/bogus", "admin", nil); res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad state: %d", res.Code)
		}
	})
}

// TestEnqueueGo: Enqueue from Go code, with per-task options.
func TestEnqueueGo(t *testing.T) {
	k := newKit()
	e := newEnv(t, "", tasks.Options{}, k.defs)
	ctx := identity.With(trace.WithID(context.Background(), "abc"), identity.Subject("carol"))
	id, err := k.hidden.Enqueue(ctx, echoIn{Text: "x"}, tasks.MaxRetry(7))
	if err != nil {
		t.Fatal(err)
	}
	st := e.waitDone(id, "carol", 20*time.Second)
	if st.State != tasks.StateSucceeded || st.MaxRetry != 7 || st.TraceID != "abc" || string(st.Result) != `"ok"` {
		t.Fatalf("status %+v", st)
	}
	if _, err := k.hidden.Enqueue(ctx, echoIn{}, tasks.Queue("nowhere")); err == nil || !strings.Contains(err.Error(), "has no worker") {
		t.Fatalf("enqueue to an unknown queue: %v", err)
	}
}

// TestBusEvents: the bus carries each task's events with its user and
// trace id.
func TestBusEvents(t *testing.T) {
	k := newKit()
	e := newEnv(t, "", tasks.Options{}, k.defs)
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	cancel := e.app.Bus().Subscribe("tasks.*", func(ctx context.Context, env bus.Envelope) error {
		ev, err := bus.PayloadAs[tasks.Event](env)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s:%d:%s", env.Topic, ev.Percent, identity.ID(ctx)))
		if env.Topic == tasks.TopicSucceeded {
			close(done)
		}
		return nil
	})
	defer cancel()
	ctx := identity.With(context.Background(), identity.Subject("dave"))
	if _, err := k.stepsDef.Enqueue(ctx, stepsIn{Steps: 2, DelayMS: 50}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("no tasks.succeeded event")
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(got)
	want := []string{"tasks.progress:100:dave", "tasks.progress:50:dave", "tasks.started:0:dave", "tasks.succeeded:100:dave"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// withoutStatus drops the "status" event a stream starts with when the
// task had no event yet.
func withoutStatus(events []sseEvent) []sseEvent {
	if len(events) > 0 && events[0].Name == "status" {
		return events[1:]
	}
	return events
}

// TestCancelStubbornHandler: a handler that ignores its context still
// counts as cancelled at once; the event stream ends from the task's state
// even though the handler has not recorded anything yet.
func TestCancelStubbornHandler(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	e := newEnv(t, "", tasks.Options{}, func(*slog.Logger) []tasks.Definition {
		return []tasks.Definition{tasks.Define("test.stubborn", func(ctx context.Context, p echoIn) (any, error) {
			started <- struct{}{}
			<-release // not ctx.Done()
			return "done anyway", nil
		}, tasks.Expose(permRun))}
	})
	// The worker reports on the attempt once the handler has returned.
	reported := make(chan tasks.Event, 1)
	unsubscribe := e.app.Bus().Subscribe(tasks.TopicCancelled, func(_ context.Context, env bus.Envelope) error {
		ev, err := bus.PayloadAs[tasks.Event](env)
		if err == nil {
			select {
			case reported <- ev:
			default:
			}
		}
		return err
	})
	defer unsubscribe()
	id := e.enqueue("test.stubborn", "alice", echoIn{Text: "x"})
	<-started
	res := e.do("DELETE", "/tasks/"+id, "alice", nil)
	var st tasks.Status
	res.json(t, &st)
	if res.Code != http.StatusOK || st.State != tasks.StateCancelled {
		t.Fatalf("cancel: %d %s", res.Code, res.Body)
	}
	events := e.stream(id, "alice", 10*time.Second)
	last := events[len(events)-1]
	if last.Name != "cancelled" || last.ID == "" {
		t.Fatalf("stream ends with %+v", last)
	}
	// Its id marks the end for reconnecting clients.
	if res := e.do("GET", "/tasks/"+id+"/events", "alice", nil, "Last-Event-ID", last.ID); res.Code != http.StatusNoContent {
		t.Fatalf("reconnect: %d", res.Code)
	}
	close(release)
	select {
	case ev := <-reported:
		if ev.ID != id {
			t.Fatalf("cancelled event of %s, want %s", ev.ID, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no report on the attempt after the handler returned")
	}
	// The handler has returned; the task stays cancelled.
	if st := e.status(id, "alice"); st.State != tasks.StateCancelled || st.Result != nil {
		t.Fatalf("status %+v", st)
	}
}

// TestAdminCancelIsAudited: an administrator cancelling another user's
// task is announced for the audit trail; a user cancelling their own is not.
func TestAdminCancelIsAudited(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		k := newKit()
		e := newEnv(t, url, tasks.Options{}, k.defs)
		got := make(chan audit.Change, 4)
		stop := bus.On(e.app.Bus(), audit.Topic, func(_ context.Context, _ bus.Envelope, c audit.Change) error {
			got <- c
			return nil
		})
		defer stop()
		alice := identity.With(context.Background(), identity.Subject("alice"))
		own, err := k.echo.Enqueue(alice, echoIn{Text: "own"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		other, err := k.echo.Enqueue(alice, echoIn{Text: "other"}, tasks.Delay(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res := e.do("DELETE", "/tasks/"+own, "alice", nil); res.Code != http.StatusOK {
			t.Fatalf("own cancel: %d %s", res.Code, res.Body)
		}
		if res := e.do("DELETE", "/tasks/"+other, "admin", nil); res.Code != http.StatusOK {
			t.Fatalf("admin cancel: %d %s", res.Code, res.Body)
		}
		select {
		case c := <-got:
			before, _ := c.Before.(map[string]string)
			if c.Action != tasks.ActionCancel || c.Target != "task:"+other || before["owner"] != "alice" {
				t.Fatalf("audit change %+v", c)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the administrator's cancel was not announced")
		}
		select {
		case c := <-got:
			t.Fatalf("a second change: %+v", c)
		case <-time.After(200 * time.Millisecond):
		}
	})
}
