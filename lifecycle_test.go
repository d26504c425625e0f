package webos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/bus"
)

// listenLogger is a log handler that passes on the URL the app logs when
// it starts listening.
type listenLogger struct{ url chan string }

func (l listenLogger) Enabled(context.Context, slog.Level) bool { return true }
func (l listenLogger) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "WebOS listening" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			select {
			case l.url <- a.Value.String():
			default:
			}
		}
		return true
	})
	return nil
}
func (l listenLogger) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l listenLogger) WithGroup(string) slog.Handler      { return l }

// runApp runs app with [App.Run] on a fresh local port, as Main does, until
// cancel is called (as SIGTERM does); ran receives Run's result.
func runApp(t *testing.T, app *App) (base string, cancel context.CancelFunc, ran <-chan error) {
	t.Helper()
	url := make(chan string, 1)
	app.SetLogger(slog.New(listenLogger{url: url}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		done <- app.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	select {
	case base = <-url:
	case <-exited:
		t.Fatalf("run: %v", <-done)
	}
	return base, cancel, done
}

// stopModule's Stop works until its context ends, as a module that drains
// its own work for as long as it is allowed, and records its deadline.
type stopModule struct {
	deadline chan time.Time
}

func (m *stopModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "slowstop"} }
func (m *stopModule) Stop(ctx context.Context) error {
	d, _ := ctx.Deadline()
	m.deadline <- d
	if d.IsZero() {
		return errors.New("stop without a deadline")
	}
	<-ctx.Done()
	return nil
}

// loadStats counts the requests of a load test by kind.
type loadStats struct {
	mu       sync.Mutex
	entered  map[string]string // request id → kind, for requests a handler began
	inFlight map[string]int    // kind → handlers running
	ok       map[string]int    // kind → completed successfully
	failures []string
	wake     chan struct{} // a handler began or ended
}

func newLoadStats() *loadStats {
	return &loadStats{entered: map[string]string{}, inFlight: map[string]int{}, ok: map[string]int{}, wake: make(chan struct{}, 1)}
}

func (s *loadStats) begin(r *http.Request, kind string) func() {
	s.mu.Lock()
	s.entered[r.Header.Get("X-Load-Id")] = kind
	s.inFlight[kind]++
	s.mu.Unlock()
	s.poke()
	return func() {
		s.mu.Lock()
		s.inFlight[kind]--
		s.mu.Unlock()
		s.poke()
	}
}

func (s *loadStats) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// busy reports whether a handler of every kind is running, and requests
// of every kind but streams have completed at least done times.
func (s *loadStats) busy(done int, kinds ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range kinds {
		if s.inFlight[k] == 0 || k != "events" && s.ok[k] < done {
			return false
		}
	}
	return true
}

// result records the outcome of request id as the client saw it: err is
// nil when the whole expected answer arrived.
func (s *loadStats) result(id, kind string, err error) {
	defer s.poke()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.ok[kind]++
		return
	}
	var status statusError
	if _, began := s.entered[id]; began || errors.As(err, &status) {
		// The server took the request (or answered it): it had to succeed.
		s.failures = append(s.failures, fmt.Sprintf("%s %s: %v", kind, id, err))
	}
	// Otherwise the server never saw it: refused once shutdown began.
}

type statusError struct {
	code int
	body string
}

func (e statusError) Error() string { return fmt.Sprintf("status %d: %s", e.code, e.body) }

const (
	loadChunk  = 4 << 10
	loadChunks = 12
	loadPause  = 10 * time.Millisecond
)

// loadModule serves the kinds of request a load test sends. Each checks
// its context as a handler writing to or reading from storage does, so a
// request cancelled by the shutdown fails.
func loadModule(s *loadStats) *testModule {
	return &testModule{id: "load", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) error {
			defer s.begin(r, "json")()
			select {
			case <-time.After(50 * time.Millisecond): // the handler's own work
			case <-r.Context().Done():
				return r.Context().Err()
			}
			WriteJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
			return nil
		})
		r.HandleFunc("PUT /upload", func(w http.ResponseWriter, r *http.Request) error {
			defer s.begin(r, "upload")()
			buf := make([]byte, loadChunk)
			var n int64
			for {
				k, err := r.Body.Read(buf)
				n += int64(k)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				if err := r.Context().Err(); err != nil {
					return err // as a blob writer bound to the request does
				}
			}
			WriteJSON(w, http.StatusOK, map[string]int64{"bytes": n})
			return nil
		}, BodyLimit(-1), Stream())
		r.HandleFunc("GET /download", func(w http.ResponseWriter, r *http.Request) error {
			defer s.begin(r, "download")()
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", fmt.Sprint(loadChunk*loadChunks))
			chunk := make([]byte, loadChunk)
			for range loadChunks {
				if err := r.Context().Err(); err != nil {
					return nil // as a blob reader bound to the request does: the body ends short
				}
				if _, err := w.Write(chunk); err != nil {
					return nil
				}
				_ = http.NewResponseController(w).Flush()
				time.Sleep(loadPause) // the storage's pace
			}
			return nil
		}, Stream())
		r.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) error {
			defer s.begin(r, "events")()
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				if _, err := io.WriteString(w, "data: tick\n\n"); err != nil {
					return nil
				}
				_ = http.NewResponseController(w).Flush()
				select {
				case <-r.Context().Done():
					return nil // a stream ends cleanly at shutdown
				case <-tick.C:
				}
			}
		}, Stream())
	}}
}

