package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/tasks/internal/memredis"
	"github.com/webos-go/webos/trace"
)

// ModuleID is the ID of [Module].
const ModuleID = "tasks"

// Defaults of the module's Options.
const (
	DefaultConcurrency     = 10
	DefaultPollInterval    = time.Second
	DefaultShutdownTimeout = 10 * time.Second
	DefaultEventTTL        = 24 * time.Hour
)

// cancelWait bounds how long Cancel waits for a running handler to stop.
const cancelWait = 5 * time.Second

// cancelTTL is how long a cancel request is remembered.
const cancelTTL = 7 * 24 * time.Hour

// Options configure the tasks [Module].
type Options struct {
	// RedisURL is the Redis server holding the queues, e.g.
	// "redis://127.0.0.1:6379/0" (the kernel's WEBOS_REDIS_URL). Empty
	// runs an in-process Redis, kept in the application's data folder (see
	// the package documentation): fine for development, but no separate
	// worker process can reach it.
	RedisURL string
	// Namespace keeps the queues of applications that share a Redis server
	// apart: queue names are prefixed with it. Every process of one
	// application (web and workers) must use the same namespace.
	Namespace string
	// Tasks are definitions of the application itself, in addition to
	// those of the modules that implement [Provider].
	Tasks []Definition
	// NoWorker keeps this process from running tasks: it only enqueues and
	// reports them, and workers run elsewhere ("worker" command).
	NoWorker bool
	// Concurrency is how many tasks of the shared queues a worker process
	// runs at once (a type with [Workers] has workers of its own besides);
	// 0 means [DefaultConcurrency].
	Concurrency int
	// Queues sets the priority of the shared queues (default 1 each): a
	// queue of priority 2 is served twice as often as one of priority 1. A
	// queue of a type with [Workers] has no priority: naming it is an
	// error of Provision.
	Queues map[string]int
	// RestoreUser, if set, is called in the worker before each attempt of a
	// task that has an owner, with a context already carrying the owner as
	// an identity.Subject; it returns the context the handler gets, e.g.
	// with the owner's full account. An error fails the attempt.
	RestoreUser func(ctx context.Context, userID string) (context.Context, error)
	// PollInterval is how often an idle worker looks for new tasks and
	// moves due retries and delayed tasks to their queues; 0 means
	// [DefaultPollInterval].
	PollInterval time.Duration
	// ShutdownTimeout is how long Stop lets running tasks finish before it
	// puts them back in their queues; 0 means [DefaultShutdownTimeout].
	ShutdownTimeout time.Duration
	// EventTTL is how long a task's event log (what GET /tasks/{id}/events
	// replays) is kept after its last event; 0 means [DefaultEventTTL].
	EventTTL time.Duration
	// MaxQueuedPerUser is how many unfinished tasks (queued, running or
	// waiting for a retry) one user may have at once, counted in Redis for
	// every process of the application; an enqueue beyond it, over HTTP or
	// from Go, fails with an error wrapping [ErrTooManyTasks] (HTTP 429
	// with Retry-After). 0 means [DefaultMaxQueuedPerUser]; a negative
	// value means no limit. Tasks enqueued without a user are not counted.
	MaxQueuedPerUser int
	// MaxRunningPerUser is how many of one user's tasks the workers run at
	// once, counted in Redis for every worker: a worker that takes up one
	// more puts it back, for a second or two, without counting a retry,
	// and runs other users' tasks meanwhile, so that one user's flood
	// cannot hold every worker. 0 means half of Concurrency, at least 1; a
	// negative value means no limit. Each worker process applies its own
	// value to the shared count: set it explicitly when several share the
	// queues. Tasks without a user are not counted. The count covers the
	// queues of types with [Workers] too: such a type runs no more of one
	// user's tasks at once than this, whatever its n.
	MaxRunningPerUser int
}

// Module is the kernel module for background tasks: it connects to Redis,
// collects the task definitions of the application's modules, runs the
// worker (unless Options.NoWorker), serves the /tasks HTTP API, adds
// "redis" to GET /health and the "worker" command to the command line.
// Make it with [New].
type Module struct {
	opts Options

	app *webos.App
	log *slog.Logger
	bus *bus.Bus

	defs   map[string]*core // by type name
	queues []string         // queue names as defined, in first-use order
	// own are the queues with workers of their own ([Workers]): the
	// queue's name → how many
	own    map[string]int
	prefix string // URL prefix of the routes

	mem    *memredis.Server
	conn   atomic.Pointer[conn]
	client atomic.Pointer[asynq.Client]

	mu           sync.Mutex
	srvs         []*asynq.Server // the worker: the shared queues' server, one per queue with workers of its own
	cancelWorker context.CancelFunc
	inflight     sync.WaitGroup
	stopping     atomic.Bool

	watchMu  sync.Mutex
	watchers map[string]map[chan struct{}]struct{}
}

