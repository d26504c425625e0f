package monitor

import (
	"context"
	"fmt"
	"net/http"
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
	h.ServeHTTP(w, r)
}

// sharedConn hands asynqmon an existing client. asynqmon would close it in
// its Close, which the module never calls.
type sharedConn struct{ c redis.UniversalClient }

// MakeRedisClient returns the shared client.
func (s sharedConn) MakeRedisClient() any { return s.c }