// loadClient sends requests of one kind to base until the server stops
// taking them.
func loadClient(base, kind string, s *loadStats, client *http.Client, seq *atomic.Int64, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		id := fmt.Sprintf("%s-%d", kind, seq.Add(1))
		var req *http.Request
		switch kind {
		case "upload":
			pr, pw := io.Pipe()
			go func() {
				chunk := make([]byte, loadChunk)
				for range loadChunks {
					if _, err := pw.Write(chunk); err != nil {
						return
					}
					time.Sleep(loadPause)
				}
				_ = pw.Close()
			}()
			req, _ = http.NewRequest("PUT", base+"/load/upload", pr)
			req.ContentLength = loadChunk * loadChunks
		default:
			req, _ = http.NewRequest("GET", base+"/load/"+kind, nil)
		}
		req.Header.Set("X-Load-Id", id)
		err := loadRequest(client, req, kind)
		if body, ok := req.Body.(*io.PipeReader); ok {
			_ = body.Close()
		}
		s.result(id, kind, err)
		var status statusError
		if err != nil && !errors.As(err, &status) {
			return // the server is gone
		}
	}
}

// loadRequest sends req and checks its answer.
func loadRequest(client *http.Client, req *http.Request, kind string) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return statusError{resp.StatusCode, string(b)}
	}
	switch kind {
	case "events":
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
		}
		return nil // a stream may end at any point
	case "download":
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			return fmt.Errorf("after %d bytes: %w", n, err)
		}
		if n != loadChunk*loadChunks {
			return fmt.Errorf("download cut short: %d bytes", n)
		}
	case "upload":
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if want := fmt.Sprintf(`"bytes":%d`, loadChunk*loadChunks); !strings.Contains(string(b), want) {
			return fmt.Errorf("upload answer %s", b)
		}
	default:
		if _, err := io.ReadAll(resp.Body); err != nil {
			return err
		}
	}
	return nil
}

