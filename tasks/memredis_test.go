package tasks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/tasks"
)

// TestInProcessRedisPassword: the in-process Redis refuses local clients
// that lack its password, so that they can neither read task payloads nor
// forge a task as another user; the log names its address but never the
// password.
func TestInProcessRedisPassword(t *testing.T) {
	e := newEnv(t, "", tasks.Options{}, nil)
	rc, ok := e.tasks.Redis().(*redis.Client)
	if !ok {
		t.Fatalf("Redis() is a %T", e.tasks.Redis())
	}
	addr, pw := rc.Options().Addr, rc.Options().Password
	if pw == "" {
		t.Fatal("the in-process Redis has no password")
	}
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	if err := c.Keys(ctx, "*").Err(); err == nil {
		t.Fatal("a client without the password listed the keys")
	}
	forger := asynq.NewClient(asynq.RedisClientOpt{Addr: addr})
	defer forger.Close()
	task := asynq.NewTaskWithHeaders("work.anything", []byte(`{}`), map[string]string{"webos-user": "admin"})
	if _, err := forger.Enqueue(task); err == nil {
		t.Fatal("a client without the password enqueued a task")
	}
	if err := rc.Ping(ctx).Err(); err != nil {
		t.Fatalf("the module's own client: %v", err)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, addr) {
		t.Fatalf("the log does not name the in-process Redis's address %s:\n%s", addr, logs)
	}
	if strings.Contains(logs, pw) {
		t.Fatal("the log shows the in-process Redis's password")
	}
	e.stop()
	if strings.Contains(e.logs.String(), pw) {
		t.Fatal("the log shows the in-process Redis's password after stop")
	}
}
