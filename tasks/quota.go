package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
)

// DefaultMaxQueuedPerUser is how many unfinished tasks (queued, running or
// waiting for a retry) one user may have when Options.MaxQueuedPerUser is 0.
const DefaultMaxQueuedPerUser = 100

// ErrTooManyTasks: the user already has as many unfinished tasks as
// Options.MaxQueuedPerUser allows; nothing was enqueued. It wraps
// webos.ErrTooManyRequests (HTTP 429), and the error Enqueue returns with
// it is a *webos.RetryAfterError (the Retry-After header).
var ErrTooManyTasks = fmt.Errorf("tasks: %w", webos.ErrTooManyRequests)

// quotaRetryAfter is the Retry-After of an enqueue refused for
// ErrTooManyTasks.
const quotaRetryAfter = 5 * time.Second

// errDeferred is what an attempt returns to asynq, without running the
// handler, when the task's owner already has MaxRunningPerUser tasks
// running. asynq puts the task in its retry set without counting a retry
// (see Module.isFailure), and a worker takes it up again after
// deferWait, by when one of the owner's tasks may have ended; meanwhile
// the workers are free for other users' tasks.
var errDeferred = errors.New("tasks: waiting for the owner's other running tasks")

// deferWait is how long a deferred attempt waits, plus up to as much
// again of jitter.
const deferWait = time.Second

// Redis keys of the per-user counts: sorted sets, one per namespace and
// user, of asynq task keys (asynq:{queue}:t:id) scored by the time they
// were added, in Unix milliseconds.
const (
	keyQueued  = "webos:tasks:queued:"  // the user's unfinished tasks
	keyRunning = "webos:tasks:running:" // the user's tasks a handler is running
)

// quotaGrace is how long a task counts towards its owner's unfinished
// tasks before asynq knows of it: the enqueue that counted it may still
// be storing it.
var quotaGrace = 10 * time.Second

// quotaKeyTTL bounds the life of a user's counts that nothing touches: a
// user idle that long has no task left to count, or only tasks delayed
// that far, which then go uncounted.
const quotaKeyTTL = 30 * 24 * time.Hour

// admitScript adds a task (ARGV[1], its asynq task key) to a user's set
// (KEYS[1]) unless the set holds ARGV[2] tasks or more: it returns 0 when
// the task was added (or already was there), or the count that refused it.
// Only at the limit does it recount, so that counts cannot leak: it drops
// the tasks that have ended (asynq's state completed or archived) or are
// gone (no task key after the grace of ARGV[4] ms, for tasks still being
// enqueued). With ARGV[4] negative it counts running tasks, and keeps only
// those asynq still has active (a worker that died leaves its task active
// until asynq's lease ends and its recoverer takes the task back).
var admitScript = redis.NewScript(`
if redis.call("ZSCORE", KEYS[1], ARGV[1]) then
  return 0
end
local limit = tonumber(ARGV[2])
if redis.call("ZCARD", KEYS[1]) >= limit then
  local now, grace = tonumber(ARGV[3]), tonumber(ARGV[4])
  local members = redis.call("ZRANGE", KEYS[1], 0, -1, "WITHSCORES")
  for i = 1, #members, 2 do
    local state = redis.call("HGET", members[i], "state")
    local gone
    if grace < 0 then
      gone = state ~= "active"
    else
      gone = state == "completed" or state == "archived" or
        (not state and tonumber(members[i + 1]) < now - grace)
    end
    if gone then
      redis.call("ZREM", KEYS[1], members[i])
    end
  end
  local n = redis.call("ZCARD", KEYS[1])
  if n >= limit then
    return n
  end
end
redis.call("ZADD", KEYS[1], ARGV[3], ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[5])
return 0
`)

