package tasks_test

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
)

// TestSeparateWorker: a web instance that runs no worker enqueues; a
// "worker" process of the same application runs the task; the web
// instance's status and event stream follow it.
func TestSeparateWorker(t *testing.T) {
	url := testenv.RedisURL(t)
	ns := randomName("t")
	web := newEnv(t, url, tasks.Options{Namespace: ns, NoWorker: true}, newKit().defs)

	id := web.enqueue("test.echo", "alice", echoIn{Text: "far"})
	// No worker serves the queue, so nothing can have taken the task.
	servers, err := asynq.NewInspectorFromRedisClient(web.tasks.Redis()).Servers()
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range servers {
		if _, ok := srv.Queues[ns+":default"]; ok {
			t.Fatalf("a worker serves the queue of a web instance without one: %+v", srv)
		}
	}
	if st := web.status(id, "alice"); st.State != tasks.StateQueued {
		t.Fatalf("without a worker the task is %s", st.State)
	}

	// The worker process: the same application, started by "worker".
	wk := newKit()
	workerTasks := tasks.New(tasks.Options{RedisURL: url, Namespace: ns, NoWorker: true, PollInterval: 100 * time.Millisecond})
	worker := webos.New(testConfig(t), workerTasks, &provider{id: "work", defs: wk.defs(web.log)})
	worker.SetLogger(web.log)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.Exec(ctx, []string{"worker"}, io.Discard) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()

	st := web.waitDone(id, "alice", 20*time.Second)
	var out echoOut
	_ = json.Unmarshal(st.Result, &out)
	if st.State != tasks.StateSucceeded || out.User != "alice" || out.Text != "far" {
		t.Fatalf("status %+v", st)
	}

	id = web.enqueue("test.steps", "alice", stepsIn{Steps: 4, DelayMS: 100})
	var percents []int
	for _, ev := range web.stream(id, "alice", 30*time.Second) {
		if ev.Name == "progress" {
			var e tasks.Event
			_ = json.Unmarshal(ev.Data, &e)
			percents = append(percents, e.Percent)
		}
	}
	if !slices.Equal(percents, []int{25, 50, 75, 100}) {
		t.Fatalf("progress %v", percents)
	}
}

// TestWorkerCommandNeedsSharedRedis: a separate worker cannot use the
// in-process Redis.
func TestWorkerCommandNeedsSharedRedis(t *testing.T) {
	app := webos.New(testConfig(t), tasks.New(tasks.Options{}))
	app.SetLogger(discardLogger())
	err := app.Exec(context.Background(), []string{"worker"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "WEBOS_REDIS_URL") {
		t.Fatalf("worker on the in-process Redis: %v", err)
	}
}
