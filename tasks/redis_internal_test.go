package tasks

import (
	"context"
	"errors"
	"testing"

	"github.com/webos-go/webos/tasks/internal/memredis"
)

// TestEndedContexts: the worker's client runs a call that starts with an
// ended context (as asynq's retries of unrecorded outcomes do), the
// callers' client refuses it.
func TestEndedContexts(t *testing.T) {
	mem, err := memredis.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	opts := mem.ClientOptions()
	cn, err := dial(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer cn.close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := cn.rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("worker's client with an ended context: %v", err)
	}
	pipe := cn.rdb.Pipeline()
	pipe.Get(ctx, "k")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("worker's client, pipeline with an ended context: %v", err)
	}
	if err := cn.api.Get(ctx, "k").Err(); !errors.Is(err, context.Canceled) {
		t.Fatalf("callers' client with an ended context: %v", err)
	}
}
