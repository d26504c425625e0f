package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// Redis keys of the module's own data, next to asynq's.
const (
	keyEvents = "webos:tasks:events:" // stream of a task's events
	keyCancel = "webos:tasks:cancel:" // set when a task's cancel was requested
)

// outcomeWait bounds how long a worker waits for Redis to come back before
// handing an attempt's outcome to asynq (see awaitRedis). It is below
// asynq's 30 s lease, which a worker cannot extend while Redis is away.
const outcomeWait = 15 * time.Second

// maxEvents bounds a task's event log.
const maxEvents = 1000

// writeTimeout bounds the worker's own Redis writes.
const writeTimeout = 5 * time.Second

// StartWorker starts processing the queues in this process, if it is not
// running yet. Start calls it unless Options.NoWorker; the "worker" command
// calls it too.
func (m *Module) StartWorker() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srvs != nil {
		return nil
	}
	cn, err := m.connected()
	if err != nil {
		return err
	}
	// The shared queues, by priority, get Options.Concurrency workers; a
	// queue with workers of its own (Workers) gets a server of its own.
	shared := map[string]int{}
	for _, q := range m.queues {
		if m.own[q] > 0 {
			continue
		}
		prio := 1
		if p, ok := m.opts.Queues[q]; ok {
			prio = p
		}
		shared[m.qname(q)] = prio
	}
	ctx, cancel := context.WithCancel(context.Background())
	server := func(concurrency int, queues map[string]int) *asynq.Server {
		return asynq.NewServerFromRedisClient(cn.rdb, asynq.Config{
			Concurrency:              concurrency,
			BaseContext:              func() context.Context { return ctx },
			Queues:                   queues,
			RetryDelayFunc:           m.retryDelay,
			IsFailure:                isFailure,
			Logger:                   newAsynqLogger(m.log),
			LogLevel:                 asynq.InfoLevel,
			ShutdownTimeout:          m.opts.ShutdownTimeout,
			TaskCheckInterval:        m.opts.PollInterval,
			DelayedTaskCheckInterval: m.opts.PollInterval,
		})
	}
	var srvs []*asynq.Server
	if len(shared) > 0 {
		srvs = append(srvs, server(m.opts.Concurrency, shared))
	}
	for _, q := range slices.Sorted(maps.Keys(m.own)) {
		srvs = append(srvs, server(m.own[q], map[string]int{m.qname(q): 1}))
	}
	for i, srv := range srvs {
		if err := srv.Start(asynq.HandlerFunc(m.process)); err != nil {
			// Stop shuts down the servers started so far, as it would all.
			m.srvs, m.cancelWorker = srvs[:i], cancel
			return fmt.Errorf("tasks: starting the worker: %w", err)
		}
	}
	m.srvs, m.cancelWorker = srvs, cancel
	return nil
}

// retryDelay is the worker's asynq RetryDelayFunc: the definition's
// backoff, or doubling from 2 s with jitter, at most 10 minutes. A
// cancelled task is retried at once, so that its next attempt finds it
// cancelled (unless Cancel archives it first).
func (m *Module) retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if errors.Is(err, context.Canceled) {
		return 0
	}
	if errors.Is(err, errDeferred) {
		return deferWait + rand.N(deferWait) // #nosec G404 -- retry jitter, not a secret
	}
	if c := m.defs[t.Type()]; c != nil && c.cfg.backoff != nil {
		return c.cfg.backoff(n, err)
	}
	return DefaultBackoff(n, err)
}

// DefaultBackoff is the wait before retry number attempt+1 of a definition
// without [Backoff]: 2 s doubling with each retry, up to 10 minutes, plus up
// to 25 % jitter.
func DefaultBackoff(attempt int, _ error) time.Duration {
	d := 10 * time.Minute
	if attempt < 9 {
		d = min(d, 2*time.Second<<attempt)
	}
	return d + time.Duration(rand.Int64N(int64(d/4)+1)) // #nosec G404 -- retry jitter, not a secret
}