var (
	_ webos.Module          = (*Module)(nil)
	_ webos.Provisioner     = (*Module)(nil)
	_ webos.Starter         = (*Module)(nil)
	_ webos.Stopper         = (*Module)(nil)
	_ webos.RouteProvider   = (*Module)(nil)
	_ webos.Subscriber      = (*Module)(nil)
	_ webos.HealthChecker   = (*Module)(nil)
	_ webos.CommandProvider = (*Module)(nil)
)

// New returns the tasks module configured by opts.
func New(opts Options) *Module {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.EventTTL <= 0 {
		opts.EventTTL = DefaultEventTTL
	}
	if opts.MaxQueuedPerUser == 0 {
		opts.MaxQueuedPerUser = DefaultMaxQueuedPerUser
	}
	if opts.MaxRunningPerUser == 0 {
		opts.MaxRunningPerUser = max(opts.Concurrency/2, 1)
	}
	return &Module{opts: opts, log: slog.Default(), watchers: map[string]map[chan struct{}]struct{}{}}
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Tasks",
		Description: "Background jobs on Redis with progress, retries and the caller's identity.",
		Icon:        "⏳",
		Version:     "1.0.0",
	}
}

// Provision collects the task definitions of Options.Tasks and of every
// module that implements [Provider]. A task type defined twice, or a
// definition already registered with another running tasks module, is an
// error.
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	m.app = app
	registry.Register(app.Registry(), m)
	m.log = app.Logger().With("module", ModuleID)
	m.bus = app.Bus()
	m.defs = map[string]*core{}
	m.own = map[string]int{}
	m.queues = nil
	owner := map[string]string{}
	add := func(from string, defs []Definition) error {
		for _, d := range defs {
			if d == nil {
				return fmt.Errorf("tasks: %s: nil definition", from)
			}
			c := d.core()
			if prev, dup := owner[c.typ]; dup {
				return fmt.Errorf("tasks: task type %q is defined by %s and by %s", c.typ, prev, from)
			}
			owner[c.typ] = from
			m.defs[c.typ] = c
			if c.cfg.workers > 0 {
				m.own[c.cfg.queue] = c.cfg.workers
			}
			if !slices.Contains(m.queues, c.cfg.queue) {
				m.queues = append(m.queues, c.cfg.queue)
			}
		}
		return nil
	}
	if err := add("the tasks options", m.opts.Tasks); err != nil {
		return err
	}
	for _, st := range app.Modules() {
		mod, ok := app.Module(st.ID)
		if !ok {
			continue
		}
		if p, ok := mod.(Provider); ok {
			if err := add(fmt.Sprintf("module %q", st.ID), p.Tasks()); err != nil {
				return err
			}
		}
	}
	for _, c := range m.defs {
		if c.cfg.workers == 0 && m.own[c.cfg.queue] > 0 {
			return fmt.Errorf("tasks: task type %q names queue %q, the own queue of a type with Workers", c.typ, c.cfg.queue)
		}
	}
	for q := range m.opts.Queues {
		if m.own[q] > 0 {
			return fmt.Errorf("tasks: Options.Queues names %q, the own queue of a type with Workers: it has workers of its own, not a priority", q)
		}
	}
	if len(m.queues) == 0 {
		m.queues = []string{DefaultQueue}
	}
	for q := range m.opts.Queues {
		if !slices.Contains(m.queues, q) {
			m.queues = append(m.queues, q)
		}
	}
	for _, c := range m.defs {
		c.aopts = m.asynqOptions(c.cfg)
	}
	return nil
}

