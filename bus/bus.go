package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// ErrClosed is returned by Emit once Close has been called.
var ErrClosed = errors.New("bus: closed")

// ErrTransport wraps the error of a [Transport] that failed to publish an
// event to the other instances. The event was still delivered to the
// subscribers in this process.
var ErrTransport = errors.New("bus: publishing to other instances failed")

// DefaultQueueSize is the queue size of a bus whose Options leave it zero.
const DefaultQueueSize = 1024

// Handler handles one event. Its context carries the emitter's trace id and
// acting user (see [trace.ID] and [identity.ID]) but not the emitter's
// cancellation: it is cancelled only when [Bus.Close] gives up waiting. A
// returned error or a panic is logged and affects nothing else.
type Handler func(ctx context.Context, e Envelope) error

// Subscription pairs a topic pattern with its handler. Modules list theirs
// and the application subscribes them when the module starts.
type Subscription struct {
	// Pattern selects topics; see [ValidatePattern] for its syntax.
	Pattern string
	// Handler is called for each matching event.
	Handler Handler
}

// Options configure a [Bus]. The zero value is a working in-process bus.
type Options struct {
	// Workers is how many handlers may run at once; 0 means
	// 4*GOMAXPROCS.
	Workers int
	// QueueSize bounds the handler calls waiting for a worker (one per
	// matching subscription of each event); 0 means [DefaultQueueSize].
	// When the queue is full, Emit waits for room.
	QueueSize int
	// Logger receives failures of handlers and of the transport; nil means
	// slog.Default().
	Logger *slog.Logger
	// Transport carries events to and from other instances of the
	// application; nil means this process only. Each bus needs its own
	// transport, which its Close closes.
	Transport Transport
	// HandlerTimeout bounds each handler call: its context is cancelled
	// after it, and a call that overran is logged. 0 means
	// [DefaultHandlerTimeout]; negative means no limit. A handler that
	// ignores its context still holds its worker until it returns.
	HandlerTimeout time.Duration
}

// DefaultHandlerTimeout is the handler time limit when Options leave it 0.
const DefaultHandlerTimeout = time.Minute

// Bus delivers events to the subscribers whose pattern matches their topic,
// asynchronously, on a bounded pool of workers. Make one with [New]; all
// methods are safe for concurrent use.
type Bus struct {
	log       *slog.Logger
	transport Transport
	workers   int
	queueSize int
	timeout   time.Duration // per handler call; negative: none

	// ctx is the parent of every handler context, owned by the bus.
	ctx    context.Context
	cancel context.CancelFunc
	// logCtx is ctx marked like a handler's, so that a log handler that
	// emits events never waits for room in the queue.
	logCtx context.Context

	subs  atomic.Pointer[[]*subscription] // copy on write
	subMu sync.Mutex                      // serialises writers of subs

	mu       sync.Mutex
	work     sync.Cond // a job was queued, or the workers should stop
	queue    jobQueue
	waiters  []*waiter // emitters waiting for room, first come first served
	state    state
	stopping bool // workers return once the queue is empty
	live     int  // workers that have not returned
	wg       sync.WaitGroup

	closeOnce sync.Once
	done      chan struct{} // closed when Close has drained everything
}

type state int

const (
	open     state = iota
	draining       // Close was called: no new emits except from handlers
	stopped        // drained, or Close gave up: nothing is accepted
)

type subscription struct {
	pattern   pattern
	handler   Handler
	cancelled atomic.Bool
}

// job is one handler call for one event.
type job struct {
	ctx context.Context
	env Envelope
	sub *subscription
}

// waiter is an emitter waiting for room in the queue.
type waiter struct {
	jobs  []job
	ready chan struct{} // closed once the jobs are queued or refused
	err   error         // set before ready is closed
}

type handlerKey struct{}

