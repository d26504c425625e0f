package webos

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// HealthTimeout bounds each dependency check. A check that has not answered
// by then counts as down, whether or not it heeds its context.
const HealthTimeout = 3 * time.Second

// HealthCacheTTL is how long one run of the checks answers GET /health.
// Requests that arrive while a run is under way wait for it instead of
// starting their own, so a flood of probes costs one run a second.
const HealthCacheTTL = time.Second

// HealthDetailsPath is the route with the state and latency of every
// dependency. GET /health, which load balancers and anyone may call, says
// only whether the server is healthy; the details name the backends and
// are for operators: the application's [Authorizer] must grant the
// request's user [PermHealthDetails], which administrators ("*") hold.
// Without an authorizer it fails closed, like every guarded route.
const HealthDetailsPath = "/health/details"

// PermHealthDetails is the permission [HealthDetailsPath] requires.
const PermHealthDetails = "webos.health.read"

// HealthReport is the JSON body of GET /health and of [HealthDetailsPath].
type HealthReport struct {
	// Status is "ok" when every dependency is up, else "unavailable".
	Status string `json:"status"`
	// Error says that the server is unavailable; in the details it also
	// names what is down. Empty when everything is up.
	Error string `json:"error,omitempty"`
	// Checks maps a dependency name to its state. Only the details have it.
	Checks map[string]CheckResult `json:"checks,omitempty"`
}

// CheckResult is the state of one dependency. Error says only that it is
// unavailable; the cause is logged.
type CheckResult struct {
	Status    string  `json:"status"` // "up" or "down"
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Health runs every health check now, concurrently, each bounded by
// HealthTimeout, and returns the detailed report. A check that goes down
// is logged at WARN once, when its state changes, with the cause; one that
// comes back, at INFO.
func (a *App) Health(ctx context.Context) HealthReport {
	a.mu.Lock()
	checks := append(append([]HealthCheck(nil), a.checks...), a.moduleChecks...)
	a.mu.Unlock()
	results := make([]CheckResult, len(checks))
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { results[i], errs[i] = runCheck(ctx, c) })
	}
	wg.Wait()
	rep := HealthReport{Status: "ok", Checks: make(map[string]CheckResult, len(checks))}
	var down []string
	for i, c := range checks {
		rep.Checks[c.Name] = results[i]
		if results[i].Status != "up" {
			down = append(down, c.Name)
		}
	}
	if len(down) > 0 {
		sort.Strings(down)
		rep.Status = "unavailable"
		rep.Error = "unavailable: " + strings.Join(down, ", ") + " down"
	}
	a.state().health.record(ctx, a.log, checks, errs, rep)
	return rep
}

// runCheck runs one check with its own deadline.
func runCheck(ctx context.Context, c HealthCheck) (CheckResult, error) {
	cctx, cancel := context.WithTimeout(ctx, HealthTimeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- safeCheck(cctx, c.Check) }()
	var err error
	select {
	case err = <-done:
	case <-cctx.Done():
		err = fmt.Errorf("no answer within %s: %w", HealthTimeout, cctx.Err())
	}
	res := CheckResult{Status: "up", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		// The cause (addresses, driver messages) goes to the log, not to
		// the report.
		res.Status, res.Error = "down", "unavailable"
	}
	return res, err
}

func safeCheck(ctx context.Context, check func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errPanicked
		}
	}()
	if check == nil {
		return nil
	}
	return check(ctx)
}

type healthError string

func (e healthError) Error() string { return string(e) }

const errPanicked = healthError("health check panicked")

// healthCache keeps the latest report for GET /health, the run under way
// and the last known state of each check. Its zero value is ready.
type healthCache struct {
	mu     sync.Mutex
	rep    HealthReport
	at     time.Time // when rep was made; zero for none
	flight *healthFlight
	up     map[string]bool // check name → up at the last run
}

// healthFlight is a run of the checks that several requests wait for.
type healthFlight struct {
	done chan struct{}
	rep  HealthReport
}

// record keeps rep as the latest report and logs the checks whose state
// changed.
func (hc *healthCache) record(ctx context.Context, log *slog.Logger, checks []HealthCheck, errs []error, rep HealthReport) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	rep.Checks = maps.Clone(rep.Checks) // the caller may change its copy
	hc.rep, hc.at = rep, time.Now()
	if hc.up == nil {
		hc.up = map[string]bool{}
	}
	for i, c := range checks {
		up := errs[i] == nil
		was, seen := hc.up[c.Name]
		hc.up[c.Name] = up
		switch {
		case !up && (!seen || was):
			log.WarnContext(ctx, "health check failed", "check", c.Name, "err", errs[i])
		case up && seen && !was:
			log.InfoContext(ctx, "health check recovered", "check", c.Name)
		}
	}
}

// RecentHealth returns the detailed report GET /health answers from: one
// at most [HealthCacheTTL] old, or else the result of a run of the checks
// — the run under way, or one it starts; callers share it. A page that
// shows the system's health (an admin console) uses it, so that viewing
// it costs no more than a load balancer's probe; [App.Health] runs the
// checks afresh. The caller waits for a run until ctx ends, which is then
// an error wrapping [ErrUnavailable] (503), never a late answer.
func (a *App) RecentHealth(ctx context.Context) (HealthReport, error) {
	rep, err := a.cachedHealth(ctx)
	rep.Checks = maps.Clone(rep.Checks) // the caller may change its copy
	return rep, err
}

// cachedHealth is [App.RecentHealth] without the copy of the checks, for
// the health routes, which only read the report.
func (a *App) cachedHealth(ctx context.Context) (HealthReport, error) {
	hc := &a.state().health
	hc.mu.Lock()
	age := time.Since(hc.at)
	if !hc.at.IsZero() && age < HealthCacheTTL {
		rep := hc.rep
		hc.mu.Unlock()
		return rep, nil
	}
	f := hc.flight
	if f == nil {
		f = &healthFlight{done: make(chan struct{})}
		hc.flight = f
		go func() {
			f.rep = a.Health(context.WithoutCancel(ctx))
			hc.mu.Lock()
			hc.flight = nil
			hc.mu.Unlock()
			close(f.done)
		}()
	}
	hc.mu.Unlock()
	select {
	case <-f.done:
		return f.rep, nil
	case <-ctx.Done():
		return HealthReport{}, fmt.Errorf("%w: the health checks are still running", ErrUnavailable)
	}
}

// Public answers of GET /health: whether the server is healthy, nothing
// about what it runs on.
var (
	healthOK          = HealthReport{Status: "ok"}
	healthUnavailable = HealthReport{Status: "unavailable", Error: "service unavailable"}
)

func (a *App) handleHealth(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.cachedHealth(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if rep.Status != "ok" {
		WriteJSON(w, http.StatusServiceUnavailable, healthUnavailable)
		return nil
	}
	WriteJSON(w, http.StatusOK, healthOK)
	return nil
}

// handleHealthDetails answers [HealthDetailsPath]: the detailed report,
// with status 200 whatever it says, to users with [PermHealthDetails].
func (a *App) handleHealthDetails(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return fmt.Errorf("%w: %s %s", ErrMethodNotAllowed, r.Method, r.URL.Path)
	}
	r, ok := guard{need: true, perms: []string{PermHealthDetails}}.serve(a, w, r)
	if !ok {
		return nil
	}
	rep, err := a.cachedHealth(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, rep)
	return nil
}