// Start connects to Redis (or starts the in-process one), binds the
// definitions to this module so that [Enqueue] works, and starts the worker
// unless Options.NoWorker. A Redis server that does not answer is an error
// wrapping [ErrUnavailable].
func (m *Module) Start(ctx context.Context) error {
	var ropts *redis.Options
	if m.opts.RedisURL == "" {
		mem, err := m.startMem(ctx)
		if err != nil {
			return err
		}
		m.mem = mem
		ropts = mem.ClientOptions()
	} else {
		var err error
		if ropts, err = redis.ParseURL(m.opts.RedisURL); err != nil {
			return fmt.Errorf("tasks: invalid Redis URL: want redis://[user:password@]host:port/db or rediss://…")
		}
	}
	ropts.PoolSize = max(ropts.PoolSize, 10*runtime.GOMAXPROCS(0)) + m.opts.Concurrency
	for _, n := range m.own {
		ropts.PoolSize += n
	}
	ropts.OnConnect = m.onConnect
	cn, err := dial(ctx, ropts)
	if err != nil {
		m.closeMem()
		return err
	}
	m.conn.Store(cn)
	for _, c := range m.defs {
		if !c.module.CompareAndSwap(nil, m) && c.module.Load() != m {
			m.unbind()
			m.conn.Store(nil)
			_ = cn.close()
			m.closeMem()
			return fmt.Errorf("tasks: task type %q is already registered with another running tasks module: make definitions per module instance", c.typ)
		}
	}
	m.client.Store(asynq.NewClientFromRedisClient(cn.api))
	m.stopping.Store(false)
	if !m.opts.NoWorker {
		if err := m.StartWorker(); err != nil {
			_ = m.Stop(ctx)
			return err
		}
	}
	return nil
}

// Stop stops the worker, letting running tasks finish for at most
// Options.ShutdownTimeout (unfinished ones go back to their queues and run
// again later), then disconnects from Redis.
func (m *Module) Stop(ctx context.Context) error {
	m.stopping.Store(true)
	m.client.Store(nil)
	m.mu.Lock()
	srvs, cancelWorker := m.srvs, m.cancelWorker
	m.srvs, m.cancelWorker = nil, nil
	m.mu.Unlock()
	var err error
	if len(srvs) > 0 {
		var wg sync.WaitGroup
		for _, srv := range srvs {
			wg.Go(srv.Shutdown) // each lets its running tasks finish for ShutdownTimeout
		}
		wg.Wait()
		cancelWorker()
		done := make(chan struct{})
		go func() { m.inflight.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			err = fmt.Errorf("tasks: waiting for task handlers to return: %w", ctx.Err())
		}
	}
	m.unbind()
	if c := m.conn.Swap(nil); c != nil {
		err = errors.Join(err, c.close())
	}
	m.closeMem()
	return err
}

func (m *Module) unbind() {
	for _, c := range m.defs {
		c.module.CompareAndSwap(m, nil)
	}
}

func (m *Module) closeMem() {
	if m.mem != nil {
		if err := m.mem.Close(); err != nil {
			m.log.Error("the in-process Redis could not save its data: what changed since its last save is lost", "err", err)
		}
		m.mem = nil
	}
}

// Embedded reports whether the module runs on its in-process Redis.
func (m *Module) Embedded() bool { return m.opts.RedisURL == "" }

// Redis returns the module's Redis client once started, e.g. for a bus
// transport (bus/redisbus) over the same server. It stays the module's:
// do not close it.
func (m *Module) Redis() redis.UniversalClient {
	if c := m.conn.Load(); c != nil {
		return c.api
	}
	return nil
}

// connected returns the connection, or an error wrapping ErrUnavailable
// when the module is not running.
func (m *Module) connected() (*conn, error) {
	if c := m.conn.Load(); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("%w: the tasks module is not running", ErrUnavailable)
}

// HealthChecks reports Redis as "redis".
func (m *Module) HealthChecks() []webos.HealthCheck {
	return []webos.HealthCheck{{Name: "redis", Check: func(ctx context.Context) error {
		c, err := m.connected()
		if err != nil {
			return err
		}
		return c.api.Ping(ctx).Err()
	}}}
}

// Subscriptions wake the event streams of tasks when workers report on
// them, also workers in other processes when the bus has a transport.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: "tasks.*", Handler: func(_ context.Context, e bus.Envelope) error {
		ev, err := bus.PayloadAs[Event](e)
		if err != nil {
			return err
		}
		m.notify(ev.ID)
		return nil
	}}}
}

// Commands adds "worker": run only the worker, without HTTP, until SIGINT
// or SIGTERM.
func (m *Module) Commands() []webos.Command {
	return []webos.Command{{
		Name:    "worker",
		Summary: "run background tasks, without HTTP, until SIGINT or SIGTERM",
		Run: func(ctx context.Context, _ *webos.App, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("%w: worker takes no arguments", webos.ErrUsage)
			}
			if m.Embedded() {
				return errors.New("tasks: a separate worker needs a shared Redis: set WEBOS_REDIS_URL (the in-process Redis is private to one process)")
			}
			if err := m.StartWorker(); err != nil {
				return err
			}
			m.log.InfoContext(ctx, "worker running", "queues", m.queues, "concurrency", m.opts.Concurrency, "own_workers", m.own)
			<-ctx.Done()
			m.log.InfoContext(context.WithoutCancel(ctx), "worker stopping")
			return nil
		},
	}}
}