// TestShutdownDrainsEveryKindOfRequest runs clients of every kind of
// request through a shutdown: every request the server took completes,
// streams end at once, and the app stops well within its budget.
func TestShutdownDrainsEveryKindOfRequest(t *testing.T) {
	cfg := testConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 5 * time.Second
	s := newLoadStats()
	app := New(cfg, loadModule(s))
	base, cancel, ran := runApp(t, app)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	stop := make(chan struct{})
	var seq atomic.Int64
	var wg sync.WaitGroup
	kinds := []string{"json", "upload", "download", "events"}
	for _, kind := range kinds {
		clients := 3
		if kind == "events" {
			clients = 1
		}
		for range clients {
			wg.Go(func() { loadClient(base, kind, s, client, &seq, stop) })
		}
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	// Shut down under way: once requests of every kind have completed and
	// one of each is in the middle of its work.
	deadline := time.After(20 * time.Second)
	for !s.busy(5, kinds...) {
		select {
		case <-s.wake:
		case <-deadline:
			t.Fatal("the load never had every kind of request in flight")
		}
	}
	s.mu.Lock()
	t.Logf("shutting down with in flight: %v", s.inFlight)
	s.mu.Unlock()
	begun := time.Now()
	cancel()
	var err error
	select {
	case err = <-ran:
	case <-time.After(cfg.ShutdownTimeout + 5*time.Second):
		t.Fatal("Run did not return")
	}
	took := time.Since(begun)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	close(stop)
	wg.Wait()
	stop = make(chan struct{}) // for the deferred close

	s.mu.Lock()
	defer s.mu.Unlock()
	t.Logf("stopped in %s; completed: %v", took, s.ok)
	if len(s.failures) > 0 {
		t.Fatalf("%d in-flight requests failed:\n%s", len(s.failures), strings.Join(s.failures, "\n"))
	}
	for _, k := range []string{"json", "upload", "download"} {
		if s.ok[k] == 0 {
			t.Errorf("no %s request completed", k)
		}
	}
	// The in-flight requests need a fraction of a second; the stream does
	// not hold the shutdown up.
	if took > 2*time.Second {
		t.Fatalf("shutdown took %s", took)
	}
}

// TestShutdownIsOneBudget: a request that never ends and a module that
// stops as slowly as it may share one ShutdownTimeout, requests first.
func TestShutdownIsOneBudget(t *testing.T) {
	cfg := testConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 1500 * time.Millisecond
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	slow := &stopModule{deadline: make(chan time.Time, 1)}
	app := New(cfg, slow, &testModule{id: "stuck", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			close(entered)
			<-release // ignores its context
			return nil
		})
	}})
	base, cancel, ran := runApp(t, app)
	go func() {
		if resp, err := http.Get(base + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	begun := time.Now()
	cancel()
	var err error
	select {
	case err = <-ran:
	case <-time.After(3 * cfg.ShutdownTimeout):
		t.Fatal("Run did not return")
	}
	took := time.Since(begun)
	t.Logf("stopped in %s with a %s budget", took, cfg.ShutdownTimeout)
	if err == nil || !strings.Contains(err.Error(), "shutdown") {
		t.Errorf("want the drain's failure, got %v", err)
	}
	if d := <-slow.deadline; d.IsZero() || d.After(begun.Add(cfg.ShutdownTimeout+100*time.Millisecond)) {
		t.Errorf("module stop deadline %s after the signal, want at most the budget", d.Sub(begun))
	}
	if margin := 500 * time.Millisecond; took > cfg.ShutdownTimeout+margin {
		t.Fatalf("shutdown took %s, budget %s", took, cfg.ShutdownTimeout)
	}
}

// streamModule serves an event stream that sends "first", then "second"
// once the channel next returns is closed — unless its context ended
// before.
func streamModule(next func() chan struct{}) *testModule {
	return &testModule{id: "live", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, "data: first\n\n")
			_ = http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
				_, _ = io.WriteString(w, "data: cancelled\n\n")
			case <-next():
				_, _ = io.WriteString(w, "data: second\n\n")
			}
			return nil
		}, Stream())
	}}
}

// readStream opens the stream, lets it go on after its first event and
// returns its second.
func readStream(t *testing.T, base string, next chan struct{}) string {
	t.Helper()
	resp, err := http.Get(base + "/live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	var events []string
	for len(events) < 2 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream: %v after %v", err, events)
		}
		if ev, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			events = append(events, ev)
			if len(events) == 1 {
				close(next)
			}
		}
	}
	return events[1]
}

// TestRunTwiceServesStreams: an app that ran and stopped runs again, its
// streams included.
func TestRunTwiceServesStreams(t *testing.T) {
	cfg := testConfig()
	cfg.Addr = "127.0.0.1:0"
	var mu sync.Mutex
	var next chan struct{}
	nextOf := func() chan struct{} { mu.Lock(); defer mu.Unlock(); return next }
	app := New(cfg, streamModule(nextOf))
	for run := range 2 {
		mu.Lock()
		next = make(chan struct{})
		mu.Unlock()
		base, cancel, ran := runApp(t, app)
		if got := readStream(t, base, nextOf()); got != "second" {
			t.Fatalf("run %d: the stream ended at once: %q", run+1, got)
		}
		cancel()
		if err := <-ran; err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
	}
}

// TestServeTwiceServesStreams: ServeListener again after a shutdown, on an
// app that kept running, serves streams.
func TestServeTwiceServesStreams(t *testing.T) {
	var mu sync.Mutex
	var next chan struct{}
	nextOf := func() chan struct{} { mu.Lock(); defer mu.Unlock(); return next }
	app := New(testConfig(), streamModule(nextOf))
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	for serve := range 2 {
		mu.Lock()
		next = make(chan struct{})
		mu.Unlock()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- app.ServeListener(ctx, ln) }()
		got := readStream(t, "http://"+ln.Addr().String(), nextOf())
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve %d: %v", serve+1, err)
		}
		if got != "second" {
			t.Fatalf("serve %d: the stream ended at once: %q", serve+1, got)
		}
	}
}

// busModule provides the application's bus, as redisbus does.
type busModule struct {
	b      *bus.Bus
	closed []*bus.Bus
}

