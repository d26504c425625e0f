package stack_test

import (
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/stack"
)

// TestWebOnlyNeedsRedis: an instance that leaves the tasks to worker
// processes needs a Redis server they share; with one, its tasks module
// runs no worker.
func TestWebOnlyNeedsRedis(t *testing.T) {
	t.Setenv("WEBOS_DATA_DIR", t.TempDir())
	t.Setenv("WEBOS_TASKS_WORKER", "false")
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stack.Standard(cfg); err == nil || !strings.Contains(err.Error(), "WEBOS_REDIS_URL") {
		t.Fatalf("web-only without Redis: %v", err)
	}
	cfg.RedisURL = "redis://127.0.0.1:1/0"
	if _, err := stack.Standard(cfg); err != nil {
		t.Fatal(err)
	}
}
