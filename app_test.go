package webos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/bus"
)

// recorder collects lifecycle calls from test modules.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

type testModule struct {
	id       string
	deps     []string
	rec      *recorder
	startErr error
	routes   func(*Router)
}

func (m *testModule) ModuleInfo() ModuleInfo {
	return ModuleInfo{ID: m.id, Name: strings.ToUpper(m.id), Version: "1.0.0"}
}
func (m *testModule) Requires() []string { return m.deps }
func (m *testModule) Start(context.Context) error {
	m.rec.add("start " + m.id)
	return m.startErr
}
func (m *testModule) Stop(context.Context) error { m.rec.add("stop " + m.id); return nil }
func (m *testModule) Routes(r *Router) {
	if m.routes != nil {
		m.routes(r)
	}
}

func testConfig() Config {
	cfg, err := LoadConfig("/nonexistent/.env")
	if err != nil {
		panic(err)
	}
	cfg.MaxBodyBytes = 1024
	return cfg
}

func TestLifecycleOrder(t *testing.T) {
	rec := &recorder{}
	// Registered out of order: web needs db and bus-user; bus-user needs db.
	app := New(testConfig(),
		&testModule{id: "web", deps: []string{"db", "bususer"}, rec: rec},
		&testModule{id: "bususer", deps: []string{"db"}, rec: rec},
		&testModule{id: "db", rec: rec},
	)
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range app.Modules() {
		if m.State != StateStarted {
			t.Errorf("%s state %q", m.ID, m.State)
		}
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"start db", "start bususer", "start web", "stop web", "stop bususer", "stop db"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}

func TestFailedStartStopsStarted(t *testing.T) {
	rec := &recorder{}
	app := New(testConfig(),
		&testModule{id: "a", rec: rec},
		&testModule{id: "b", deps: []string{"a"}, rec: rec},
		&testModule{id: "c", deps: []string{"b"}, rec: rec, startErr: errors.New("boom")},
		&testModule{id: "d", deps: []string{"c"}, rec: rec},
	)
	app.SetLogger(slog.New(slog.DiscardHandler))
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `module "c": start: boom`) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"start a", "start b", "start c", "stop b", "stop a"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	states := map[string]string{}
	for _, m := range app.Modules() {
		states[m.ID] = m.State
	}
	if states["c"] != StateFailed || states["a"] != StateStopped || states["d"] != StateProvisioned {
		t.Fatalf("states %v", states)
	}
}