// New returns a running bus. Close it to stop its workers.
func New(opts Options) *Bus {
	b := &Bus{
		log:       opts.Logger,
		transport: opts.Transport,
		workers:   opts.Workers,
		queueSize: opts.QueueSize,
		timeout:   opts.HandlerTimeout,
		done:      make(chan struct{}),
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.workers <= 0 {
		b.workers = 4 * runtime.GOMAXPROCS(0)
	}
	if b.queueSize <= 0 {
		b.queueSize = DefaultQueueSize
	}
	if b.timeout == 0 {
		b.timeout = DefaultHandlerTimeout
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.logCtx = context.WithValue(b.ctx, handlerKey{}, b)
	b.work.L = &b.mu
	b.subs.Store(new([]*subscription))
	b.live = b.workers
	b.wg.Add(b.workers)
	for range b.workers {
		go b.worker()
	}
	if b.transport != nil {
		b.transport.Listen(b.deliverRemote)
	}
	return b
}

// Subscribe calls h for every event whose topic matches pattern, from the
// next Emit on. It panics when pattern is malformed (see [ValidatePattern])
// or h is nil: patterns are fixed in code, so that is a programming error;
// use [Bus.SubscribeAll] to get an error instead.
//
// Calling cancel ends the subscription: once it returns, h gets no further
// calls, queued ones included, except one a worker had already begun,
// which finishes. Calling cancel again does nothing.
func (b *Bus) Subscribe(pattern string, h Handler) (cancel func()) {
	p, err := compile(pattern)
	if err != nil {
		panic(err)
	}
	if h == nil {
		panic("bus: Subscribe with a nil handler")
	}
	s := &subscription{pattern: p, handler: h}
	b.subMu.Lock()
	next := append(slices.Clip(*b.subs.Load()), s)
	b.subs.Store(&next)
	b.subMu.Unlock()
	return func() { b.unsubscribe(s) }
}

// SubscribeAll subscribes every subscription in subs, or none of them when
// one is malformed, which it reports as an error wrapping
// [ErrInvalidPattern]. Calling cancel ends them all.
func (b *Bus) SubscribeAll(subs []Subscription) (cancel func(), err error) {
	for i, s := range subs {
		if err := ValidatePattern(s.Pattern); err != nil {
			return nil, fmt.Errorf("subscription %d: %w", i, err)
		}
		if s.Handler == nil {
			return nil, fmt.Errorf("subscription %d (%q): nil handler", i, s.Pattern)
		}
	}
	cancels := make([]func(), len(subs))
	for i, s := range subs {
		cancels[i] = b.Subscribe(s.Pattern, s.Handler)
	}
	return func() {
		for _, c := range cancels {
			c()
		}
	}, nil
}

func (b *Bus) unsubscribe(s *subscription) {
	if s.cancelled.Swap(true) {
		return
	}
	b.subMu.Lock()
	defer b.subMu.Unlock()
	next := slices.DeleteFunc(slices.Clone(*b.subs.Load()), func(x *subscription) bool { return x == s })
	b.subs.Store(&next)
}

// Emit publishes an event and returns without waiting for handlers: each
// subscription whose pattern matches topic gets a call to its handler on
// the worker pool, with the payload and with ctx's trace id (a new one if
// ctx has none) and acting user. Handlers run concurrently, in no
// particular order, also for successive events. A failing or panicking
// handler is logged and never affects the emitter or other handlers.
//
// When the queue is full, Emit waits for room until ctx is done and then
// returns ctx's error; the event was then not delivered anywhere. Nothing is
// dropped silently. Emit from inside a handler never waits (a pool whose
// workers all wait for room would never make any), so the queue may
// briefly outgrow its size. Once the event is queued, ctx no longer
// matters: the handlers and the transport do not see its cancellation.
//
// With a [Transport], the event also goes to the other instances; if that
// fails, Emit returns an error wrapping [ErrTransport] after delivering
// locally. Emit returns an error wrapping [ErrInvalidTopic] for a malformed
// topic, and [ErrClosed] once Close was called (except from handlers still
// being drained).
func (b *Bus) Emit(ctx context.Context, topic string, payload any) error {
	if err := ValidateTopic(topic); err != nil {
		return err
	}
	now := time.Now().UTC()
	e := Envelope{
		ID:      newID(now),
		Topic:   topic,
		Payload: payload,
		Time:    now,
		TraceID: trace.ID(ctx),
		UserID:  identity.ID(ctx),
	}
	if e.TraceID == "" {
		e.TraceID = trace.NewID()
	}
	fromHandler := ctx.Value(handlerKey{}) == b
	if err := b.enqueue(ctx, e, fromHandler, false); err != nil {
		return err
	}
	if b.transport != nil {
		if err := b.transport.Publish(context.WithoutCancel(ctx), e); err != nil {
			return fmt.Errorf("%w: event %q: %w", ErrTransport, topic, err)
		}
	}
	return nil
}

// deliverRemote queues an event that the transport received from another
// instance.
func (b *Bus) deliverRemote(e Envelope) {
	if err := b.enqueue(b.ctx, e, false, true); err != nil {
		b.log.LogAttrs(b.logCtx, slog.LevelWarn, "bus: event from another instance not delivered",
			slog.String("topic", e.Topic), slog.String("event_id", e.ID),
			slog.String("trace_id", e.TraceID), slog.Any("err", err))
	}
}

// enqueue queues one job per subscription matching e. It waits for room in
// the queue unless force; remote events are accepted while draining.
func (b *Bus) enqueue(ctx context.Context, e Envelope, force, remote bool) error {
	subs := *b.subs.Load()
	var buf [4]job
	jobs := buf[:0]
	var hctx context.Context
	for _, s := range subs {
		if !s.pattern.match(e.Topic) {
			continue
		}
		if hctx == nil {
			hctx = b.handlerContext(e)
		}
		jobs = append(jobs, job{ctx: hctx, env: e, sub: s})
	}

	b.mu.Lock()
	switch {
	case b.state == stopped, b.live == 0,
		b.state == draining && !force && !remote:
		b.mu.Unlock()
		return ErrClosed
	case len(jobs) == 0:
		b.mu.Unlock()
		return nil
	case force || len(b.waiters) == 0 && b.fits(len(jobs)):
		b.push(jobs)
		b.mu.Unlock()
		return nil
	}
	w := &waiter{jobs: slices.Clone(jobs), ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()

	select {
	case <-w.ready:
		return w.err
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // let in or refused while we took the lock
		return w.err
	default:
	}
	b.waiters = slices.DeleteFunc(b.waiters, func(x *waiter) bool { return x == w })
	b.admit() // w may have been holding up smaller events behind it
	return fmt.Errorf("bus: waiting for room in the queue: %w", ctx.Err())
}

func (b *Bus) handlerContext(e Envelope) context.Context {
	ctx := context.WithValue(b.ctx, handlerKey{}, b)
	ctx = trace.WithID(ctx, e.TraceID)
	if e.UserID != "" {
		ctx = identity.With(ctx, identity.Subject(e.UserID))
	}
	return ctx
}

// fits reports whether n more jobs fit in the queue. An event with more
// subscribers than the queue holds fits an empty queue. b.mu is held.
func (b *Bus) fits(n int) bool {
	return b.queue.len() == 0 || b.queue.len()+n <= b.queueSize
}

// push queues jobs and wakes workers for them. b.mu is held.
func (b *Bus) push(jobs []job) {
	for _, j := range jobs {
		b.queue.push(j)
	}
	for range min(len(jobs), b.workers) {
		b.work.Signal()
	}
}

// admit lets in waiting emitters, in order, while their events fit. b.mu is
// held.
func (b *Bus) admit() {
	for len(b.waiters) > 0 && b.fits(len(b.waiters[0].jobs)) {
		w := b.waiters[0]
		b.waiters[0] = nil
		b.waiters = b.waiters[1:]
		b.push(w.jobs)
		close(w.ready)
	}
}

func (b *Bus) worker() {
	defer b.wg.Done()
	b.mu.Lock()
	for {
		for b.queue.len() == 0 && !b.stopping {
			b.work.Wait()
		}
		if b.queue.len() == 0 {
			b.live--
			b.mu.Unlock()
			return
		}
		j := b.queue.pop()
		b.admit()
		b.mu.Unlock()
		b.run(j)
		b.mu.Lock()
	}
}

// run calls one handler, turning its error or panic into a log record.
func (b *Bus) run(j job) {
	if j.sub.cancelled.Load() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			b.logFailure(j, "bus: handler panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	ctx := j.ctx
	if b.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.timeout)
		defer cancel()
	}
	err := j.sub.handler(ctx, j.env)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		b.logFailure(j, "bus: handler overran its time limit", slog.Duration("limit", b.timeout), slog.Any("err", err))
		return
	}
	if err != nil {
		b.logFailure(j, "bus: handler failed", slog.Any("err", err))
	}
}

// logFailure logs with the event's ids as attributes, under a context
// without them so that a context-aware log handler does not add them twice.
func (b *Bus) logFailure(j job, msg string, attrs ...slog.Attr) {
	base := []slog.Attr{
		slog.String("topic", j.env.Topic),
		slog.String("pattern", j.sub.pattern.raw),
		slog.String("event_id", j.env.ID),
		slog.String("trace_id", j.env.TraceID),
	}
	if j.env.UserID != "" {
		base = append(base, slog.String("user_id", j.env.UserID))
	}
	b.log.LogAttrs(b.logCtx, slog.LevelError, msg, append(base, attrs...)...)
}

// Close stops the bus: Emit returns [ErrClosed] from then on, the transport
// is closed, and Close waits until every handler call queued or running has
// finished — including calls for emitters that were waiting for room and
// for events that handlers emit meanwhile — and the workers have exited.
//
// If ctx is done first, Close drops the calls still queued (logging how
// many), cancels the context of the handlers still running and returns an
// error wrapping ctx's error; it does not wait for those handlers. Calling
// Close again waits for the same drain.
func (b *Bus) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.state = draining
		b.mu.Unlock()
		go b.drain()
	})
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-b.done:
		return nil
	default:
	}
	if n := b.abort(); n > 0 {
		return fmt.Errorf("bus: close: %d handler calls not made: %w", n, ctx.Err())
	}
	return fmt.Errorf("bus: close: %w", ctx.Err())
}

