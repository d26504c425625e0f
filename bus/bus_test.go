package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/webos-go/webos/internal/testenv"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// logBuffer collects log output from concurrent handlers.
type logBuffer = testenv.Buffer

func newLogger() (*slog.Logger, *logBuffer) {
	lb := new(logBuffer)
	return slog.New(slog.NewJSONHandler(lb, nil)), lb
}

// waitUntil waits for cond to hold, checking it again whenever other
// goroutines had a chance to run, for at most ten seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func closeBus(t testing.TB, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// received records what one handler saw.
type received struct {
	env     bus.Envelope
	traceID string
	userID  string
}

type recorder struct {
	mu   sync.Mutex
	got  []received
	errs []error
}

func (r *recorder) handle(ctx context.Context, e bus.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, received{env: e, traceID: trace.ID(ctx), userID: identity.ID(ctx)})
	if err := ctx.Err(); err != nil {
		r.errs = append(r.errs, err)
	}
	return nil
}

func (r *recorder) list() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type note struct{ Text string }

func TestEmitDeliversToMatchingSubscribers(t *testing.T) {
	b := bus.New(bus.Options{})
	patterns := map[string]bool{ // pattern → should receive "test.event"
		"test.event":      true,
		"test.*":          true,
		"*.event":         true,
		"**":              true,
		"test.**":         true,
		"other.event":     false,
		"test.event.sub":  false,
		"test":            false,
		"test.*.*":        false,
		"test.event.**":   false,
		"tests.event":     false,
		"test.eventually": false,
	}
	recs := map[string]*recorder{}
	for p := range patterns {
		recs[p] = new(recorder)
		b.Subscribe(p, recs[p].handle)
	}
	second := new(recorder) // a second subscriber with the same pattern
	b.Subscribe("test.event", second.handle)

	traceID := trace.NewID()
	ctx := identity.With(trace.WithID(context.Background(), traceID), identity.Subject("u-7"))
	before := time.Now()
	if err := b.Emit(ctx, "test.event", note{"hello"}); err != nil {
		t.Fatalf("Emit: %v", err)
	}
	closeBus(t, b)

	var id string
	for p, want := range patterns {
		got := recs[p].list()
		if !want {
			if len(got) != 0 {
				t.Errorf("pattern %q: got %d events, want none", p, len(got))
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("pattern %q: got %d events, want 1", p, len(got))
		}
		r := got[0]
		if r.env.Payload != (note{"hello"}) || r.env.Topic != "test.event" {
			t.Errorf("pattern %q: envelope %+v", p, r.env)
		}
		if r.traceID != traceID || r.env.TraceID != traceID {
			t.Errorf("pattern %q: trace id ctx %q envelope %q, want %q", p, r.traceID, r.env.TraceID, traceID)
		}
		if r.userID != "u-7" || r.env.UserID != "u-7" {
			t.Errorf("pattern %q: user ctx %q envelope %q, want u-7", p, r.userID, r.env.UserID)
		}
		if id == "" {
			id = r.env.ID
		} else if r.env.ID != id {
			t.Errorf("pattern %q: event id %q, others saw %q", p, r.env.ID, id)
		}
		if r.env.Time.Location() != time.UTC || r.env.Time.Before(before.Add(-time.Millisecond)) || time.Since(r.env.Time) > time.Minute {
			t.Errorf("pattern %q: time %v", p, r.env.Time)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("event id %q is not 32 hex digits", id)
	}
	if n := len(second.list()); n != 1 {
		t.Errorf("second subscriber of the same pattern got %d events, want 1", n)
	}
}

func TestEmitWithoutTraceGetsOne(t *testing.T) {
	b := bus.New(bus.Options{})
	rec := new(recorder)
	b.Subscribe("a", rec.handle)
	if err := b.Emit(context.Background(), "a", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Emit(context.Background(), "a", nil); err != nil {
		t.Fatal(err)
	}
	closeBus(t, b)
	got := rec.list()
	if len(got) != 2 {
		t.Fatalf("got %d events", len(got))
	}
	for _, r := range got {
		if len(r.traceID) != 32 || r.traceID != r.env.TraceID || r.userID != "" {
			t.Errorf("trace %q (envelope %q), user %q", r.traceID, r.env.TraceID, r.userID)
		}
	}
	if got[0].env.ID == got[1].env.ID || got[0].traceID == got[1].traceID {
		t.Errorf("two events share ids: %+v", got)
	}
}

func TestFailingHandlersDoNotHurtOthers(t *testing.T) {
	log, logs := newLogger()
	b := bus.New(bus.Options{Logger: log})
	good := new(recorder)
	b.Subscribe("job.*", func(context.Context, bus.Envelope) error { panic("boom") })
	b.Subscribe("job.done", good.handle)
	b.Subscribe("**", func(context.Context, bus.Envelope) error { return errors.New("no luck") })
	late := new(recorder)
	b.Subscribe("job.done", late.handle)

	ctx := trace.WithID(context.Background(), "0123456789abcdef0123456789abcdef")
	for range 3 {
		if err := b.Emit(ctx, "job.done", 1); err != nil {
			t.Fatalf("Emit: %v", err)
		}
	}
	closeBus(t, b)
	if len(good.list()) != 3 || len(late.list()) != 3 {
		t.Errorf("healthy subscribers got %d and %d events, want 3 each", len(good.list()), len(late.list()))
	}
	out := logs.String()
	for _, want := range []string{
		`"msg":"bus: handler panicked"`, `"panic":"boom"`, `"pattern":"job.*"`, `"stack":`,
		`"msg":"bus: handler failed"`, `"err":"no luck"`, `"pattern":"**"`,
		`"topic":"job.done"`, `"trace_id":"0123456789abcdef0123456789abcdef"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "handler panicked"); n != 3 {
		t.Errorf("%d panics logged, want 3", n)
	}
}

func TestHandlerContextOutlivesEmitter(t *testing.T) {
	b := bus.New(bus.Options{})
	release := make(chan struct{})
	result := make(chan error, 1)
	b.Subscribe("slow", func(ctx context.Context, e bus.Envelope) error {
		<-release
		result <- ctx.Err()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Emit(ctx, "slow", nil); err != nil {
		t.Fatal(err)
	}
	cancel() // the request that emitted is over
	close(release)
	if err := <-result; err != nil {
		t.Errorf("handler context: %v, want not cancelled", err)
	}
	closeBus(t, b)
}

func TestCancelStopsDelivery(t *testing.T) {
	b := bus.New(bus.Options{Workers: 1})
	block := make(chan struct{})
	started := make(chan struct{})
	b.Subscribe("block", func(context.Context, bus.Envelope) error {
		close(started)
		<-block
		return nil
	})
	kept, dropped, queued := new(recorder), new(recorder), new(recorder)
	b.Subscribe("x", kept.handle)
	cancelDropped := b.Subscribe("x", dropped.handle)
	cancelQueued := b.Subscribe("y", queued.handle)

	cancelDropped()
	cancelDropped() // a second call does nothing
	if err := b.Emit(context.Background(), "x", nil); err != nil {
		t.Fatal(err)
	}
	// Occupy the only worker, queue an event, then cancel its subscriber
	// before the worker gets to it.
	if err := b.Emit(context.Background(), "block", nil); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := b.Emit(context.Background(), "y", nil); err != nil {
		t.Fatal(err)
	}
	cancelQueued()
	close(block)
	closeBus(t, b)

	if n := len(kept.list()); n != 1 {
		t.Errorf("kept subscriber got %d events, want 1", n)
	}
	if n := len(dropped.list()); n != 0 {
		t.Errorf("cancelled subscriber got %d events", n)
	}
	if n := len(queued.list()); n != 0 {
		t.Errorf("subscriber cancelled while its call was queued got %d events", n)
	}
}

func TestCloseDrains(t *testing.T) {
	b := bus.New(bus.Options{Workers: 2, QueueSize: 4})
	var handled atomic.Int64
	b.Subscribe("work.*", func(context.Context, bus.Envelope) error {
		time.Sleep(100 * time.Microsecond)
		handled.Add(1)
		return nil
	})
	const emitters, each = 4, 50
	var wg sync.WaitGroup
	for range emitters {
		wg.Go(func() {
			for i := range each {
				if err := b.Emit(context.Background(), "work.item", i); err != nil {
					t.Errorf("Emit: %v", err)
				}
			}
		})
	}
	wg.Wait()
	closeBus(t, b)
	if n := handled.Load(); n != emitters*each {
		t.Errorf("handled %d events by the time Close returned, want %d", n, emitters*each)
	}
}

func TestCloseWaitsForEmittersAndCascades(t *testing.T) {
	b := bus.New(bus.Options{Workers: 1, QueueSize: 1})
	var leaves atomic.Int64
	release := make(chan struct{})
	running := make(chan struct{}, 3)
	b.Subscribe("root", func(ctx context.Context, e bus.Envelope) error {
		running <- struct{}{}
		<-release
		// Emitting from a handler works while the bus drains, and never
		// waits for room even though the queue is full.
		for range 3 {
			if err := b.Emit(ctx, "leaf", nil); err != nil {
				return err
			}
		}
		return nil
	})
	b.Subscribe("leaf", func(context.Context, bus.Envelope) error {
		leaves.Add(1)
		return nil
	})
	for range 3 { // one runs, one is queued, one waits for room
		go func() {
			if err := b.Emit(context.Background(), "root", nil); err != nil {
				t.Errorf("Emit: %v", err)
			}
		}()
	}
	<-running
	waitUntil(t, "one event queued and one emitter waiting", func() bool {
		queued, waiting := bus.Pending(b)
		return queued == 1 && waiting == 1
	})
	closed := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- b.Close(ctx)
	}()
	// An event nobody subscribes to is refused, without side effects, once
	// Close has begun.
	waitUntil(t, "Close to begin", func() bool {
		return errors.Is(b.Emit(context.Background(), "nobody.listens", nil), bus.ErrClosed)
	})
	if err := b.Emit(context.Background(), "leaf", nil); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Emit while closing: %v, want ErrClosed", err)
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := leaves.Load(); n != 9 {
		t.Errorf("%d cascaded events handled, want 9", n)
	}
}

func TestEmitAfterClose(t *testing.T) {
	b := bus.New(bus.Options{})
	closeBus(t, b)
	if err := b.Emit(context.Background(), "a.b", nil); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Emit after Close: %v, want ErrClosed", err)
	}
	closeBus(t, b) // closing twice is fine
}

func TestCloseGivesUp(t *testing.T) {
	log, logs := newLogger()
	b := bus.New(bus.Options{Workers: 1, Logger: log})
	started := make(chan struct{}, 1)
	stopped := make(chan error, 1)
	b.Subscribe("stuck", func(ctx context.Context, e bus.Envelope) error {
		started <- struct{}{}
		<-ctx.Done()
		stopped <- ctx.Err()
		return nil
	})
	for range 3 {
		if err := b.Emit(context.Background(), "stuck", nil); err != nil {
			t.Fatal(err)
		}
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := b.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "2 handler calls") {
		t.Errorf("Close: %v, want deadline exceeded with 2 calls dropped", err)
	}
	if err := <-stopped; !errors.Is(err, context.Canceled) {
		t.Errorf("running handler's context: %v, want canceled", err)
	}
	if !strings.Contains(logs.String(), `"dropped":2`) {
		t.Errorf("dropped calls not logged:\n%s", logs)
	}
	if err := b.Emit(context.Background(), "stuck", nil); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Emit after Close: %v", err)
	}
}

func TestEmitWaitsForRoom(t *testing.T) {
	b := bus.New(bus.Options{Workers: 1, QueueSize: 1})
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	var handled atomic.Int64
	b.Subscribe("q", func(context.Context, bus.Envelope) error {
		started <- struct{}{}
		<-release
		handled.Add(1)
		return nil
	})
	emit := func(ctx context.Context) error { return b.Emit(ctx, "q", nil) }
	if err := emit(context.Background()); err != nil { // runs
		t.Fatal(err)
	}
	<-started
	if err := emit(context.Background()); err != nil { // queued
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := emit(ctx); !errors.Is(err, context.DeadlineExceeded) { // no room
		t.Fatalf("Emit into a full queue: %v, want deadline exceeded", err)
	}
	done := make(chan error)
	go func() { done <- emit(context.Background()) }() // waits for room
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("waiting Emit: %v", err)
	}
	closeBus(t, b)
	if n := handled.Load(); n != 3 {
		t.Errorf("handled %d events, want 3 (the one that timed out is not delivered)", n)
	}
}

func TestPoolIsBounded(t *testing.T) {
	const workers = 3
	b := bus.New(bus.Options{Workers: workers})
	var running, peak atomic.Int64
	all := make(chan struct{})
	var once sync.Once
	b.Subscribe("load", func(context.Context, bus.Envelope) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if n == workers {
			once.Do(func() { close(all) })
		}
		select { // the first handlers wait until the pool is full
		case <-all:
		case <-time.After(5 * time.Second):
		}
		time.Sleep(50 * time.Microsecond)
		return nil
	})
	for i := range 200 {
		if err := b.Emit(context.Background(), "load", i); err != nil {
			t.Fatal(err)
		}
	}
	closeBus(t, b)
	if p := peak.Load(); p != workers {
		t.Errorf("at most %d handlers ran at once, want exactly %d", p, workers)
	}
}

func TestEmitRejectsBadTopics(t *testing.T) {
	b := bus.New(bus.Options{})
	defer closeBus(t, b)
	for _, topic := range []string{"", "a..b", ".a", "a.", "a.*", "**", "a b", "a.\n"} {
		if err := b.Emit(context.Background(), topic, nil); !errors.Is(err, bus.ErrInvalidTopic) {
			t.Errorf("Emit(%q): %v, want ErrInvalidTopic", topic, err)
		}
	}
}

func TestSubscribeValidates(t *testing.T) {
	b := bus.New(bus.Options{})
	defer closeBus(t, b)
	func() {
		defer func() {
			r := recover()
			if err, ok := r.(error); !ok || !errors.Is(err, bus.ErrInvalidPattern) {
				t.Errorf("Subscribe with a bad pattern panicked with %v, want ErrInvalidPattern", r)
			}
		}()
		b.Subscribe("a..b", func(context.Context, bus.Envelope) error { return nil })
	}()

	rec := new(recorder)
	handled := make(chan struct{}, 10)
	handle := func(ctx context.Context, e bus.Envelope) error {
		defer func() { handled <- struct{}{} }()
		return rec.handle(ctx, e)
	}
	_, err := b.SubscribeAll([]bus.Subscription{{Pattern: "ok", Handler: handle}, {Pattern: "**.x", Handler: handle}})
	if !errors.Is(err, bus.ErrInvalidPattern) {
		t.Errorf("SubscribeAll: %v, want ErrInvalidPattern", err)
	}
	cancel, err := b.SubscribeAll([]bus.Subscription{{Pattern: "one", Handler: handle}, {Pattern: "two.*", Handler: handle}})
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Emit(context.Background(), "ok", nil) // the failed SubscribeAll subscribed nothing
	_ = b.Emit(context.Background(), "one", nil)
	_ = b.Emit(context.Background(), "two.x", nil)
	<-handled
	<-handled
	cancel()
	_ = b.Emit(context.Background(), "one", nil)
	closeBus(t, b)
	if got := rec.list(); len(got) != 2 || got[0].env.Topic == "ok" || got[1].env.Topic == "ok" {
		t.Errorf("SubscribeAll delivered %+v", got)
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, topic string
		want           bool
	}{
		{"a", "a", true},
		{"a", "b", false},
		{"a", "a.b", false},
		{"a.b", "a", false},
		{"a.b", "a.b", true},
		{"settings.*", "settings.changed", true},
		{"settings.*", "settings", false},
		{"settings.*", "settings.blog.changed", false},
		{"*", "a", true},
		{"*", "a.b", false},
		{"*.b", "a.b", true},
		{"*.b", "a.c", false},
		{"a.*.c", "a.b.c", true},
		{"a.*.c", "a.c", false},
		{"*.*", "a.b", true},
		{"**", "a", true},
		{"**", "a.b.c", true},
		{"a.**", "a", false},
		{"a.**", "a.b", true},
		{"a.**", "a.b.c.d", true},
		{"a.**", "ab.c", false},
		{"*.**", "a.b", true},
		{"*.**", "a", false},
		{"a.b", "a.bc", false},
		{"ab", "a", false},
		{"a.b", "", false},
		{"**", "", false},
		{"a..b", "a..b", false}, // malformed patterns match nothing
		{"a.**.c", "a.b.c", false},
		{"a*", "a*", false},
		{"", "", false},
	}
	for _, c := range cases {
		if got := bus.Match(c.pattern, c.topic); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.topic, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []string{"a", "a.b", "*", "**", "a.*", "*.b", "a.**", "*.*.**", "files.saved-2", "ü.ß"} {
		if err := bus.ValidatePattern(p); err != nil {
			t.Errorf("ValidatePattern(%q): %v", p, err)
		}
	}
	for _, p := range []string{"", ".", "a.", ".a", "a..b", "**.a", "a.**.b", "a*", "*a", "a.***", "a b", "a\tb"} {
		if err := bus.ValidatePattern(p); !errors.Is(err, bus.ErrInvalidPattern) {
			t.Errorf("ValidatePattern(%q): %v, want ErrInvalidPattern", p, err)
		}
	}
	for _, topic := range []string{"a", "a.b.c", "user-42.saved"} {
		if err := bus.ValidateTopic(topic); err != nil {
			t.Errorf("ValidateTopic(%q): %v", topic, err)
		}
	}
	for _, topic := range []string{"", "a.", "*", "a.*", "a.**", "a b"} {
		if err := bus.ValidateTopic(topic); !errors.Is(err, bus.ErrInvalidTopic) {
			t.Errorf("ValidateTopic(%q): %v, want ErrInvalidTopic", topic, err)
		}
	}
}

type failingTransport struct{ listened atomic.Bool }

func (f *failingTransport) Publish(context.Context, bus.Envelope) error {
	return errors.New("broker unreachable")
}
func (f *failingTransport) Listen(func(bus.Envelope)) { f.listened.Store(true) }
func (f *failingTransport) Close() error              { return nil }

func TestTransportFailureStillDeliversLocally(t *testing.T) {
	tr := new(failingTransport)
	b := bus.New(bus.Options{Transport: tr})
	if !tr.listened.Load() {
		t.Error("New did not call Listen")
	}
	rec := new(recorder)
	b.Subscribe("a", rec.handle)
	err := b.Emit(context.Background(), "a", nil)
	if !errors.Is(err, bus.ErrTransport) || !strings.Contains(err.Error(), "broker unreachable") {
		t.Errorf("Emit: %v, want ErrTransport", err)
	}
	closeBus(t, b)
	if len(rec.list()) != 1 {
		t.Error("local subscriber missed the event")
	}
}

func TestHubDeliversOnceToEveryInstance(t *testing.T) {
	hub := bus.NewHub()
	type seen struct {
		instance int
		from     string
		user     string
		trace    string
		id       string
	}
	var mu sync.Mutex
	var got []seen
	var buses []*bus.Bus
	for i := range 3 {
		b := bus.New(bus.Options{Transport: hub.Transport()})
		buses = append(buses, b)
		bus.On(b, "chat.*", func(ctx context.Context, e bus.Envelope, n note) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, seen{i, n.Text, identity.ID(ctx), trace.ID(ctx), e.ID})
			return nil
		})
	}
	for i, b := range buses {
		ctx := identity.With(trace.WithID(context.Background(), fmt.Sprintf("%032d", i)), identity.Subject(fmt.Sprint("u", i)))
		if err := b.Emit(ctx, "chat.message", note{fmt.Sprint("from ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range buses {
		closeBus(t, b)
	}
	count := map[[2]string]int{}
	for _, s := range got {
		count[[2]string{fmt.Sprint(s.instance), s.from}]++
		sender, _ := strconv.Atoi(strings.TrimPrefix(s.from, "from "))
		if s.user != fmt.Sprint("u", sender) || s.trace != fmt.Sprintf("%032d", sender) {
			t.Errorf("instance %d got %q with user %q trace %q", s.instance, s.from, s.user, s.trace)
		}
	}
	for i := range 3 {
		for j := range 3 {
			if n := count[[2]string{fmt.Sprint(i), fmt.Sprint("from ", j)}]; n != 1 {
				t.Errorf("instance %d got the event from %d %d times, want once", i, j, n)
			}
		}
	}
}

func TestPayloadAs(t *testing.T) {
	local := bus.Envelope{Topic: "t", Payload: note{"x"}}
	if v, err := bus.PayloadAs[note](local); err != nil || v.Text != "x" {
		t.Errorf("local payload: %v, %v", v, err)
	}
	remote := bus.Envelope{Topic: "t", Payload: json.RawMessage(`{"Text":"y"}`)}
	if v, err := bus.PayloadAs[note](remote); err != nil || v.Text != "y" {
		t.Errorf("remote payload: %v, %v", v, err)
	}
	if v, err := bus.PayloadAs[*note](remote); err != nil || v == nil || v.Text != "y" {
		t.Errorf("remote payload as pointer: %v, %v", v, err)
	}
	if v, err := bus.PayloadAs[note](bus.Envelope{}); err != nil || v != (note{}) {
		t.Errorf("nil payload: %v, %v", v, err)
	}
	if v, err := bus.PayloadAs[any](local); err != nil || v != (note{"x"}) {
		t.Errorf("as any: %v, %v", v, err)
	}
	if _, err := bus.PayloadAs[int](local); !errors.Is(err, bus.ErrPayloadType) || !strings.Contains(err.Error(), "bus_test.note, want int") {
		t.Errorf("mismatch: %v", err)
	}
	if _, err := bus.PayloadAs[int](remote); !errors.Is(err, bus.ErrPayloadType) {
		t.Errorf("undecodable remote payload: %v", err)
	}
}

func TestOnWithWrongPayloadLogs(t *testing.T) {
	log, logs := newLogger()
	b := bus.New(bus.Options{Logger: log})
	called := false
	bus.On(b, "n", func(context.Context, bus.Envelope, note) error { called = true; return nil })
	if err := b.Emit(context.Background(), "n", 42); err != nil {
		t.Fatal(err)
	}
	closeBus(t, b)
	if called {
		t.Error("typed handler called with the wrong payload")
	}
	if !strings.Contains(logs.String(), "unexpected payload type") {
		t.Errorf("log:\n%s", logs)
	}
}

func TestHandlerTimeout(t *testing.T) {
	log, buf := newLogger()
	b := bus.New(bus.Options{Logger: log, HandlerTimeout: 50 * time.Millisecond})
	done := make(chan error, 1)
	b.Subscribe("slow.job", func(ctx context.Context, e bus.Envelope) error {
		<-ctx.Done() // a well-behaved handler gives up when told
		done <- ctx.Err()
		return ctx.Err()
	})
	if err := b.Emit(context.Background(), "slow.job", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("handler context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's context never timed out")
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "overran its time limit") {
		t.Fatalf("overrun not logged: %s", buf.String())
	}
}
