package webos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/registry"
)

// Module lifecycle states, as shown by "modules list" and [App.Modules].
const (
	StateRegistered  = "registered"
	StateProvisioned = "provisioned"
	StateStarted     = "started"
	StateFailed      = "failed"
	StateStopped     = "stopped"
)

// App is a WebOS application: the kernel and the modules it was composed
// from. Create it with [New], then call [App.Run] (or [Main] for a binary
// with a command line).
type App struct {
	cfg      Config
	log      *slog.Logger
	bus      *bus.Bus
	busFrom  busSource
	busTaken bool // Bus was called: SetBus may no longer replace it
	registry *registry.Registry
	sinks    []slog.Handler // from LogSink modules
	routesMu sync.RWMutex
	routes   []Route      // mounted by Start, see Routes
	primary  slog.Handler // where the application logs besides the sinks
	level    atomic.Int64 // slog.Level, see LogLevel

	modules []*moduleState // in the order given to New
	byID    map[string]*moduleState

	mu           sync.Mutex
	order        []*moduleState // dependency order, set by Start
	provisioned  []*moduleState // to clean up, in provisioning order
	started      []*moduleState
	running      bool
	checks       []HealthCheck // added with AddHealthCheck
	moduleChecks []HealthCheck // from HealthChecker modules, per Start

	mode string    // set by Exec: "serve" or the command's name
	out  io.Writer // command output, set by Exec

	authz atomic.Pointer[Authorizer]

	mux     *http.ServeMux
	inner   http.Handler // module middleware around dispatch
	handler http.Handler
}

// busSource says where the application's bus came from, and so who
// closes it.
type busSource int

const (
	busNone     busSource = iota
	busOwned              // created by Bus: Stop closes it
	busGiven              // given with SetBus: its caller closes it
	busProvided           // from a BusProvider module, which closes it
)

type moduleState struct {
	mod     Module
	info    ModuleInfo
	state   atomic.Value // string
	enabled atomic.Bool
	cancels []func()
}

func (m *moduleState) getState() string { s, _ := m.state.Load().(string); return s }

// New composes an application from cfg and modules. It does not fail:
// problems with the composition (duplicate IDs, missing dependencies) are
// reported by [App.Validate] and [App.Start].
func New(cfg Config, modules ...Module) *App {
	a := &App{
		cfg:      cfg,
		registry: registry.New(),
		byID:     map[string]*moduleState{},
	}
	for _, m := range modules {
		if ls, ok := m.(LogSink); ok {
			if h := ls.LogHandler(); h != nil {
				a.sinks = append(a.sinks, h)
			}
		}
	}
	a.level.Store(int64(ParseLevel(cfg.LogLevel)))
	a.log = a.logger(slog.Default().Handler())
	for _, m := range modules {
		ms := &moduleState{mod: m, info: m.ModuleInfo()}
		ms.state.Store(StateRegistered)
		ms.enabled.Store(true)
		a.modules = append(a.modules, ms)
		if _, dup := a.byID[ms.info.ID]; !dup {
			a.byID[ms.info.ID] = ms
		}
	}
	return a
}

// Mode tells what the process is doing: "serve" while it serves HTTP
// through [App.Exec] or [Main], the command's name (e.g. "user create")
// while it runs a command, and "" when the app was started directly (as in
// tests). Modules use it to skip serve-only work, such as printing a
// first-run password, during a command.
func (a *App) Mode() string { return a.mode }

// Output is where commands write what they print: the writer given to
// [App.Exec] (os.Stdout under [Main]).
func (a *App) Output() io.Writer {
	if a.out == nil {
		return os.Stdout
	}
	return a.out
}

// Config returns the application's configuration.
func (a *App) Config() Config { return a.cfg }

// Logger returns the application's logger.
func (a *App) Logger() *slog.Logger { return a.log }

// SetLogger makes l's handler where the application logs, besides its
// [LogSink] modules. Call it right after [New], before anything takes the
// logger: the default is slog.Default's handler at the time of New.
func (a *App) SetLogger(l *slog.Logger) { a.log = a.logger(l.Handler()) }

// Registry returns the application's service registry.
func (a *App) Registry() *registry.Registry { return a.registry }

// Bus returns the application's event bus: the one a [BusProvider] module
// or [App.SetBus] gave, otherwise an in-process bus created on first use
// and closed by Stop (a restarted app creates a fresh one).
func (a *App) Bus() *bus.Bus {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bus == nil {
		a.bus = bus.New(bus.Options{Logger: a.log})
		a.busFrom = busOwned
	}
	a.busTaken = true
	return a.bus
}

