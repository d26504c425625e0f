// Package tasks runs background jobs on Redis: typed task definitions that
// modules contribute, enqueued with the caller's user and trace id, run by
// workers in the application process or in separate processes, with
// progress, retries with backoff, timeouts, cancellation and a status
// anyone entitled can look up by task id.
//
// # Mental model
//
// A task type is defined once, in code, with [Define]: a name such as
// "report.generate", a handler that takes a typed payload and returns a
// result, and options (queue, retries, timeout, retention, whether HTTP
// clients may enqueue it). Modules hand their definitions to the tasks
// [Module] by implementing [Provider]. [Def.Enqueue] stores a task in Redis and
// returns its id as soon as Redis has it; from then on the task survives
// restarts of the application (with a Redis that persists). A worker picks
// it up and calls the handler with a context that carries the enqueuing
// user (identity.ID) and trace id, so logs and owner-scoped queries inside
// the task work as in the request that enqueued it.
//
// Inside the handler, [Progress] reports how far it is. A returned error
// fails the attempt: the task is retried after a growing wait until it has
// no retries left, when it counts as failed; an error wrapped with
// [Permanent] fails it at once. [Module.Cancel] ends a waiting task, or
// cancels the running handler's context. [Module.Status] tells queued,
// running (with progress), retrying, succeeded (with the result), failed
// (with the error) or cancelled, and the retry count — to the task's owner
// and to administrators only.
//
// Every change is appended to the task's event log in Redis and emitted on
// the bus (topics tasks.started, tasks.progress, tasks.succeeded, …, with an
// [Event] payload). GET /tasks/{id}/events streams the log as Server-Sent
// Events until the task ends, wherever the worker runs. Bus events reach
// other processes only when the bus has a transport (bus/redisbus); the
// stream does not rely on that.
//
// While Redis is unreachable, Enqueue fails with an error wrapping
// [ErrUnavailable] (HTTP 503) and GET /health reports "redis" down; workers
// keep trying and carry on when Redis is back, without a restart. A task
// that Enqueue acknowledged is in Redis: with a Redis that persists
// (appendonly), it survives Redis restarts. A worker waits up to 15 s for
// Redis to come back before it reports the outcome of a running task.
// Redis that accepts connections but does not answer costs a caller at most
// a few seconds: every Redis call made for a caller (enqueue, status,
// cancel, the monitor) has a deadline, the caller's or 3 s, whichever comes
// first, and then fails with ErrUnavailable (503 with Retry-After). An
// enqueue that timed out may still have been stored. A Redis that restarted
// empty, or was flushed, is taken up again as it is: the module registers
// its queues with asynq on every new connection.
//
// Tasks are delivered at least once: a worker that dies mid-task, or an
// outcome that cannot be recorded because Redis stays away, means the
// handler runs again — after asynq's lease on the task expires, a minute or
// two later. Make handlers idempotent where that matters.
//
// Queues are hibiken/asynq queues; its monitoring tools work on them.
//
// # Usage
//
//	type Params struct {
//		Steps int `json:"steps" validate:"min=1,max=100"`
//	}
//
//	// In the module's constructor:
//	m.generate = tasks.Define("report.generate", m.run, tasks.Expose("report.run"), tasks.MaxRetry(2))
//
//	func (m *Module) Tasks() []tasks.Definition { return []tasks.Definition{m.generate} }
//	func (m *Module) Requires() []string       { return []string{tasks.ModuleID} }
//
//	func (m *Module) run(ctx context.Context, p Params) (any, error) {
//		for i := range p.Steps {
//			// … one step of work …
//			tasks.Progress(ctx, (i+1)*100/p.Steps, fmt.Sprintf("step %d of %d", i+1, p.Steps))
//		}
//		return Report{Rows: p.Steps}, nil
//	}
//
//	// Anywhere with a request context:
//	id, err := m.generate.Enqueue(ctx, Params{Steps: 10})
//
// The application composes the module with its Redis URL:
//
//	tm := tasks.New(tasks.Options{RedisURL: cfg.RedisURL.Reveal()})
//	app := webos.New(cfg, tm, report.New(), …)
//
// Every route needs a signed-in user; an HTTP enqueue needs the permission
// its Expose names, and reading or cancelling other users' tasks needs
// [PermAdmin], both checked by the application's authorizer.
//
// # Per-user limits
//
// One user cannot take the queues from the others. A user may have at most
// Options.MaxQueuedPerUser unfinished tasks (default
// [DefaultMaxQueuedPerUser]): an enqueue beyond that, from Go or over HTTP,
// fails with an error wrapping [ErrTooManyTasks], which HTTP clients get as
// 429 Too Many Requests with a JSON {"error": …} and Retry-After. And the
// workers run at most Options.MaxRunningPerUser tasks of one user at once
// (default half of Options.Concurrency): a worker that takes up one more
// puts it back for a second or two, without counting a retry (its status
// stays queued), and serves other users meanwhile. A negative value turns
// a limit off. Both are counted in Redis, for every process that shares
// it, in one sorted set of task ids per user; a task leaves the count when
// it succeeds, fails or is cancelled, and whenever a user reaches a limit
// the count is checked against the tasks asynq still has, so that tasks
// that ended unnoticed (a worker died, Redis expired them) stop counting.
// Tasks enqueued without a user are not limited.
//
// # Heavy task types
//
// A definition with [Workers](n) gets a queue of its own, named after the
// type, which each worker process serves with n workers of its own,
// besides the Options.Concurrency workers of the shared queues: at most n
// of its tasks run at once in a process, the others wait in their queue
// in order (retries and put-back tasks rejoin it at the end), holding no
// worker, and they never take the workers of other types. For work whose memory and CPU are the machine's — decoding
// images, rendering documents; more worker processes run more of it.
//
// With no Redis URL the module runs an in-process Redis (and logs a warning
// saying so, with its address): right for trying things out, not for
// production. It listens on a free port of 127.0.0.1 and requires a random
// password, made at each start and kept only in the process's memory: it is
// never printed, logged or part of an error, so other local processes that
// find the port can neither read task payloads nor enqueue a task in
// someone's name. It keeps
// its data in tasks-redis.gob in the application's data folder
// (webos.Config.DataDir): saved every five seconds and at shutdown, loaded
// at start. So tasks survive a restart of the application: waiting ones
// run after it, finished ones keep their status, result and events for
// their retention, and one that a shutdown interrupted (the worker puts it
// back in its queue once Options.ShutdownTimeout has passed) runs again
// from the start. A crash loses what changed since the last save, and a
// task that was running then runs again once its lease expires. One
// process only: two applications on one data folder overwrite each
// other's saves. Without a data folder the in-process Redis keeps nothing.
//
// "worker" on the command line runs only the worker, to scale work out
// across machines; Options.NoWorker keeps web instances from running tasks.
package tasks
