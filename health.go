package webos

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// HealthTimeout bounds each dependency check of GET /health.
const HealthTimeout = 3 * time.Second

// HealthReport is the JSON body of GET /health.
type HealthReport struct {
	// Status is "ok" when every dependency is up, else "unavailable".
	Status string `json:"status"`
	// Error names what is down; empty when everything is up.
	Error string `json:"error,omitempty"`
	// Checks maps a dependency name to its state.
	Checks map[string]CheckResult `json:"checks"`
}

// CheckResult is the state of one dependency. Error says only that it is
// unavailable; the cause is logged.
type CheckResult struct {
	Status    string  `json:"status"` // "up" or "down"
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Health runs every health check concurrently, each bounded by
// HealthTimeout.
func (a *App) Health(ctx context.Context) HealthReport {
	a.mu.Lock()
	checks := append(append([]HealthCheck(nil), a.checks...), a.moduleChecks...)
	a.mu.Unlock()
	rep := HealthReport{Status: "ok", Checks: make(map[string]CheckResult, len(checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, HealthTimeout)
			defer cancel()
			start := time.Now()
			err := safeCheck(cctx, c.Check)
			res := CheckResult{Status: "up", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				// The cause (addresses, driver messages) goes to the log,
				// not to the public endpoint.
				res.Status, res.Error = "down", "unavailable"
				a.log.WarnContext(ctx, "health check failed", "check", c.Name, "err", err)
			}
			mu.Lock()
			rep.Checks[c.Name] = res
			mu.Unlock()
		})
	}
	wg.Wait()
	var down []string
	for name, r := range rep.Checks {
		if r.Status != "up" {
			down = append(down, name)
		}
	}
	if len(down) > 0 {
		sort.Strings(down)
		rep.Status = "unavailable"
		rep.Error = "unavailable: " + strings.Join(down, ", ") + " down"
	}
	return rep
}

func safeCheck(ctx context.Context, check func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = errPanicked
		}
	}()
	return check(ctx)
}

type healthError string

func (e healthError) Error() string { return string(e) }

const errPanicked = healthError("health check panicked")

func (a *App) handleHealth(w http.ResponseWriter, r *http.Request) error {
	rep := a.Health(r.Context())
	status := http.StatusOK
	if rep.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, status, rep)
	return nil
}