// run is one attempt of a task, as its handler's context carries it.
type run struct {
	m        *Module
	c        *core
	task     *asynq.Task
	id       string
	retried  int
	maxRetry int // the task's own (asynq's is one more)
	owner    string
	member   string // the task's asynq key, which the owner's counts hold
	claimed  bool   // counted towards the owner's running tasks

	mu      sync.Mutex
	percent int
	message string
}

type runKey struct{}

// ID returns the id of the task whose handler ctx belongs to, or "".
func ID(ctx context.Context) string {
	if r, ok := ctx.Value(runKey{}).(*run); ok {
		return r.id
	}
	return ""
}

// Progress reports how far the running task is, from 0 to 100 percent
// (values outside are clamped), with a short message such as "page 3 of
// 10". It is kept with the task (see [Module.Status]), appended to the task's
// event log and emitted as a [TopicProgress] event. The error, if any, says
// that the progress could not be stored; handlers may ignore it. Outside a
// task handler Progress returns [ErrNoTask].
func Progress(ctx context.Context, percent int, message string) error {
	r, ok := ctx.Value(runKey{}).(*run)
	if !ok {
		return ErrNoTask
	}
	percent = min(max(percent, 0), 100)
	r.mu.Lock()
	r.percent, r.message = percent, message
	r.mu.Unlock()
	b, err := json.Marshal(progressRecord{Percent: percent, Message: message})
	if err != nil {
		return err
	}
	if _, err := r.task.ResultWriter().Write(b); err != nil {
		return fmt.Errorf("tasks: storing progress: %w", err)
	}
	r.m.record(ctx, r.event(KindProgress, StateRunning))
	return nil
}

func (r *run) event(kind string, state State) Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Event{
		Kind: kind, ID: r.id, Type: r.c.typ, State: state,
		Percent: r.percent, Message: r.message, Retried: r.retried,
		Owner: r.owner, Time: time.Now().UTC(),
	}
}

// process is the worker's asynq handler: it restores the enqueuing
// context, runs the task's handler and records the outcome. What it
// returns decides, for asynq, between done, retry and failed.
func (m *Module) process(ctx context.Context, t *asynq.Task) error {
	m.inflight.Add(1)
	defer m.inflight.Done()
	c := m.defs[t.Type()]
	if c == nil {
		// Perhaps a newer version of the application defines it: retry.
		return fmt.Errorf("tasks: no handler for task type %q in this worker", t.Type())
	}
	h := t.Headers()
	tid := h[headerTrace]
	if tid == "" {
		tid = trace.NewID()
	}
	ctx = trace.WithID(ctx, tid)
	r := &run{m: m, c: c, task: t, owner: h[headerUser]}
	r.id, _ = asynq.GetTaskID(ctx)
	r.retried, _ = asynq.GetRetryCount(ctx)
	asynqMax, _ := asynq.GetMaxRetry(ctx)
	r.maxRetry = maxRetryOf(h, asynqMax)
	qname, _ := asynq.GetQueueName(ctx)
	r.member = taskKey(qname, r.id)
	if r.owner != "" && m.opts.MaxRunningPerUser > 0 {
		// A task at asynq's last retry would be archived if deferred: it
		// runs (only tasks enqueued before the spare retry existed).
		if !m.claim(ctx, r) && r.retried < asynqMax {
			return errDeferred
		}
		r.claimed = true
	}
	if r.owner != "" {
		ctx = identity.With(ctx, identity.Subject(r.owner))
	}
	ctx = context.WithValue(ctx, runKey{}, r)

	ended := false
	defer func() { m.release(ctx, r, ended) }()

	if m.begin(ctx, r) {
		m.record(ctx, r.event(KindCancelled, StateCancelled))
		ended = true
		return Permanent(ErrCancelled)
	}
	log := m.log.With("task_id", r.id, "task_type", c.typ, "retried", r.retried)
	log.InfoContext(ctx, "task started")
	start := time.Now()

	var result any
	var err error
	if r.owner != "" && m.opts.RestoreUser != nil {
		var uctx context.Context
		if uctx, err = m.opts.RestoreUser(ctx, r.owner); err == nil && uctx != nil {
			ctx = uctx
		}
	}
	if err == nil {
		result, err = safeRun(ctx, c, t.Payload())
	}
	if cerr := ctx.Err(); cerr != nil {
		// asynq has already failed the attempt with the context's error.
		err = cerr
		if m.stopping.Load() {
			log.InfoContext(ctx, "task interrupted by shutdown: it goes back to its queue")
			return err
		}
	}
	took := slog.Duration("took", time.Since(start))
	if err == nil {
		var raw []byte
		if raw, err = json.Marshal(result); err != nil {
			err = Permanent(fmt.Errorf("tasks: %s: encoding result: %w", c.typ, err))
		} else if err = m.succeed(ctx, r, raw, log, took); err == nil {
			ended = true
			return nil
		} else if r.retried >= r.maxRetry {
			return Permanent(err)
		}
		return err
	}
	if ctx.Err() == nil {
		m.awaitRedis(ctx)
	}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		log.InfoContext(ctx, "task cancelled", took)
		m.record(ctx, r.event(KindCancelled, StateCancelled))
		ended = true
		return Permanent(ErrCancelled)
	case IsPermanent(err) || r.retried >= r.maxRetry:
		log.ErrorContext(ctx, "task failed", "err", err, "permanent", IsPermanent(err), took)
		ev := r.event(KindFailed, StateFailed)
		ev.Error = err.Error()
		m.record(ctx, ev)
		ended = true
		if !IsPermanent(err) {
			// asynq would use the spare retry (see Module.asynqOptions).
			err = Permanent(err)
		}
	default:
		log.WarnContext(ctx, "task attempt failed: will retry", "err", err, took)
		ev := r.event(KindRetrying, StateRetrying)
		ev.Error = err.Error()
		m.record(ctx, ev)
	}
	return err
}

