package webos

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// Defaults of the server's timeouts, used when the [Config] field is zero
// (as in a Config not read by [LoadConfig]).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultBodyIdleTimeout   = 15 * time.Second
	DefaultBodyMinRate       = 1024 // bytes a second
	DefaultShutdownTimeout   = 15 * time.Second
)

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// httpServer returns the server [App.ServeListener] runs: the app's handler
// with the configured timeouts; base is the parent of every request's
// context.
func (a *App) httpServer(base context.Context) *http.Server {
	return &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: orDefault(a.cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		IdleTimeout:       orDefault(a.cfg.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

// bodyGuard reads a request body with a deadline on the connection that
// moves as bytes arrive: each read may wait for the client at most the
// idle timeout, and in all the body may have kept the server waiting at
// most the idle timeout plus one second per minRate bytes received. Time
// the handler spends between reads does not count, so a long upload runs
// as long as it keeps up, while a trickle is cut off. A deadline the
// handler sets (the route's timeout) caps the guard's.
type bodyGuard struct {
	body    io.ReadCloser
	ctl     *http.ResponseController // of the server's own ResponseWriter
	idle    time.Duration
	minRate int64 // ≤ 0: none

	received int64
	waited   time.Duration
	eof      bool

	mu       sync.Mutex
	limit    time.Time // set by the handler; zero for none
	deadline time.Time // the connection's read deadline, as last set
	failure  error     // why the body could not be read, for WriteError
}

func (a *App) newBodyGuard(w http.ResponseWriter, body io.ReadCloser) *bodyGuard {
	rate := a.cfg.BodyMinRate
	if rate == 0 {
		rate = DefaultBodyMinRate
	}
	return &bodyGuard{
		body:    body,
		ctl:     http.NewResponseController(w),
		idle:    orDefault(a.cfg.BodyIdleTimeout, DefaultBodyIdleTimeout),
		minRate: rate,
	}
}

// Errors of a body the client did not deliver. Their text is what the
// client sees; the network error stays in the chain, for logs.
type bodyError struct {
	kind error
	msg  string
	err  error
}

func (e *bodyError) Error() string   { return e.msg }
func (e *bodyError) Unwrap() []error { return []error{e.kind, e.err} }

func (g *bodyGuard) Read(p []byte) (int, error) {
	if g.eof {
		return g.body.Read(p)
	}
	if err := g.failed(); err != nil {
		return 0, err
	}
	start := time.Now()
	wait := g.idle
	if g.minRate > 0 {
		credit := time.Duration(float64(g.received) / float64(g.minRate) * float64(time.Second))
		wait = min(wait, g.idle+credit-g.waited)
	}
	if wait <= 0 {
		return 0, g.fail(&bodyError{kind: ErrRequestTimeout, msg: "request timeout: the request body arrived too slowly", err: os.ErrDeadlineExceeded})
	}
	g.setDeadline(start.Add(wait))
	n, err := g.body.Read(p)
	g.waited += time.Since(start)
	g.received += int64(n)
	switch {
	case err == nil:
	case err == io.EOF:
		g.mu.Lock()
		g.eof = true
		limit := g.limit
		g.mu.Unlock()
		// The server watches the idle connection from here on; only the
		// handler's own deadline still applies.
		g.setDeadline(limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = g.fail(&bodyError{kind: ErrRequestTimeout, msg: "request timeout: the request body arrived too slowly", err: err})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), isNetError(err):
		err = g.fail(&bodyError{kind: ErrBadRequest, msg: "bad request: the request body ended early", err: err})
	}
	return n, err
}

func isNetError(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}

// Close closes the body.
func (g *bodyGuard) Close() error { return g.body.Close() }

// setDeadline sets the connection's read deadline to t, or to the
// handler's limit when that comes first. A zero t clears it.
func (g *bodyGuard) setDeadline(t time.Time) {
	g.mu.Lock()
	if !g.limit.IsZero() && (t.IsZero() || g.limit.Before(t)) {
		t = g.limit
	}
	if t.Equal(g.deadline) {
		g.mu.Unlock()
		return
	}
	g.deadline = t
	g.mu.Unlock()
	_ = g.ctl.SetReadDeadline(t)
}

// setLimit records a read deadline the handler sets (through
// http.ResponseController) and applies it when it comes before the
// guard's own.
func (g *bodyGuard) setLimit(t time.Time) error {
	g.mu.Lock()
	g.limit = t
	cur, eof := g.deadline, g.eof
	g.mu.Unlock()
	if eof || cur.IsZero() || (!t.IsZero() && t.Before(cur)) {
		g.mu.Lock()
		g.deadline = t
		g.mu.Unlock()
		return g.ctl.SetReadDeadline(t)
	}
	return nil
}

func (g *bodyGuard) fail(err error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failure == nil {
		g.failure = err
	}
	return g.failure
}

func (g *bodyGuard) failed() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failure
}

// bodyFailureOf returns why the body of the request w answers could not be
// read, or nil.
func bodyFailureOf(w http.ResponseWriter) error {
	for w != nil {
		if rec, ok := w.(*responseRecorder); ok {
			if rec.guard == nil {
				return nil
			}
			return rec.guard.failed()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}