func TestCompositionErrorsNameModule(t *testing.T) {
	rec := &recorder{}
	cases := []struct {
		name string
		mods []Module
		want string
	}{
		{"duplicate", []Module{&testModule{id: "blog", rec: rec}, &testModule{id: "blog", rec: rec}}, `module "blog": duplicate ID`},
		{"missing dep", []Module{&testModule{id: "vault", deps: []string{"crypto"}, rec: rec}}, `module "vault": requires module "crypto"`},
		{"cycle", []Module{&testModule{id: "x", deps: []string{"y"}, rec: rec}, &testModule{id: "y", deps: []string{"x"}, rec: rec}}, "dependency cycle"},
		{"bad id", []Module{&testModule{id: "Bad ID", rec: rec}}, `module "Bad ID"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := New(testConfig(), c.mods...)
			err := app.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
	if len(rec.list()) != 0 {
		t.Fatalf("modules started despite invalid composition: %v", rec.list())
	}
}

func TestRouteConflictNamesModule(t *testing.T) {
	rec := &recorder{}
	h := func(r *Router) { r.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) error { return nil }) }
	app := New(testConfig(),
		&testModule{id: "one", rec: rec, routes: h},
		&testModule{id: "two", rec: rec, routes: func(r *Router) {
			h(r)
			r.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) error { return nil })
		}},
	)
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `module "two": route`) {
		t.Fatalf("err = %v", err)
	}
}

// startApp starts app and returns a test server for it.
func startApp(t *testing.T, app *App) *httptest.Server {
	t.Helper()
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = app.Stop(context.Background())
	})
	return srv
}

func newItems(rec *recorder) *testModule {
	return &testModule{id: "items", rec: rec, routes: func(r *Router) {
		r.HandleFunc("GET /{id}", func(w http.ResponseWriter, r *http.Request) error {
			if r.PathValue("id") != "1" {
				return fmt.Errorf("item %q: %w", r.PathValue("id"), ErrNotFound)
			}
			WriteJSON(w, 200, map[string]string{"id": "1"})
			return nil
		})
		r.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) error {
			var in struct {
				Name string `json:"name" validate:"required,min=3"`
			}
			if err := Decode(r, &in); err != nil {
				return err
			}
			WriteJSON(w, 201, in)
			return nil
		})
		r.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) error { panic("kaboom") })
		r.HandleFunc("GET /log", func(w http.ResponseWriter, r *http.Request) error {
			slog.InfoContext(r.Context(), "inside the handler")
			return nil
		})
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			WriteJSON(w, 200, []string{"1"})
			return nil
		})
	}}
}

func decodeError(t *testing.T, resp *http.Response) ErrorBody {
	t.Helper()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d with Content-Type %q, body %q", resp.StatusCode, ct, b)
	}
	var body ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Error == "" {
		t.Fatalf("status %d: empty error field", resp.StatusCode)
	}
	return body
}

func TestJSONErrors(t *testing.T) {
	var logs bytes.Buffer
	app := New(testConfig(), newItems(&recorder{}))
	app.SetLogger(slog.New(NewContextHandler(slog.NewJSONHandler(&logs, nil))))
	srv := startApp(t, app)

	do := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"domain not found", "GET", "/items/7", "", 404, `item "7": not found`},
		{"unknown route", "GET", "/nowhere", "", 404, "no route"},
		{"wrong method", "DELETE", "/items/1", "", 405, "method not allowed"},
		{"oversized body", "POST", "/items", `{"name":"` + strings.Repeat("x", 2000) + `"}`, 413, "too large"},
		{"malformed JSON", "POST", "/items", `{"name":`, 400, "malformed JSON"},
		{"unknown field", "POST", "/items", `{"nme":"abc"}`, 400, "unknown field"},
		{"validation", "POST", "/items", `{"name":"ab"}`, 422, "name"},
		{"panic", "GET", "/items/panic", "", 500, "internal server error"},
		{"dot-dot path", "GET", "/items/../health", "", 400, "segments"},
		{"double slash", "GET", "/items//1", "", 400, "segments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := do(c.method, c.path, c.body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			body := decodeError(t, resp)
			if !strings.Contains(body.Error, c.contains) {
				t.Fatalf("error %q does not contain %q", body.Error, c.contains)
			}
			if body.TraceID == "" || body.TraceID != resp.Header.Get("X-Request-Id") {
				t.Fatalf("trace id %q vs header %q", body.TraceID, resp.Header.Get("X-Request-Id"))
			}
			if c.status == 405 && resp.Header.Get("Allow") == "" {
				t.Fatal("405 without Allow header")
			}
			if c.status == 422 && body.Fields["name"] == "" {
				t.Fatalf("422 without the field: %+v", body)
			}
		})
	}
	if !strings.Contains(logs.String(), "kaboom") || strings.Contains(logs.String(), "goroutine ") == false {
		t.Fatalf("panic not logged with its stack: %s", logs.String())
	}

	resp := do("GET", "/items/1", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	resp.Body.Close()
	resp = do("GET", "/items", "")
	if resp.StatusCode != 200 {
		t.Fatalf("prefix root: status %d", resp.StatusCode)
	}
	resp.Body.Close()
}

func TestTraceIDInRequestLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(NewContextHandler(slog.NewJSONHandler(&logs, nil)))
	prev := slog.Default()
	SetDefaultLogger(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })

	app := New(testConfig(), newItems(&recorder{}))
	app.SetLogger(logger)
	srv := startApp(t, app)

	req, _ := http.NewRequest("GET", srv.URL+"/items/log", nil)
	req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("echoed trace id %q", got)
	}
	resp, _ = http.Get(srv.URL + "/items/log")
	resp.Body.Close()
	generated := resp.Header.Get("X-Request-Id")
	if len(generated) != 32 {
		t.Fatalf("generated trace id %q", generated)
	}

	found := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("bad log line %q", line)
		}
		if rec["msg"] == "inside the handler" {
			found[fmt.Sprint(rec["trace_id"])] = true
		}
	}
	if !found["0af7651916cd43dd8448eb211c80319c"] || !found[generated] {
		t.Fatalf("handler log lines lack their trace ids: %v\n%s", found, logs.String())
	}
}

func TestStdlibLogRoutedToSlog(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	SetDefaultLogger(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	logPrintf("legacy %d", 42)
	if !strings.Contains(logs.String(), `"msg":"legacy 42"`) {
		t.Fatalf("log output not in slog: %q", logs.String())
	}
}

func TestDisableModule(t *testing.T) {
	app := New(testConfig(), newItems(&recorder{}))
	srv := startApp(t, app)
	if err := app.SetModuleEnabled("items", false); err != nil {
		t.Fatal(err)
	}
	resp, _ := http.Get(srv.URL + "/items/1")
	if resp.StatusCode != 404 {
		t.Fatalf("disabled module answered %d", resp.StatusCode)
	}
	decodeError(t, resp)
	_ = app.SetModuleEnabled("items", true)
	resp, _ = http.Get(srv.URL + "/items/1")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("re-enabled module answered %d", resp.StatusCode)
	}
}

func TestCLI(t *testing.T) {
	rec := &recorder{}
	app := New(testConfig(), &testModule{id: "db", rec: rec}, &cmdModule{rec: rec})
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx := context.Background()
	var out bytes.Buffer
	if err := app.Exec(ctx, []string{"modules", "list"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ID", "CAPABILITIES", "db", "DB", "1.0.0", "start,stop", "registered", "tools", "commands"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("modules list lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := app.Exec(ctx, []string{"version"}, &out); err != nil || !strings.Contains(out.String(), Version) {
		t.Fatalf("version: %v %q", err, out.String())
	}
	out.Reset()
	if err := app.Exec(ctx, []string{"--help"}, &out); err != nil || !strings.Contains(out.String(), "greet NAME") {
		t.Fatalf("help: %v %q", err, out.String())
	}
	out.Reset()
	if err := app.Exec(ctx, []string{"frobnicate"}, &out); !errors.Is(err, ErrUsage) || !strings.Contains(out.String(), "unknown command") {
		t.Fatalf("unknown: %v %q", err, out.String())
	}
	out.Reset()
	if err := app.Exec(ctx, []string{"tools", "greet", "ada"}, &out); err != nil {
		t.Fatal(err)
	}
	want := []string{"start db", "greet [ada]", "stop db"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}

type cmdModule struct{ rec *recorder }

func (m *cmdModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "tools", Name: "Tools"} }
func (m *cmdModule) Commands() []Command {
	return []Command{{Name: "tools greet", Usage: "NAME", Summary: "say hello", Run: func(_ context.Context, _ *App, args []string) error {
		m.rec.add(fmt.Sprint("greet ", args))
		return nil
	}}}
}

func BenchmarkMiddleware(b *testing.B) {
	body := []byte(`{"ok":true}`)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	app := New(testConfig(), &testModule{id: "bench", rec: &recorder{}, routes: func(r *Router) {
		r.Handle("GET /ping", bare)
	}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer app.Stop(context.Background())
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest("GET", "/bench/ping", nil)
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare) })
	b.Run("kernel", func(b *testing.B) { run(b, app.Handler()) })
}

type headerModule struct{ id, deps string }

func (m *headerModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: m.id} }
func (m *headerModule) Requires() []string {
	if m.deps == "" {
		return nil
	}
	return []string{m.deps}
}
func (m *headerModule) Middleware() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Seen", m.id)
			next.ServeHTTP(w, r)
		})
	}
}

func TestModuleMiddlewareOrder(t *testing.T) {
	// "outer" is required by "inner", so it starts first and wraps outermost.
	app := New(testConfig(), &headerModule{id: "inner", deps: "outer"}, &headerModule{id: "outer"}, newItems(&recorder{}))
	srv := startApp(t, app)
	for _, path := range []string{"/items/1", "/nowhere"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Values("X-Seen"); !slices.Equal(got, []string{"outer", "inner"}) {
			t.Fatalf("%s: middleware order %v", path, got)
		}
	}
}

type subModule struct {
	id      string
	pattern string
	got     chan bus.Envelope
}

func (m *subModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: m.id} }
func (m *subModule) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: m.pattern, Handler: func(_ context.Context, e bus.Envelope) error {
		m.got <- e
		return nil
	}}}
}

func TestModuleSubscriptions(t *testing.T) {
	m := &subModule{id: "listener", pattern: "demo.*", got: make(chan bus.Envelope, 1)}
	app := New(testConfig(), m)
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := app.Bus().Emit(ctx, "demo.happened", "payload"); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-m.got:
		if e.Payload != "payload" || e.Topic != "demo.happened" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("subscription not made at start")
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	bad := New(testConfig(), &subModule{id: "bad", pattern: "a..b", got: make(chan bus.Envelope, 1)})
	if err := bad.Start(ctx); err == nil || !strings.Contains(err.Error(), `module "bad": subscribe`) {
		t.Fatalf("bad pattern: %v", err)
	}
}

// closeSignal is a listener that tells when it is closed.
type closeSignal struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeSignal) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}

func TestGracefulShutdownDrains(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	app := New(testConfig(), &testModule{id: "slow", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			close(entered)
			<-release
			WriteJSON(w, 200, map[string]string{"done": "yes"})
			return nil
		})
	}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeSignal{Listener: inner, closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- app.ServeListener(ctx, ln) }()
	base := "http://" + inner.Addr().String()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	cancel() // as SIGTERM does through Main
	// Shutdown closes the listener first, then waits for the request.
	select {
	case <-ln.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener was not closed at shutdown")
	}
	select {
	case err := <-served:
		t.Fatalf("server returned before the in-flight request finished: %v", err)
	default:
	}
	// New connections are refused while draining.
	if c, err := net.DialTimeout("tcp", inner.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("listener still accepts during shutdown")
	}
	close(release)
	if body := <-got; !strings.Contains(body, `"done":"yes"`) {
		t.Fatalf("in-flight request not completed: %q", body)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	cfg := testConfig()
	cfg.ShutdownTimeout = 100 * time.Millisecond
	block := make(chan struct{})
	defer close(block)
	entered := make(chan struct{})
	app := New(cfg, &testModule{id: "stuck", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			close(entered)
			<-block
			return nil
		}, Stream())
	}})
	base, cancel, served := serveApp(t, app)
	go func() {
		if resp, err := http.Get(base + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err == nil || time.Since(start) > 5*time.Second {
			t.Fatalf("want a deadline error soon, got %v after %v", err, time.Since(start))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not respect its deadline")
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	entered := make(chan struct{})
	ended := make(chan error, 1)
	app := New(testConfig(), &testModule{id: "sse", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			_ = http.NewResponseController(w).Flush()
			close(entered)
			<-r.Context().Done()
			ended <- r.Context().Err()
			return nil
		}, Stream())
	}})
	base, cancel, served := serveApp(t, app)
	go func() {
		if resp, err := http.Get(base + "/sse"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	<-entered
	start := time.Now()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an open stream held up shutdown")
	}
	if err := <-ended; err == nil {
		t.Fatal("stream context not cancelled")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("shutdown took %v", d)
	}
}

func TestSetBus(t *testing.T) {
	app := New(testConfig())
	custom := bus.New(bus.Options{})
	defer custom.Close(context.Background())
	if err := app.SetBus(custom); err != nil {
		t.Fatal(err)
	}
	if app.Bus() != custom {
		t.Fatal("Bus does not return the bus given to SetBus")
	}
	if err := app.SetBus(bus.New(bus.Options{})); err == nil {
		t.Fatal("SetBus after the bus was handed out must fail")
	}
}

func TestSlowBodyHitsRouteDeadline(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout = 200 * time.Millisecond
	readErr := make(chan error, 1)
	app := New(cfg, &testModule{id: "slow", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) error {
			_, err := io.ReadAll(r.Body)
			readErr <- err
			return err
		})
	}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	srv := startApp(t, app)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Promise 100 bytes, send 5, then stall.
	_, _ = io.WriteString(conn, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nhello")
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the stalled body read did not fail")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a trickling client held the handler past the route deadline")
	}
}

type cleanModule struct {
	testModule
}

func (m *cleanModule) Provision(context.Context, *App) error {
	m.rec.add("provision " + m.id)
	return nil
}
func (m *cleanModule) Cleanup() error { m.rec.add("cleanup " + m.id); return nil }

func TestCleanupAfterFailedStart(t *testing.T) {
	rec := &recorder{}
	app := New(testConfig(),
		&cleanModule{testModule{id: "a", rec: rec}},
		&cleanModule{testModule{id: "b", deps: []string{"a"}, rec: rec, startErr: errors.New("boom")}},
		&cleanModule{testModule{id: "c", deps: []string{"b"}, rec: rec}},
	)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err == nil {
		t.Fatal("start succeeded")
	}
	want := []string{"provision a", "provision b", "provision c", "start a", "start b", "stop a", "cleanup c", "cleanup b", "cleanup a"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}

func TestCleanupOnStopAndRestart(t *testing.T) {
	rec := &recorder{}
	app := New(testConfig(), &cleanModule{testModule{id: "a", rec: rec}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	app.AddHealthCheck("extra", func(context.Context) error { return nil })
	ctx := context.Background()
	for range 2 {
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := app.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"provision a", "start a", "stop a", "cleanup a", "provision a", "start a", "stop a", "cleanup a"}
	if got := rec.list(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
}

// serveApp starts app and serves it on a fresh local port, as Main does,
// until cancel is called; served receives ServeListener's result.
func serveApp(t *testing.T, app *App) (base string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	if err := app.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.ServeListener(ctx, ln) }()
	t.Cleanup(func() { _ = app.Stop(context.Background()) })
	return "http://" + ln.Addr().String(), cancel, done
}

func TestModulesListRequiresAndRoutes(t *testing.T) {
	rec := &recorder{}
	base := &testModule{id: "base", rec: rec}
	top := &testModule{id: "top", deps: []string{"base"}, rec: rec, routes: func(r *Router) {
		r.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) error { return nil })
		r.Require("x.y").HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) error { return nil })
	}}
	app := New(testConfig(), base, top)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if st := app.Modules()[1]; len(st.Routes) != 0 || !slices.Equal(st.Requires, []string{"base"}) {
		t.Fatalf("before start: %+v", st)
	}
	startApp(t, app)
	got := app.Modules()
	if want := []string{"GET /top/items", "POST /top/{$}"}; !slices.Equal(got[1].Routes, want) {
		t.Fatalf("routes %q, want %q", got[1].Routes, want)
	}
	if len(got[0].Routes) != 0 || len(got[0].Requires) != 0 {
		t.Fatalf("base: %+v", got[0])
	}
}

func TestRoutesDescribeGuardsAndDocs(t *testing.T) {
	type in struct {
		Title string `json:"title"`
	}
	m := &testModule{id: "docs", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("GET /open", func(w http.ResponseWriter, r *http.Request) error { return nil })
		r.Require("docs.write").HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) error { return nil },
			Describe(Operation{Summary: "Add an item", Request: in{}, Status: http.StatusCreated}))
		r.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) error { return nil }, Stream())
	}}
	app := New(testConfig(), m)
	app.SetLogger(slog.New(slog.DiscardHandler))
	startApp(t, app)
	byPattern := map[string]Route{}
	for _, rt := range app.Routes() {
		byPattern[rt.Pattern()] = rt
	}
	if _, ok := byPattern["GET /health"]; !ok {
		t.Fatalf("the kernel's route is missing: %v", byPattern)
	}
	open, items, events := byPattern["GET /docs/open"], byPattern["POST /docs/items"], byPattern["GET /docs/events"]
	if open.Module != "docs" || open.SignedIn || open.Operation != nil {
		t.Errorf("open: %+v", open)
	}
	if !items.SignedIn || !slices.Equal(items.Permissions, []string{"docs.write"}) || items.Operation == nil ||
		items.Operation.Summary != "Add an item" || items.Operation.Status != http.StatusCreated {
		t.Errorf("items: %+v", items)
	}
	if !events.Stream {
		t.Errorf("events: %+v", events)
	}
}
