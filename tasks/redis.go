package tasks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// redisTimeout bounds the Redis calls made for one caller's operation (a
// status lookup, one step of a cancel, the queue list, an enqueue): when
// Redis accepts connections but does not answer, the caller gets an error
// wrapping [ErrUnavailable] after this long instead of waiting for the
// outage to end.
const redisTimeout = 3 * time.Second

// keyQueues is asynq's set of queue names, which its Inspector consults
// before it looks at a queue.
const keyQueues = "asynq:queues"

// conn is the module's connection to Redis while it runs: two clients on
// the same server.
type conn struct {
	// rdb is asynq's worker's and the worker's own: go-redis's defaults,
	// under which a context's deadline does not cut a call short, and a
	// call that starts with an ended context runs without it (see
	// detachEnded).
	rdb *redis.Client
	// api serves the callers (enqueue, status, cancel, the monitor,
	// health) and Module.Redis: their contexts' deadlines bound the calls.
	api *redis.Client
	// insp is asynq's Inspector on api.
	insp  *asynq.Inspector
	calls calls // Inspector calls in flight
}

// dial connects to Redis with opts and checks that it answers; a Redis
// that does not is an error wrapping ErrUnavailable.
func dial(ctx context.Context, opts *redis.Options) (*conn, error) {
	rdb := redis.NewClient(opts)
	rdb.AddHook(detachEnded{})
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := rdb.Ping(pctx).Err()
	cancel()
	if err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("%w: cannot reach Redis at %s: %w", ErrUnavailable, opts.Addr, err)
	}
	aopts := *opts
	aopts.ContextTimeoutEnabled = true
	api := redis.NewClient(&aopts)
	return &conn{rdb: rdb, api: api, insp: asynq.NewInspectorFromRedisClient(api)}, nil
}

// close closes both clients, which ends the Inspector calls still waiting
// for Redis, and waits for those.
func (c *conn) close() error {
	err := errors.Join(c.rdb.Close(), c.api.Close())
	c.calls.close()
	return err
}

// detachEnded is a hook for the worker's client: a call that starts with
// an ended context runs without it, bounded by the client's read and write
// timeouts. asynq retries recording an attempt's outcome that Redis refused
// (its syncer) with a context it has already cancelled; go-redis fails such
// calls at once, every time, and the task would stay "running" until its
// lease expired and it ran again.
type detachEnded struct{}

func (detachEnded) DialHook(next redis.DialHook) redis.DialHook { return next }

func (detachEnded) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if ctx.Err() != nil {
			ctx = context.WithoutCancel(ctx)
		}
		return next(ctx, cmd)
	}
}

func (detachEnded) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if ctx.Err() != nil {
			ctx = context.WithoutCancel(ctx)
		}
		return next(ctx, cmds)
	}
}

// bound limits ctx to redisTimeout.
func bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, redisTimeout)
}

// redisFailure is the caller's error for a Redis call, made under a
// context derived from parent, that failed with err: parent's own error when
// the caller has gone (or its deadline passed), otherwise one wrapping
// ErrUnavailable that hides err from clients.
func redisFailure(parent context.Context, err error) error {
	if perr := parent.Err(); perr != nil {
		return perr
	}
	return unavailable(err)
}

// inspect runs fn, calls of asynq's Inspector on cn, which take no
// context: it returns fn's result, or ctx's error as soon as ctx ends. fn
// then goes on in the background until its Redis calls give up (go-redis's
// read timeout) or Stop closes the connection, and Stop waits for it.
func inspect[T any](ctx context.Context, cn *conn, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	if !cn.calls.start(func() {
		v, err := fn()
		done <- result{v, err}
	}) {
		return zero, errStopped
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// registerQueues adds the application's queues to asynq's set of queues.
// asynq's client adds a queue there only on its first enqueue to it, and
// never again, so after Redis lost its data (restarted without
// persistence, or flushed) the Inspector would not find the tasks enqueued
// since, and the task monitor would fail. The module registers the queues
// on every new connection to Redis (see onConnect), which covers restarts,
// and again when a lookup finds a queue missing.
func (m *Module) registerQueues(ctx context.Context, c redis.Cmdable) error {
	names := make([]any, len(m.queues))
	for i, q := range m.queues {
		names[i] = m.qname(q)
	}
	return c.SAdd(ctx, keyQueues, names...).Err()
}

// onConnect is the Redis client's OnConnect hook: a new connection, such as
// the first after Redis restarted, registers the queues first.
func (m *Module) onConnect(ctx context.Context, cn *redis.Conn) error {
	if len(m.queues) == 0 {
		return nil
	}
	return m.registerQueues(ctx, cn)
}

// errStopped is the error of a call on a connection the module has closed.
var errStopped = fmt.Errorf("%w: the tasks module is not running", ErrUnavailable)

// calls tracks the background Inspector calls of a connection (see
// inspect), so that Stop can wait for them.
type calls struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// start runs fn in a new goroutine, unless close was called.
func (c *calls) start(fn func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Go(fn)
	return true
}

// close refuses new calls and waits for the running ones to return.
func (c *calls) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
}