// qname is the asynq queue name of a queue.
func (m *Module) qname(queue string) string {
	if m.opts.Namespace == "" {
		return queue
	}
	return m.opts.Namespace + ":" + queue
}

func (m *Module) asynqOptions(c config) []asynq.Option {
	opts := []asynq.Option{
		asynq.Queue(m.qname(c.queue)),
		// One retry more than the task's own, which only deferred attempts
		// (see errDeferred) can use: asynq archives a task whose attempt
		// fails once it has had its retries, even when the failure counts
		// none. The worker ends a task that has had its own retries itself
		// (headerMaxRetry holds their number).
		asynq.MaxRetry(c.maxRetry + 1),
		asynq.Timeout(c.timeout),
		asynq.Retention(c.retention),
	}
	if c.delay > 0 {
		opts = append(opts, asynq.ProcessIn(c.delay))
	}
	return opts
}

// enqueue stores one task of type c.
func (m *Module) enqueue(ctx context.Context, c *core, payload []byte, opts []Option) (string, error) {
	cl := m.client.Load()
	if cl == nil {
		return "", fmt.Errorf("%w: the tasks module is not running", ErrUnavailable)
	}
	cfg, aopts := c.cfg, c.aopts
	if len(opts) > 0 {
		for _, o := range opts {
			o(&cfg)
		}
		if !slices.Contains(m.queues, cfg.queue) {
			return "", fmt.Errorf("tasks: %s: queue %q has no worker: name it in a definition or in Options.Queues", c.typ, cfg.queue)
		}
		if cfg.queue != c.cfg.queue && (c.cfg.workers > 0 || m.own[cfg.queue] > 0) {
			return "", fmt.Errorf("tasks: %s: queue %q: a type with workers of its own keeps its own queue, and no other type uses it", c.typ, cfg.queue)
		}
		aopts = m.asynqOptions(cfg)
	}
	owner := identity.ID(ctx)
	id := newTaskID()
	member := ""
	if owner != "" && m.opts.MaxQueuedPerUser > 0 {
		cn, err := m.connected()
		if err != nil {
			return "", err
		}
		member = taskKey(m.qname(cfg.queue), id)
		if err := m.reserve(ctx, cn, owner, member); err != nil {
			if !errors.Is(err, ErrTooManyTasks) {
				m.log.WarnContext(ctx, "enqueue failed: Redis unavailable", "task_type", c.typ, "err", err)
			}
			return "", err
		}
	}
	tid := trace.ID(ctx)
	if tid == "" {
		tid = trace.NewID()
	}
	headers := headerMaps.Get().(map[string]string)
	headers[headerTrace] = tid
	headers[headerEnqueued] = time.Now().UTC().Format(time.RFC3339Nano)
	headers[headerMaxRetry] = strconv.Itoa(cfg.maxRetry)
	if owner != "" {
		headers[headerUser] = owner
	}
	task := asynq.NewTaskWithHeaders(c.typ, payload, headers) // copies headers
	clear(headers)
	headerMaps.Put(headers)
	ectx, cancel := bound(ctx)
	info, err := cl.EnqueueContext(ectx, task, append(aopts[:len(aopts):len(aopts)], asynq.TaskID(id))...)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("tasks: enqueue %s: %w", c.typ, ctx.Err())
		}
		if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
			if member != "" {
				m.unreserve(ctx, owner, member)
			}
			return "", fmt.Errorf("tasks: enqueue %s: %w: %w", c.typ, webos.ErrConflict, err)
		}
		// The task may have been stored (Redis stopped answering): it stays
		// counted, and a recount drops it if it was not.
		m.log.WarnContext(ctx, "enqueue failed: Redis unavailable", "task_type", c.typ, "err", err)
		return "", unavailable(err)
	}
	return info.ID, nil
}

// headerMaps recycles the maps enqueue builds task headers in.
var headerMaps = sync.Pool{New: func() any { return make(map[string]string, 3) }}

// unavailableError hides the cause, which may name internal addresses,
// from clients; it is logged instead.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string {
	return ErrUnavailable.Error() + ": the task queue (Redis) cannot be reached"
}

func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

func unavailable(cause error) error {
	return &webos.RetryAfterError{Err: &unavailableError{cause: cause}, After: 5 * time.Second}
}

// PermAdmin is the permission that lets a user read and cancel every task
// and see the task monitor; the application's authorizer checks it.
const PermAdmin = "tasks.admin"

// Permissions declares [PermAdmin] for the admin console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermAdmin, Description: "Read and cancel every user's tasks; see the task monitor."}}
}