// SetBus makes b the application's bus, e.g. one with a Redis transport so
// that several instances share events. Call it before Start (a module
// gives the bus as a [BusProvider] instead); it fails once anything took
// the bus, since a module holding the old bus would miss events, until
// Stop. The caller closes b after Stop; a restarted app uses b again.
func (a *App) SetBus(b *bus.Bus) error { return a.setBus(b, busGiven) }

func (a *App) setBus(b *bus.Bus, from busSource) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.busTaken {
		return errors.New("webos: SetBus after the bus was handed out: set it before Start, or compose a BusProvider module")
	}
	a.bus, a.busFrom = b, from
	return nil
}

// releaseBus lets go of the bus at Stop, closing it when the app created
// it: the next Start begins with the bus the application gave, or a fresh
// one.
func (a *App) releaseBus(ctx context.Context) error {
	a.mu.Lock()
	b, from := a.bus, a.busFrom
	a.busTaken = false
	if from != busGiven {
		a.bus, a.busFrom = nil, busNone
	}
	a.mu.Unlock()
	if from == busOwned && b != nil {
		return b.Close(ctx)
	}
	return nil
}

// AddHealthCheck adds a dependency to GET /health.
func (a *App) AddHealthCheck(name string, check func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, HealthCheck{Name: name, Check: check})
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Validate checks the composition: every module has a well-formed unique
// ID, every dependency is present, and dependencies have no cycle. Errors
// name the module.
func (a *App) Validate() error {
	_, err := a.resolveOrder()
	return err
}