// begin records that the attempt starts and reports whether the task was
// cancelled meanwhile. A retry starts again from 0 %.
func (m *Module) begin(ctx context.Context, r *run) (cancelled bool) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if cn := m.conn.Load(); cn != nil {
		if n, err := cn.rdb.Exists(wctx, keyCancel+r.id).Result(); err == nil && n > 0 {
			return true
		}
	}
	if r.retried > 0 {
		b, _ := json.Marshal(progressRecord{})
		_, _ = r.task.ResultWriter().Write(b)
	}
	m.record(ctx, r.event(KindStarted, StateRunning))
	return false
}

// succeed stores the result with the final progress and records success.
// When the result cannot be stored the attempt fails, so that a succeeded
// task always has its result.
func (m *Module) succeed(ctx context.Context, r *run, raw []byte, log *slog.Logger, took slog.Attr) error {
	r.mu.Lock()
	r.percent = 100
	rec := progressRecord{Percent: 100, Message: r.message, Result: raw}
	r.mu.Unlock()
	b, err := json.Marshal(rec)
	if err == nil {
		if _, err = r.task.ResultWriter().Write(b); err != nil && ctx.Err() == nil {
			m.awaitRedis(ctx)
			_, err = r.task.ResultWriter().Write(b)
		}
	}
	if err != nil {
		log.WarnContext(ctx, "task succeeded but its result cannot be stored: will retry", "err", err, took)
		return fmt.Errorf("tasks: storing the result: %w", err)
	}
	log.InfoContext(ctx, "task succeeded", took)
	ev := r.event(KindSucceeded, StateSucceeded)
	ev.Result = raw
	m.record(ctx, ev)
	return nil
}

