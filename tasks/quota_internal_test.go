package tasks

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/tasks/internal/memredis"
)

// TestAdmitRecount: a user's count is recounted when it reaches the limit:
// unfinished tasks count, ended ones (completed, archived) do not, nor
// tasks that are gone (expired or deleted) once the grace for enqueues
// under way has passed; running counts only tasks asynq has active.
func TestAdmitRecount(t *testing.T) {
	mem, err := memredis.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	rdb := redis.NewClient(mem.ClientOptions())
	defer rdb.Close()
	ctx := context.Background()
	old := float64(time.Now().Add(-time.Minute).UnixMilli())
	recent := float64(time.Now().UnixMilli())
	for state, score := range map[string]float64{
		"pending": old, "scheduled": old, "retry": old, "active": old,
		"completed": old, "archived": old, "gone-old": old, "gone-recent": recent,
	} {
		member := taskKey("q", state)
		if state[:4] != "gone" {
			rdb.HSet(ctx, member, "state", state)
		}
		rdb.ZAdd(ctx, "queued", redis.Z{Score: score, Member: member})
		rdb.ZAdd(ctx, "running", redis.Z{Score: score, Member: member})
	}

	// Below the limit: no recount, the new task counts.
	if n, err := admit(ctx, rdb, "queued", taskKey("q", "new1"), 9, time.Second); err != nil || n != 0 {
		t.Fatalf("below the limit: %d, %v", n, err)
	}
	// At the limit: completed, archived and gone-old stop counting, which
	// leaves 6 with new1.
	if n, err := admit(ctx, rdb, "queued", taskKey("q", "new2"), 7, time.Second); err != nil || n != 0 {
		t.Fatalf("at the limit, after a recount: %d, %v", n, err)
	}
	if n, err := admit(ctx, rdb, "queued", taskKey("q", "new3"), 7, time.Second); err != nil || n != 7 {
		t.Fatalf("over the limit: %d, %v (want refused at 7)", n, err)
	}
	// Already counted: admitted again (a task delivered twice).
	if n, err := admit(ctx, rdb, "queued", taskKey("q", "new2"), 7, time.Second); err != nil || n != 0 {
		t.Fatalf("counted again: %d, %v", n, err)
	}
	got, _ := rdb.ZRange(ctx, "queued", 0, -1).Result()
	want := map[string]bool{}
	for _, s := range []string{"pending", "scheduled", "retry", "active", "gone-recent", "new1", "new2"} {
		want[taskKey("q", s)] = true
	}
	if len(got) != len(want) {
		t.Fatalf("counted %q", got)
	}
	for _, m := range got {
		if !want[m] {
			t.Fatalf("counted %q", got)
		}
	}

	// Running: only the active task survives a recount.
	if n, err := admit(ctx, rdb, "running", taskKey("q", "run"), 2, -1); err != nil || n != 0 {
		t.Fatalf("running, after a recount: %d, %v", n, err)
	}
	if got, _ := rdb.ZRange(ctx, "running", 0, -1).Result(); len(got) != 2 || got[0] != taskKey("q", "active") || got[1] != taskKey("q", "run") {
		t.Fatalf("running counted %q", got)
	}
	rdb.HSet(ctx, taskKey("q", "run"), "state", "active")
	if n, err := admit(ctx, rdb, "running", taskKey("q", "run2"), 2, -1); err != nil || n != 2 {
		t.Fatalf("running at the limit: %d, %v (want refused at 2)", n, err)
	}
	rdb.HSet(ctx, taskKey("q", "run"), "state", "pending") // put back by asynq's recoverer
	if n, err := admit(ctx, rdb, "running", taskKey("q", "run2"), 2, -1); err != nil || n != 0 {
		t.Fatalf("running, after a task left: %d, %v", n, err)
	}
}

// TestNewTaskID: ids look like asynq's own (UUIDs) and differ.
func TestNewTaskID(t *testing.T) {
	a, b := newTaskID(), newTaskID()
	if len(a) != 36 || a[14] != '4' || a == b {
		t.Fatalf("ids %q, %q", a, b)
	}
}