func (a *App) resolveOrder() ([]*moduleState, error) {
	var errs []error
	seen := map[string]bool{}
	for _, m := range a.modules {
		id := m.info.ID
		switch {
		case !idPattern.MatchString(id):
			errs = append(errs, fmt.Errorf("module %q (%T): invalid ID: want lowercase letters, digits, '.', '_' or '-'", id, m.mod))
		case seen[id]:
			errs = append(errs, fmt.Errorf("module %q: duplicate ID (%T)", id, m.mod))
		}
		seen[id] = true
		for _, dep := range requires(m) {
			if _, ok := a.byID[dep]; !ok {
				errs = append(errs, fmt.Errorf("module %q: requires module %q, which is not registered", id, dep))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Depth-first topological sort, stable in registration order.
	const (
		unvisited = iota
		visiting
		done
	)
	mark := map[*moduleState]int{}
	var order []*moduleState
	var visit func(m *moduleState, path []string) error
	visit = func(m *moduleState, path []string) error {
		switch mark[m] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("module %q: dependency cycle: %s", m.info.ID, strings.Join(append(path, m.info.ID), " -> "))
		}
		mark[m] = visiting
		for _, dep := range requires(m) {
			if err := visit(a.byID[dep], append(path, m.info.ID)); err != nil {
				return err
			}
		}
		mark[m] = done
		order = append(order, m)
		return nil
	}
	for _, m := range a.modules {
		if err := visit(m, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func requires(m *moduleState) []string {
	if d, ok := m.mod.(Dependent); ok {
		return d.Requires()
	}
	return nil
}

// Start validates the composition, provisions every module in dependency
// order, mounts their routes, then starts them in dependency order and makes
// their bus subscriptions. If a step fails — returns an error or panics —
// the modules already started are stopped in reverse order, every
// provisioned module is cleaned up, and the error, naming the module, is
// returned.
//
// An app can be started again after [App.Stop] (also after a failed
// Start): every module is provisioned and started anew, a [BusProvider]
// gives its new bus, an app that created its own bus creates a fresh one,
// and [App.ServeListener] serves streams as the first time. Start while
// the app is running is an error.
func (a *App) Start(ctx context.Context) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("webos: app already started")
	}
	a.mu.Unlock()
	order, err := a.resolveOrder()
	if err == nil {
		order, err = partsFirst(order)
	}
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.order = order
	a.moduleChecks = nil // a restarted app collects its modules' checks again
	a.mu.Unlock()

	fail := func(err error) error { return errors.Join(err, a.teardown(ctx)) }
	for _, m := range order {
		if p, ok := m.mod.(Provisioner); ok {
			if err := a.step(m, "provision", func() error { return p.Provision(ctx, a) }); err != nil {
				m.state.Store(StateFailed)
				return fail(fmt.Errorf("module %q: provision: %w", m.info.ID, err))
			}
		}
		a.mu.Lock()
		a.provisioned = append(a.provisioned, m)
		a.mu.Unlock()
		if bp, ok := m.mod.(BusProvider); ok {
			var b *bus.Bus
			err := a.step(m, "bus", func() error { b = bp.Bus(); return nil })
			if err == nil && b == nil {
				err = errors.New("provided no bus")
			}
			if err == nil {
				err = a.setBus(b, busProvided)
			}
			if err != nil {
				m.state.Store(StateFailed)
				return fail(fmt.Errorf("module %q: bus: %w", m.info.ID, err))
			}
		}
		m.state.Store(StateProvisioned)
		if hc, ok := m.mod.(HealthChecker); ok {
			var checks []HealthCheck
			if err := a.step(m, "health checks", func() error { checks = hc.HealthChecks(); return nil }); err != nil {
				m.state.Store(StateFailed)
				return fail(fmt.Errorf("module %q: health checks: %w", m.info.ID, err))
			}
			a.mu.Lock()
			a.moduleChecks = append(a.moduleChecks, checks...)
			a.mu.Unlock()
		}
	}
	if ap, err := a.findAuthorizer(); err != nil {
		return fail(err)
	} else if ap != nil {
		az := ap.Authorizer()
		a.authz.Store(&az)
	}
	if err := a.buildRoutes(order); err != nil {
		return fail(err)
	}
	b := a.Bus()
	for _, m := range order {
		if s, ok := m.mod.(Starter); ok {
			if err := a.step(m, "start", func() error { return s.Start(ctx) }); err != nil {
				m.state.Store(StateFailed)
				return fail(fmt.Errorf("module %q: start: %w", m.info.ID, err))
			}
		}
		m.state.Store(StateStarted)
		a.mu.Lock()
		a.started = append(a.started, m)
		a.mu.Unlock()
		if s, ok := m.mod.(Subscriber); ok {
			var subs []bus.Subscription
			err := a.step(m, "subscribe", func() error { subs = s.Subscriptions(); return nil })
			if err == nil {
				var cancel func()
				if cancel, err = b.SubscribeAll(subs); err == nil {
					m.cancels = append(m.cancels, cancel)
				}
			}
			if err != nil {
				m.state.Store(StateFailed)
				return fail(fmt.Errorf("module %q: subscribe: %w", m.info.ID, err))
			}
		}
		a.log.Debug("module started", "module", m.info.ID)
	}
	a.mu.Lock()
	a.running = true
	a.mu.Unlock()
	return nil
}

// Stop stops the started modules in reverse start order, cancelling their
// subscriptions, cleans up every provisioned module ([Cleaner]), then
// drains the bus if the app created it. Every module is asked to stop even
// when another fails or panics; the errors are joined. The app can be
// started again afterwards.
func (a *App) Stop(ctx context.Context) error {
	err := a.teardown(ctx)
	a.mu.Lock()
	a.running = false
	a.mu.Unlock()
	return err
}

// teardown stops what started, cleans up what was provisioned and lets go
// of the bus: the end of Stop and of a failed Start.
func (a *App) teardown(ctx context.Context) error {
	return errors.Join(a.stopStarted(ctx), a.cleanup(), a.releaseBus(ctx))
}

// cleanup calls Cleanup of every provisioned module, in reverse order.
func (a *App) cleanup() error {
	a.mu.Lock()
	provisioned := a.provisioned
	a.provisioned = nil
	a.mu.Unlock()
	var errs []error
	for i := len(provisioned) - 1; i >= 0; i-- {
		if c, ok := provisioned[i].mod.(Cleaner); ok {
			if err := a.step(provisioned[i], "cleanup", c.Cleanup); err != nil {
				errs = append(errs, fmt.Errorf("module %q: cleanup: %w", provisioned[i].info.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (a *App) stopStarted(ctx context.Context) error {
	a.mu.Lock()
	started := a.started
	a.started = nil
	a.mu.Unlock()
	var errs []error
	for i := len(started) - 1; i >= 0; i-- {
		m := started[i]
		for _, cancel := range m.cancels {
			cancel()
		}
		m.cancels = nil
		if s, ok := m.mod.(Stopper); ok {
			if err := a.step(m, "stop", func() error { return s.Stop(ctx) }); err != nil {
				errs = append(errs, fmt.Errorf("module %q: stop: %w", m.info.ID, err))
			}
		}
		m.state.Store(StateStopped)
		a.log.Debug("module stopped", "module", m.info.ID)
	}
	return errors.Join(errs...)
}

func (a *App) buildRoutes(order []*moduleState) error {
	var errs []error
	a.mux = http.NewServeMux()
	a.routesMu.Lock()
	a.routes = nil
	a.routesMu.Unlock()
	kernel := &Router{app: a, errs: &errs}
	kernel.HandleFunc("GET /health", a.handleHealth, Describe(Operation{
		Summary: "Whether the server and its dependencies are up (cached about a second)", Response: HealthReport{}}))
	// The details are answered by the middleware, after the application's
	// authorizer identified the user; they are listed like any route.
	details := &Router{app: a, errs: &errs, guard: guard{need: true, perms: []string{PermHealthDetails}}}
	details.addRoute("GET "+HealthDetailsPath, routeConfig{op: &Operation{
		Summary: "The state and latency of every dependency", Response: HealthReport{}}})
	for _, m := range order {
		rp, ok := m.mod.(RouteProvider)
		if !ok {
			continue
		}
		prefix := m.info.Prefix
		switch prefix {
		case "":
			prefix = "/" + m.info.ID
		case "/":
			prefix = ""
		default:
			prefix = "/" + strings.Trim(prefix, "/")
		}
		r := &Router{app: a, mod: m, prefix: prefix, errs: &errs}
		if m.info.Permission != "" {
			r.guard = guard{need: true, perms: []string{m.info.Permission}}
		}
		if err := a.step(m, "routes", func() error { rp.Routes(r); return nil }); err != nil {
			m.state.Store(StateFailed)
			errs = append(errs, fmt.Errorf("module %q: routes: %w", m.info.ID, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	var inner http.Handler = http.HandlerFunc(a.dispatch)
	for i := len(order) - 1; i >= 0; i-- {
		if mp, ok := order[i].mod.(MiddlewareProvider); ok {
			if mw := mp.Middleware(); mw != nil {
				inner = mw(inner)
			}
		}
	}
	a.inner = inner
	a.handler = http.HandlerFunc(a.serveKernel)
	return nil
}

// Handler returns the application's HTTP handler. It is valid after Start.
func (a *App) Handler() http.Handler {
	if a.handler == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteError(w, r, fmt.Errorf("%w: application not started", ErrUnavailable))
		})
	}
	return a.handler
}

// ModuleStatus describes a registered module for listings.
type ModuleStatus struct {
	ModuleInfo
	Capabilities []string `json:"capabilities"`
	State        string   `json:"state"`
	Enabled      bool     `json:"enabled"`
	// Requires are the IDs of the modules it needs (see [Dependent]).
	Requires []string `json:"requires,omitempty"`
	// Routes are the patterns it mounted, such as "GET /notes/list", in
	// the order it mounted them; none before Start.
	Routes []string `json:"routes,omitempty"`
}

// Modules lists the modules in registration order.
func (a *App) Modules() []ModuleStatus {
	out := make([]ModuleStatus, 0, len(a.modules))
	routes := a.Routes()
	for _, m := range a.modules {
		st := ModuleStatus{ModuleInfo: m.info, Capabilities: Capabilities(m.mod), State: m.getState(), Enabled: m.enabled.Load(),
			Requires: slices.Clone(requires(m))}
		for _, rt := range routes {
			if rt.Module == m.info.ID {
				st.Routes = append(st.Routes, rt.Pattern())
			}
		}
		out = append(out, st)
	}
	return out
}

// Module returns the registered module with the given ID.
func (a *App) Module(id string) (Module, bool) {
	m, ok := a.byID[id]
	if !ok {
		return nil, false
	}
	return m.mod, true
}

// SetModuleEnabled switches a module's routes on or off without a restart:
// a disabled module's routes answer 404. Other parts of the shell (menus,
// widgets) consult [App.ModuleEnabled].
func (a *App) SetModuleEnabled(id string, enabled bool) error {
	m, ok := a.byID[id]
	if !ok {
		return fmt.Errorf("%w: module %q", ErrNotFound, id)
	}
	m.enabled.Store(enabled)
	return nil
}

// ModuleEnabled reports whether the module is registered and enabled.
func (a *App) ModuleEnabled(id string) bool {
	m, ok := a.byID[id]
	return ok && m.enabled.Load()
}

// Capabilities names the optional interfaces m implements.
func Capabilities(m Module) []string {
	var caps []string
	add := func(ok bool, name string) {
		if ok {
			caps = append(caps, name)
		}
	}
	_, ok := m.(Provisioner)
	add(ok, "provision")
	_, ok = m.(Starter)
	add(ok, "start")
	_, ok = m.(Stopper)
	add(ok, "stop")
	_, ok = m.(Cleaner)
	add(ok, "cleanup")
	_, ok = m.(RouteProvider)
	add(ok, "routes")
	_, ok = m.(MiddlewareProvider)
	add(ok, "middleware")
	_, ok = m.(Subscriber)
	add(ok, "events")
	_, ok = m.(Dependent)
	add(ok, "requires")
	_, ok = m.(HealthChecker)
	add(ok, "health")
	_, ok = m.(CommandProvider)
	add(ok, "commands")
	_, ok = m.(PermissionProvider)
	add(ok, "permissions")
	for _, c := range extraCapabilities {
		if name := c(m); name != "" {
			caps = append(caps, name)
		}
	}
	return caps
}

var extraCapabilities []func(Module) string

// RegisterCapability lets a package that defines a capability interface
// (settings, ui, tasks, …) name it in module listings: describe returns the
// capability's name when m implements it, or "". Call it from an init func.
func RegisterCapability(describe func(m Module) string) {
	extraCapabilities = append(extraCapabilities, describe)
}

// Serve listens on cfg.Addr and serves until ctx is done, then shuts the
// server down; see [App.ServeListener]. The app must have been started.
func (a *App) Serve(ctx context.Context) error {
	_, release, err := a.serve(ctx)
	release()
	return err
}

// ServeListener serves on ln until ctx is done, then shuts the server
// down within [Config.ShutdownTimeout]: it stops accepting connections,
// ends event streams at once, and lets every other request in flight —
// JSON calls, uploads, downloads — finish. When the time is up, the
// contexts of the requests still running are cancelled, their connections
// closed, and the error says so. An app may serve again after a shutdown.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	_, release, err := a.serveListener(ctx, ln)
	release()
	return err
}

func (a *App) serve(ctx context.Context) (context.Context, context.CancelFunc, error) {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		budget, release := a.shutdownBudget(ctx)
		return budget, release, fmt.Errorf("webos: listen: %w", err)
	}
	return a.serveListener(ctx, ln)
}

// shutdownBudget returns a context that ends when the shutdown budget,
// starting now, runs out.
func (a *App) shutdownBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), a.shutdownTimeout())
}

func (a *App) shutdownTimeout() time.Duration {
	return orDefault(a.cfg.ShutdownTimeout, DefaultShutdownTimeout)
}

// serveListener is ServeListener that also returns the shutdown budget's
// context, for Run to stop the modules in the time the drain left.
func (a *App) serveListener(ctx context.Context, ln net.Listener) (budget context.Context, release context.CancelFunc, err error) {
	// Every request's context ends when the budget runs out.
	base, expire := context.WithCancel(context.WithoutCancel(ctx))
	defer expire()
	d := &drain{}
	d.begun, d.begin = context.WithCancel(context.Background())
	defer d.begin()
	srv := a.httpServer(context.WithValue(base, drainKey{}, d))
	a.log.Info("WebOS listening", "url", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		budget, release = a.shutdownBudget(ctx)
		return budget, release, err
	case <-ctx.Done():
	}
	timeout := a.shutdownTimeout()
	budget, release = a.shutdownBudget(ctx)
	a.log.Info("shutting down: draining requests", "timeout", timeout)
	d.begin() // event streams end now
	if err = srv.Shutdown(budget); err != nil {
		expire()
		_ = srv.Close()
		err = fmt.Errorf("webos: shutdown: requests still running after %s: %w", timeout, err)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return budget, release, err
}

// Run starts the app, serves HTTP until ctx is done, then shuts down
// within one budget, [Config.ShutdownTimeout], counted from the moment
// ctx is done: in-flight requests drain first (see [App.ServeListener]),
// then the modules stop with the time that is left.
func (a *App) Run(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		return err
	}
	budget, release, serveErr := a.serve(ctx)
	defer release()
	return errors.Join(serveErr, a.Stop(budget))
}