// admit runs admitScript: 0 when task key member was counted in key, or
// the count that is at the limit.
func admit(ctx context.Context, rdb redis.Scripter, key, member string, limit int, grace time.Duration) (int, error) {
	g := grace.Milliseconds()
	if grace < 0 {
		g = -1
	}
	return admitScript.Run(ctx, rdb, []string{key}, member, limit, time.Now().UnixMilli(), g, quotaKeyTTL.Milliseconds()).Int()
}

// quotaKey is the key of one of owner's counts (prefix keyQueued or
// keyRunning) in the module's namespace.
func (m *Module) quotaKey(prefix, owner string) string {
	return prefix + m.opts.Namespace + ":" + owner
}

// taskKey is asynq's key of task id in queue qname, which the counts hold
// so that a recount can look up the task's state.
func taskKey(qname, id string) string { return "asynq:{" + qname + "}:t:" + id }

// reserve counts a task that owner is about to enqueue towards owner's
// unfinished tasks, or fails with an error wrapping ErrTooManyTasks when
// owner has Options.MaxQueuedPerUser of them already.
func (m *Module) reserve(ctx context.Context, cn *conn, owner, member string) error {
	limit := m.opts.MaxQueuedPerUser
	rctx, cancel := bound(ctx)
	n, err := admit(rctx, cn.api, m.quotaKey(keyQueued, owner), member, limit, quotaGrace)
	cancel()
	if err != nil {
		return redisFailure(ctx, err)
	}
	if n > 0 {
		return &webos.RetryAfterError{
			Err:   fmt.Errorf("%w: %d of your tasks have not finished yet, the most one user may have; try again when some have", ErrTooManyTasks, n),
			After: quotaRetryAfter,
		}
	}
	return nil
}

// unreserve takes a task that was not enqueued after all out of owner's
// unfinished tasks. Should that fail, the next recount does it.
func (m *Module) unreserve(ctx context.Context, owner, member string) {
	cn := m.conn.Load()
	if cn == nil {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	_ = cn.api.ZRem(wctx, m.quotaKey(keyQueued, owner), member).Err()
}

// claim counts an attempt that is about to start towards its owner's
// running tasks; false means the owner has Options.MaxRunningPerUser
// running already (or Redis did not answer, when the attempt runs: the
// limit is a fairness measure, not a guard).
func (m *Module) claim(ctx context.Context, r *run) bool {
	cn := m.conn.Load()
	if cn == nil {
		return true
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	n, err := admit(wctx, cn.rdb, m.quotaKey(keyRunning, r.owner), r.member, m.opts.MaxRunningPerUser, -1)
	if err != nil {
		m.log.DebugContext(ctx, "running tasks not counted", "task_id", r.id, "err", err)
		return true
	}
	return n == 0
}

// release takes an attempt that has returned out of its owner's running
// tasks, and the task out of the owner's unfinished tasks when it has
// ended. Should that fail, the next recount does it.
func (m *Module) release(ctx context.Context, r *run, ended bool) {
	cn := m.conn.Load()
	if cn == nil {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	pipe := cn.rdb.Pipeline()
	if r.claimed {
		pipe.ZRem(wctx, m.quotaKey(keyRunning, r.owner), r.member)
	}
	if ended {
		pipe.ZRem(wctx, m.quotaKey(keyQueued, r.owner), r.member)
	}
	if pipe.Len() == 0 {
		return
	}
	if _, err := pipe.Exec(wctx); err != nil {
		m.log.DebugContext(ctx, "task counts not updated", "task_id", r.id, "err", err)
	}
}

// isFailure is the worker's asynq IsFailure: neither a deferred attempt
// nor one that Cancel interrupted (asynq fails it with the context's
// error, and the next attempt finds the task cancelled) is a failure, so
// neither counts a retry.
func isFailure(err error) bool {
	return !errors.Is(err, errDeferred) && !errors.Is(err, context.Canceled)
}

// newTaskID returns a random task id in the form of asynq's own (a UUID),
// made before the enqueue so that the task can be counted first.
func newTaskID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
