package tasks

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/webos-go/webos"
)

// Defaults of a task definition that sets no option.
const (
	DefaultQueue     = "default"
	DefaultMaxRetry  = 3
	DefaultTimeout   = 30 * time.Minute
	DefaultRetention = 24 * time.Hour
)

// Errors of the package. Each wraps the kernel's error kind, so that HTTP
// handlers answer with the right status.
var (
	// ErrNotFound: no task with that id, or one the caller may not read.
	ErrNotFound = fmt.Errorf("tasks: %w", webos.ErrNotFound)
	// ErrUnavailable: Redis cannot be reached; nothing was enqueued.
	ErrUnavailable = fmt.Errorf("tasks: %w", webos.ErrUnavailable)
	// ErrFinished: the task has already ended and cannot be cancelled.
	ErrFinished = fmt.Errorf("tasks: %w: the task has already finished", webos.ErrConflict)
	// ErrNotRegistered: the definition is not registered with a started
	// tasks module (see [Provider]).
	ErrNotRegistered = errors.New("tasks: definition not registered with a tasks module")
	// ErrNoTask: [Progress] was called outside a task handler.
	ErrNoTask = errors.New("tasks: not inside a task handler")
	// ErrCancelled is the error of a task cancelled by [Module.Cancel].
	ErrCancelled = errors.New("tasks: cancelled")
	// ErrPermanent matches errors made by [Permanent].
	ErrPermanent = errors.New("tasks: permanent failure")
)

// Permanent marks err as a failure that retrying cannot fix, such as invalid
// input: returned from a handler, it fails the task at once, without the
// remaining retries. The task's error reads as err's text.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }

// Unwrap reaches err, ErrPermanent and asynq's SkipRetry, which makes the
// worker archive the task instead of retrying it.
func (e *permanentError) Unwrap() []error { return []error{e.err, ErrPermanent, asynq.SkipRetry} }

// IsPermanent reports whether err was made by [Permanent] (or otherwise
// asks the worker to skip retries).
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, asynq.SkipRetry)
}

// Provider is a module that defines background tasks. The tasks module
// collects the definitions of every module that implements it when it
// provisions, which is before the providers' own Provision: return
// definitions made in the module's constructor. A provider should require
// the tasks module (by [ModuleID]).
type Provider interface {
	Tasks() []Definition
}

func init() {
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(Provider); ok {
			return "tasks"
		}
		return ""
	})
}

// Definition is a task type as the tasks module sees it, whatever its
// payload type. [Define] makes one.
type Definition interface {
	// Type is the task type name, e.g. "report.generate".
	Type() string
	core() *core
}

// Def is a task type whose payload is a P: what [Define] returns and
// [Enqueue] takes.
type Def[P any] struct {
	c *core
}

// Type returns the task type name.
func (d *Def[P]) Type() string { return d.c.typ }

func (d *Def[P]) core() *core { return d.c }

// core is the payload-independent part of a definition.
type core struct {
	typ string
	cfg config
	// run decodes the payload and calls the handler.
	run func(ctx context.Context, payload []byte) (any, error)
	// decode reads and validates an HTTP request body as a payload.
	decode func(r *http.Request) ([]byte, error)
	// module is the tasks module the definition is registered with.
	module atomic.Pointer[Module]
	// aopts are the asynq options of an enqueue without options of its own.
	aopts []asynq.Option
}

var typePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$`)

// Define makes a task type named typeName (lowercase, dot-separated, such as
// "report.generate"; by convention the first segment is the module's ID)
// whose handler gets a payload of type P. P must survive a JSON round trip:
// payloads travel as JSON. The handler's result, which must marshal to
// JSON, is kept with the task for [Module.Status]; a returned error fails
// the attempt, and the task is retried with backoff until it has no retries
// left, unless the error is [Permanent].
//
// Options set the defaults of the type's tasks (queue, retries, timeout,
// retention, whether HTTP clients may enqueue it); enqueue options override
// them for one task. Define panics on a malformed type name or a nil
// handler: definitions are fixed in code.
func Define[P any](typeName string, handler func(ctx context.Context, p P) (result any, err error), opts ...Option) *Def[P] {
	if !typePattern.MatchString(typeName) {
		panic(fmt.Sprintf("tasks: Define(%q): want lowercase letters, digits, '_' or '-' in dot-separated segments", typeName))
	}
	if handler == nil {
		panic(fmt.Sprintf("tasks: Define(%q): nil handler", typeName))
	}
	c := &core{typ: typeName, cfg: defaultConfig()}
	for _, o := range opts {
		o(&c.cfg)
	}
	if c.cfg.workers > 0 {
		if c.cfg.queueSet {
			panic(fmt.Sprintf("tasks: Define(%q): Workers gives the type a queue of its own; drop Queue", typeName))
		}
		c.cfg.queue = typeName
	}
	c.run = func(ctx context.Context, payload []byte) (any, error) {
		var p P
		if len(payload) > 0 {
			if err := json.Unmarshal(payload, &p); err != nil {
				return nil, Permanent(fmt.Errorf("tasks: %s: decoding payload: %w", typeName, err))
			}
		}
		return handler(ctx, p)
	}
	c.decode = func(r *http.Request) ([]byte, error) {
		var p P
		if err := decodeBody(r, &p); err != nil {
			return nil, err
		}
		return json.Marshal(p)
	}
	return &Def[P]{c: c}
}

// decodeBody reads the request body into v with the kernel's rules; an
// empty body stands for the zero payload, which is still validated.
func decodeBody(r *http.Request, v any) error {
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); err == io.EOF {
		return webos.Validate(v)
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return webos.Decode(r, v)
}

// Enqueue adds a task of d's type with payload p to its queue and returns
// the task's id, once Redis has stored it:
//
//	id, err := m.generate.Enqueue(ctx, Params{Steps: 10})
//
// The caller's user (see
// [identity.ID]) becomes the task's owner, and it and the trace id of ctx
// are restored into the handler's context. opts override the definition's
// options for this task. When Redis cannot be reached the error wraps
// [ErrUnavailable] and nothing was enqueued — unless Redis stopped
// answering during the call, which then gives up after a few seconds and
// may have stored the task.
func (d *Def[P]) Enqueue(ctx context.Context, p P, opts ...Option) (string, error) {
	m := d.c.module.Load()
	if m == nil {
		return "", fmt.Errorf("%w: %q", ErrNotRegistered, d.c.typ)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("tasks: %s: encoding payload: %w", d.c.typ, err)
	}
	return m.enqueue(ctx, d.c, b, opts)
}

// Option configures a task definition (given to [Define]) or one task
// (given to [Enqueue]).
type Option func(*config)

type config struct {
	queue     string
	maxRetry  int
	timeout   time.Duration
	retention time.Duration
	backoff   func(attempt int, err error) time.Duration
	delay     time.Duration
	expose    bool
	perm      string // the permission an HTTP enqueue needs
	workers   int    // > 0: the type's own queue, served by this many workers of its own
	queueSet  bool   // Queue was given
}

func defaultConfig() config {
	return config{
		queue:     DefaultQueue,
		maxRetry:  DefaultMaxRetry,
		timeout:   DefaultTimeout,
		retention: DefaultRetention,
	}
}

// Queue puts tasks in the named queue (default [DefaultQueue]). The worker
// processes every queue that a registered definition uses.
func Queue(name string) Option {
	return func(c *config) {
		if name != "" {
			c.queue, c.queueSet = name, true
		}
	}
}

// Workers gives the type a queue of its own, named after the type, which
// each worker process serves with n workers of its own, besides the
// Options.Concurrency workers of the shared queues. So at most n of its
// tasks run at once in a process, the others wait in their queue — in
// the order they came, but for retries and tasks put back for the
// per-user limit, which rejoin it at the end — holding no worker, and the
// type's tasks never take the workers of the others: right for heavy work
// whose memory and CPU are the machine's (decoding images, rendering
// documents). More worker processes run more of them. No other type may
// name the queue (Provision fails). n <= 0 means no queue of its own.
// Workers is an option of the definition: given to Enqueue it has no
// effect; with [Queue] in the same definition, Define panics, since the
// queue is the type's.
func Workers(n int) Option { return func(c *config) { c.workers = max(n, 0) } }

// MaxRetry sets how many times a failed task is retried before it counts as
// failed (default [DefaultMaxRetry]); 0 means no retries.
func MaxRetry(n int) Option { return func(c *config) { c.maxRetry = max(n, 0) } }

// Timeout bounds one attempt (default [DefaultTimeout]; 0 also means the
// default): the handler's context ends then, and the attempt fails. It is
// rounded up to whole seconds.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = roundUpSecond(d) } }

// Retention keeps a finished task, its status and its result, for d after it
// succeeded (default [DefaultRetention]). It is rounded up to whole seconds.
// Failed and cancelled tasks are kept by Redis for up to 90 days.
func Retention(d time.Duration) Option { return func(c *config) { c.retention = roundUpSecond(d) } }

// Backoff sets the wait before retry number attempt+1 (attempt counts the
// retries so far, from 0), given the error of the failed attempt. Waits are
// rounded down to whole seconds. The default doubles from 2 s, with up to
// 25 % jitter, and stops growing at 10 minutes. Backoff is an option of
// the definition: given to Enqueue it has no effect.
func Backoff(fn func(attempt int, err error) time.Duration) Option {
	return func(c *config) { c.backoff = fn }
}

// Delay runs the task no earlier than d from now.
func Delay(d time.Duration) Option { return func(c *config) { c.delay = max(d, 0) } }

// Expose lets HTTP clients who hold perm enqueue tasks of the type with
// POST /tasks/{type}, the JSON body being the payload, which is validated
// by its `validate` tags; the application's authorizer checks perm (401
// without a user, 403 without it). Without Expose only Go code enqueues
// it. Expose is an option of the definition: given to Enqueue it has no
// effect. It panics on an empty perm: an exposed task names who may run it.
func Expose(perm string) Option {
	if perm == "" {
		panic("tasks: Expose needs a permission")
	}
	return func(c *config) { c.expose, c.perm = true, perm }
}

func roundUpSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