func (b *Bus) drain() {
	if b.transport != nil {
		// Close stops remote deliveries; the workers keep making room for
		// any that are waiting.
		if err := b.transport.Close(); err != nil {
			b.log.LogAttrs(b.logCtx, slog.LevelWarn, "bus: closing transport", slog.Any("err", err))
		}
	}
	b.mu.Lock()
	b.stopping = true
	b.work.Broadcast()
	b.mu.Unlock()
	b.wg.Wait()
	b.mu.Lock()
	b.state = stopped
	b.mu.Unlock()
	b.cancel()
	close(b.done)
}

// abort gives up draining: it empties the queue, refuses waiting emitters
// and cancels running handlers. It returns how many handler calls were
// dropped.
func (b *Bus) abort() int {
	b.mu.Lock()
	if b.state == stopped {
		b.mu.Unlock()
		return 0
	}
	b.state = stopped
	n := b.queue.reset()
	for _, w := range b.waiters {
		n += len(w.jobs)
		w.err = ErrClosed
		close(w.ready)
	}
	b.waiters = nil
	b.stopping = true
	b.work.Broadcast()
	b.mu.Unlock()
	b.cancel()
	if n > 0 { // logged outside the lock: a log handler may emit events
		b.log.LogAttrs(b.logCtx, slog.LevelError, "bus: closed before draining", slog.Int("dropped", n))
	}
	return n
}
