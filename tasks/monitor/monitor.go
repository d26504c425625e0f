package monitor

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
)

// ModuleID is the ID of [Module].
const ModuleID = "tasks.monitor"

// Path is where the monitor is mounted.
const Path = "/tasks/admin/monitor"

// Module serves asynqmon at [Path], behind the tasks module's
// administrator check.
type Module struct {
	tasks    *tasks.Module
	readOnly bool
	h        atomic.Pointer[asynqmon.HTTPHandler]
}

var (
	_ webos.Module        = (*Module)(nil)
	_ webos.Dependent     = (*Module)(nil)
	_ webos.Starter       = (*Module)(nil)
	_ webos.Stopper       = (*Module)(nil)
	_ webos.RouteProvider = (*Module)(nil)
)

// Option configures the monitor.
type Option func(*Module)

// ReadOnly lets administrators look but not retry, delete or cancel.
func ReadOnly() Option { return func(m *Module) { m.readOnly = true } }

// New returns the monitor of tm's queues.
func New(tm *tasks.Module, opts ...Option) *Module {
	m := &Module{tasks: tm}
	for _, o := range opts {
		o(m)
	}
	return m
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Task monitor",
		Description: "Queues, tasks by state and workers, for administrators.",
		Icon:        "📊",
		Version:     "1.0.0",
		Prefix:      Path,
	}
}

// Requires the tasks module, whose Redis connection it uses.
func (m *Module) Requires() []string { return []string{tasks.ModuleID} }

// Start makes the UI's handler on the tasks module's Redis connection.
func (m *Module) Start(context.Context) error {
	rdb := m.tasks.Redis()
	if rdb == nil {
		return fmt.Errorf("%s: the tasks module is not running", ModuleID)
	}
	m.h.Store(asynqmon.New(asynqmon.Options{
		RootPath:     Path,
		RedisConnOpt: sharedConn{rdb},
		ReadOnly:     m.readOnly,
	}))
	return nil
}

// Stop drops the handler; the connection stays the tasks module's.
func (m *Module) Stop(context.Context) error {
	m.h.Store(nil)
	return nil
}

// Routes serves the UI and its API under [Path] for administrators.
func (m *Module) Routes(r *webos.Router) {
	r.Require(tasks.PermAdmin).Handle("/{path...}", http.HandlerFunc(m.serve))
}

func (m *Module) serve(w http.ResponseWriter, r *http.Request) {
	h := m.h.Load()
	if h == nil {
		webos.WriteError(w, r, fmt.Errorf("%w: the task monitor is not running", webos.ErrUnavailable))
		return
	}
	if strings.HasSuffix(r.URL.Path, "/api/redis_info") {
		// It shows the Redis server's address; the queues are what the
		// monitor is for.
		webos.WriteError(w, r, fmt.Errorf("%w: the Redis details are not shown", webos.ErrNotFound))
		return
	}
	ew := &errorWriter{ResponseWriter: w}
	h.ServeHTTP(ew, r)
	if ew.status != 0 {
		webos.WriteError(w, r, ew.err())
	}
}

// errorWriter keeps asynqmon's error answers — plain text that may name
// Redis or its internals — from the client, so that the module answers
// them as the kernel's JSON errors instead.
type errorWriter struct {
	http.ResponseWriter
	status int
	body   []byte
	wrote  bool
}

func (e *errorWriter) WriteHeader(code int) {
	if e.wrote || e.status != 0 {
		return
	}
	if code >= 400 {
		e.status = code
		return
	}
	e.wrote = true
	e.ResponseWriter.WriteHeader(code)
}

func (e *errorWriter) Write(p []byte) (int, error) {
	if !e.wrote && e.status == 0 {
		e.wrote = true // the first write sniffs the content type
	}
	if e.status != 0 {
		if len(e.body) < 1024 {
			e.body = append(e.body, p...)
		}
		return len(p), nil
	}
	return e.ResponseWriter.Write(p)
}

func (e *errorWriter) Flush() {
	if e.status == 0 {
		_ = http.NewResponseController(e.ResponseWriter).Flush()
	}
}

func (e *errorWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// err maps asynqmon's answer to one of the kernel's error kinds.
func (e *errorWriter) err() error {
	text := strings.ToLower(string(e.body))
	switch {
	case e.status == http.StatusNotFound || strings.Contains(text, "not found") || strings.Contains(text, "does not exist"):
		return fmt.Errorf("%w: no such queue or task", webos.ErrNotFound)
	case e.status == http.StatusMethodNotAllowed:
		return webos.ErrMethodNotAllowed
	case e.status < 500 || strings.Contains(text, "must contain") || strings.Contains(text, "not empty"):
		return fmt.Errorf("%w: the monitor refused the request", webos.ErrBadRequest)
	}
	return fmt.Errorf("tasks monitor: %d", e.status)
}

// sharedConn hands asynqmon an existing client. asynqmon would close it in
// its Close, which the module never calls.
type sharedConn struct{ c redis.UniversalClient }

// MakeRedisClient returns the shared client.
func (s sharedConn) MakeRedisClient() any { return s.c }