// awaitRedis waits, for at most outcomeWait, until Redis answers, before an
// attempt's outcome goes to asynq. asynq gives up on recording an outcome
// that Redis refused, which would leave the task "running" until its lease
// expires and a recoverer retries it, a minute or two later; waiting out a
// short outage records it at once.
func (m *Module) awaitRedis(ctx context.Context) {
	deadline := time.Now().Add(outcomeWait)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		cn := m.conn.Load()
		if cn == nil || m.stopping.Load() {
			return
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		err := cn.rdb.Ping(pctx).Err()
		cancel()
		if err == nil || time.Now().Add(wait).After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// safeRun calls the handler, turning a panic into an error.
func safeRun(ctx context.Context, c *core, payload []byte) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.ErrorContext(ctx, "task handler panicked", "task_type", c.typ, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			result, err = nil, fmt.Errorf("tasks: %s: handler panicked: %v", c.typ, v)
		}
	}()
	return c.run(ctx, payload)
}

// record appends ev to the task's event log in Redis, wakes this process's
// event streams of the task and emits ev on the bus. Failures are logged:
// the task's state in asynq stays the truth.
func (m *Module) record(ctx context.Context, ev Event) {
	if _, err := m.appendLog(ctx, ev); err != nil {
		m.log.DebugContext(ctx, "task event not stored", "task_id", ev.ID, "kind", ev.Kind, "err", err)
	}
	m.notify(ev.ID)
	m.emit(ctx, ev)
}

// appendLog appends ev to its task's event log and returns the entry's id.
func (m *Module) appendLog(ctx context.Context, ev Event) (string, error) {
	cn, err := m.connected()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return "", err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	key := keyEvents + ev.ID
	pipe := cn.rdb.Pipeline()
	add := pipe.XAdd(wctx, &redis.XAddArgs{Stream: key, MaxLen: maxEvents, Approx: true, Values: []any{"e", b}})
	pipe.Expire(wctx, key, m.opts.EventTTL)
	if _, err := pipe.Exec(wctx); err != nil {
		return "", err
	}
	return add.Val(), nil
}

// emit publishes ev on the bus as tasks.<kind>.
func (m *Module) emit(ctx context.Context, ev Event) {
	if m.bus == nil {
		return
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if err := m.bus.Emit(ectx, "tasks."+ev.Kind, ev); err != nil {
		m.log.DebugContext(ctx, "task event not emitted", "task_id", ev.ID, "kind", ev.Kind, "err", err)
	}
}

// watch returns a channel that receives a value when something may have
// happened to task id. Call unwatch when done.
func (m *Module) watch(id string) chan struct{} {
	ch := make(chan struct{}, 1)
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	set := m.watchers[id]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		m.watchers[id] = set
	}
	set[ch] = struct{}{}
	return ch
}

func (m *Module) unwatch(id string, ch chan struct{}) {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	if set := m.watchers[id]; set != nil {
		delete(set, ch)
		if len(set) == 0 {
			delete(m.watchers, id)
		}
	}
}

func (m *Module) notify(id string) {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	for ch := range m.watchers[id] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// asynqLogger sends asynq's log lines to slog: its Info lines at debug
// level, and each kind of warning or error at most once per quiet period,
// so that a Redis outage does not flood the log.
type asynqLogger struct {
	log   *slog.Logger
	mu    sync.Mutex
	quiet time.Duration
	last  map[string]time.Time
}

func newAsynqLogger(l *slog.Logger) *asynqLogger {
	return &asynqLogger{log: l.With("component", "asynq"), quiet: 30 * time.Second, last: map[string]time.Time{}}
}

func (l *asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l *asynqLogger) Info(args ...any)  { l.log.Debug(fmt.Sprint(args...)) }
func (l *asynqLogger) Warn(args ...any)  { l.limited(slog.LevelWarn, fmt.Sprint(args...)) }
func (l *asynqLogger) Error(args ...any) { l.limited(slog.LevelError, fmt.Sprint(args...)) }
func (l *asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...)) }

func (l *asynqLogger) limited(level slog.Level, msg string) {
	kind, _, _ := strings.Cut(msg, ":")
	if len(kind) > 48 {
		kind = kind[:48]
	}
	now := time.Now()
	l.mu.Lock()
	if t, ok := l.last[kind]; ok && now.Sub(t) < l.quiet {
		l.mu.Unlock()
		return
	}
	l.last[kind] = now
	l.mu.Unlock()
	l.log.Log(context.Background(), level, msg)
}
