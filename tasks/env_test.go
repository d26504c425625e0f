package tasks_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"github.com/webos-go/webos/internal/testenv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
)

// env is a started application with the tasks module, served over HTTP.
type env struct {
	t     *testing.T
	app   *webos.App
	tasks *tasks.Module
	srv   *httptest.Server
	logs  *syncBuffer
	log   *slog.Logger

	stopped bool
}

// testAuth is the application's authorizer in the tests: the request acts
// as the user the X-Test-User header names; every user holds permRun, and
// the user "admin" holds every permission.
type testAuth struct{}

// permRun is the permission the tests' exposed tasks need.
const permRun = "test.run"

func (testAuth) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "testauth", Name: "Test auth"}
}

func (testAuth) Authorizer() webos.Authorizer { return testAuth{} }

func (testAuth) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if u := r.Header.Get("X-Test-User"); u != "" {
		r = r.WithContext(identity.With(r.Context(), identity.Subject(u)))
	}
	return r, nil
}

func (testAuth) Authorize(ctx context.Context, perm string) error {
	switch id := identity.ID(ctx); {
	case id == "":
		return webos.ErrUnauthorized
	case perm == "" || perm == permRun || id == "admin":
		return nil
	}
	return webos.ErrForbidden
}

// provider is a module that contributes task definitions.
type provider struct {
	id   string
	defs []tasks.Definition
}

func (p *provider) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: p.id, Name: "Test tasks"}
}
func (p *provider) Tasks() []tasks.Definition { return p.defs }
func (p *provider) Requires() []string        { return []string{tasks.ModuleID} }

// testConfig is the application configuration of the tests, with a data
// folder of the test's own: the in-process Redis saves its data there.
func testConfig(t testing.TB) webos.Config {
	return webos.Config{
		Env: "development", Addr: "127.0.0.1:0", LogLevel: "debug", DataDir: t.TempDir(),
		MongoDatabase: "webos", MaxBodyBytes: 1 << 20,
		RequestTimeout: 30 * time.Second, ShutdownTimeout: 5 * time.Second,
	}
}

func randomName(prefix string) string { return testenv.DatabaseName(prefix) }

// newEnv starts an application whose tasks module uses redisURL ("" for the
// in-process Redis), a fresh namespace, and the definitions defs returns;
// defs gets the application's logger, which records into env.logs.
func newEnv(t *testing.T, redisURL string, opts tasks.Options, defs func(log *slog.Logger) []tasks.Definition) *env {
	t.Helper()
	return newEnvIn(t, t.TempDir(), redisURL, opts, defs)
}

// newEnvIn is newEnv with dataDir as the application's data folder.
func newEnvIn(t *testing.T, dataDir, redisURL string, opts tasks.Options, defs func(log *slog.Logger) []tasks.Definition) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}
	e.log = slog.New(webos.NewContextHandler(slog.NewJSONHandler(io.MultiWriter(e.logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug})))
	opts.RedisURL = redisURL
	if opts.Namespace == "" {
		opts.Namespace = randomName("t")
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	e.tasks = tasks.New(opts)
	var list []tasks.Definition
	if defs != nil {
		list = defs(e.log)
	}
	cfg := testConfig(t)
	cfg.DataDir = dataDir
	e.app = webos.New(cfg, testAuth{}, e.tasks, &provider{id: "work", defs: list})
	e.app.SetLogger(e.log)
	ctx := context.Background()
	if err := e.app.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	e.srv = httptest.NewServer(e.app.Handler())
	t.Cleanup(e.stop)
	return e
}

// stop stops the HTTP server and the application, once.
func (e *env) stop() {
	if e.stopped {
		return
	}
	e.stopped = true
	e.srv.CloseClientConnections()
	e.srv.Close()
	if err := e.app.Stop(context.Background()); err != nil {
		e.t.Errorf("stop: %v", err)
	}
}

// testWriter sends log output to t.Log when -v is given.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	if testing.Verbose() {
		w.t.Log(strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

type syncBuffer struct{ testenv.Buffer }

// records returns the JSON log records with the given message.
func (s *syncBuffer) records(msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q, want JSON; body %s", ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// do sends a request as user (none when "") with extra headers as
// name, value pairs.
func (e *env) do(method, path, user string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Code: res.StatusCode, Header: res.Header, Body: b}
}

// enqueue enqueues a task over HTTP as user and returns its id.
func (e *env) enqueue(typ, user string, payload any, headers ...string) string {
	e.t.Helper()
	res := e.do("POST", "/tasks/"+typ, user, payload, headers...)
	if res.Code != http.StatusAccepted {
		e.t.Fatalf("enqueue %s: %d %s", typ, res.Code, res.Body)
	}
	var st tasks.Status
	res.json(e.t, &st)
	if st.ID == "" || st.State != tasks.StateQueued || res.Header.Get("Location") != "/tasks/"+st.ID {
		e.t.Fatalf("enqueue %s: unexpected answer %s (Location %q)", typ, res.Body, res.Header.Get("Location"))
	}
	return st.ID
}

// status reads a task's status over HTTP as user.
func (e *env) status(id, user string) tasks.Status {
	e.t.Helper()
	res := e.do("GET", "/tasks/"+id, user, nil)
	if res.Code != http.StatusOK {
		e.t.Fatalf("status %s: %d %s", id, res.Code, res.Body)
	}
	var st tasks.Status
	res.json(e.t, &st)
	return st
}

// waitDone polls the task's status until it has ended.
func (e *env) waitDone(id, user string, timeout time.Duration) tasks.Status {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := e.status(id, user)
		if st.Done() {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("task %s still %s after %v: %+v", id, st.State, timeout, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitArchived polls the task monitor until task id is in asynq's archive,
// where failed and cancelled tasks end and which no attempt leaves.
func (e *env) waitArchived(id string, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		res := e.do("GET", "/tasks/admin/queues/default/archived?size=100", "admin", nil)
		if res.Code != http.StatusOK {
			e.t.Fatalf("archived tasks: %d %s", res.Code, res.Body)
		}
		var list struct{ Tasks []tasks.Status }
		res.json(e.t, &list)
		for _, st := range list.Tasks {
			if st.ID == id {
				return
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("task %s not archived after %v", id, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID, Name string
	Data     []byte
}

// stream reads the task's event stream as user until the server ends it.
func (e *env) stream(id, user string, timeout time.Duration, headers ...string) []sseEvent {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/tasks/"+id+"/events", nil)
	req.Header.Set("X-Test-User", user)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		e.t.Fatalf("events: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.Name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.Name = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.Data = []byte(line[6:])
		}
	}
	if ctx.Err() != nil {
		e.t.Fatalf("event stream did not end within %v; got %d events", timeout, len(out))
	}
	return out
}

// contextAs returns a context whose acting user is user.
func contextAs(user string) context.Context {
	return identity.With(context.Background(), identity.Subject(user))
}