func (m *busModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "bus-provider"} }
func (m *busModule) Provision(context.Context, *App) error {
	m.b = bus.New(bus.Options{Logger: slog.New(slog.DiscardHandler)})
	return nil
}
func (m *busModule) Bus() *bus.Bus { return m.b }
func (m *busModule) Cleanup() error {
	m.closed = append(m.closed, m.b)
	return m.b.Close(context.Background())
}

// TestRestartWithBusProvider: Start, Stop and Start again hands every
// module the provider's new bus; an app that owns its bus gets a fresh
// one.
func TestRestartWithBusProvider(t *testing.T) {
	ctx := context.Background()
	for _, provided := range []bool{true, false} {
		t.Run(fmt.Sprint("provided=", provided), func(t *testing.T) {
			sub := &subModule{id: "listener", pattern: "demo.*", got: make(chan bus.Envelope, 1)}
			mods := []Module{sub}
			bp := &busModule{}
			if provided {
				mods = append(mods, bp)
			}
			app := New(testConfig(), mods...)
			app.SetLogger(slog.New(slog.DiscardHandler))
			var buses []*bus.Bus
			for run := range 2 {
				if err := app.Start(ctx); err != nil {
					t.Fatalf("start %d: %v", run+1, err)
				}
				b := app.Bus()
				if provided && b != bp.b {
					t.Fatalf("start %d: the app's bus is not the provider's", run+1)
				}
				if slices.Contains(buses, b) {
					t.Fatalf("start %d: the bus of the last run", run+1)
				}
				buses = append(buses, b)
				if err := b.Emit(ctx, "demo.run", run); err != nil {
					t.Fatalf("start %d: emit: %v", run+1, err)
				}
				select {
				case e := <-sub.got:
					if e.Payload != run {
						t.Fatalf("start %d: got %v", run+1, e.Payload)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("start %d: the subscriber got nothing", run+1)
				}
				if err := app.Stop(ctx); err != nil {
					t.Fatalf("stop %d: %v", run+1, err)
				}
			}
			if provided && len(bp.closed) != 2 {
				t.Fatalf("provider cleaned up %d times", len(bp.closed))
			}
		})
	}
}

// panicModule panics in the lifecycle step named by at.
type panicModule struct {
	cleanModule
	at string
}

func (m *panicModule) Provision(ctx context.Context, a *App) error {
	m.rec.add("provision " + m.id)
	if m.at == "provision" {
		panic("kaboom")
	}
	return nil
}

func (m *panicModule) Start(ctx context.Context) error {
	m.rec.add("start " + m.id)
	if m.at == "start" {
		panic(fmt.Errorf("kaboom"))
	}
	return nil
}

func (m *panicModule) Routes(r *Router) {
	if m.at == "routes" {
		panic("kaboom")
	}
}

// TestPanicInProvisionOrStart: a panicking Provision, Routes or Start
// fails the start with an error naming the module, and the app cleans up
// as for any failed start — and can start again.
func TestPanicInProvisionOrStart(t *testing.T) {
	cases := []struct {
		at   string
		want []string
	}{
		{"provision", []string{"provision a", "provision boom", "cleanup a"}},
		{"routes", []string{"provision a", "provision boom", "provision c", "cleanup c", "cleanup boom", "cleanup a"}},
		{"start", []string{"provision a", "provision boom", "provision c", "start a", "start boom", "stop a", "cleanup c", "cleanup boom", "cleanup a"}},
	}
	for _, c := range cases {
		t.Run(c.at, func(t *testing.T) {
			rec := &recorder{}
			boom := &panicModule{cleanModule{testModule{id: "boom", deps: []string{"a"}, rec: rec}}, c.at}
			app := New(testConfig(),
				&cleanModule{testModule{id: "a", rec: rec}},
				boom,
				&cleanModule{testModule{id: "c", deps: []string{"boom"}, rec: rec}},
			)
			app.SetLogger(slog.New(slog.DiscardHandler))
			err := app.Start(context.Background())
			if want := fmt.Sprintf(`module "boom": %s: panic: kaboom`, c.at); err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want it to contain %q", err, want)
			}
			if got := rec.list(); !slices.Equal(got, c.want) {
				t.Fatalf("calls %v, want %v", got, c.want)
			}
			states := map[string]string{}
			for _, m := range app.Modules() {
				states[m.ID] = m.State
			}
			if states["boom"] != StateFailed {
				t.Fatalf("states %v", states)
			}
			boom.at = ""
			if err := app.Start(context.Background()); err != nil {
				t.Fatalf("start after the failed one: %v", err)
			}
			if err := app.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
