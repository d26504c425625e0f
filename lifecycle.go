package webos

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
)

// drain is the shutdown of one server that [App.ServeListener] runs. Its
// requests carry it in their context (the server's base context, which
// ends when the shutdown budget runs out).
type drain struct {
	// begun is done once shutdown begins: event streams end then.
	begun context.Context
	begin context.CancelFunc
}

type drainKey struct{}

func drainOf(ctx context.Context) *drain {
	d, _ := ctx.Value(drainKey{}).(*drain)
	return d
}

type recorderKey struct{}

// recorderOf returns the kernel's recorder of the request's response.
func recorderOf(ctx context.Context) *responseRecorder {
	rec, _ := ctx.Value(recorderKey{}).(*responseRecorder)
	return rec
}

// streamRequest gives the request of a [Stream] route its context: it has
// no deadline and ends when the client goes away or when the shutdown
// budget runs out. An event stream — a response of type
// text/event-stream — also ends as soon as shutdown begins, so that it
// does not hold the drain up; an upload or a download is drained like any
// request. done releases the context.
func (a *App) streamRequest(r *http.Request) (_ *http.Request, done func()) {
	ctx, cancel := context.WithCancel(r.Context())
	d := drainOf(ctx)
	if d == nil {
		// Not served by ServeListener (as with httptest): the stream
		// ends with its client or its server.
		return r.WithContext(ctx), cancel
	}
	rec := recorderOf(ctx)
	if rec == nil {
		stop := context.AfterFunc(d.begun, cancel)
		return r.WithContext(ctx), func() { stop(); cancel() }
	}
	var stop func() bool
	rec.onEventStream = func() { stop = context.AfterFunc(d.begun, cancel) }
	return r.WithContext(ctx), func() {
		rec.onEventStream = nil
		if stop != nil {
			stop()
		}
		cancel()
	}
}

// isEventStream reports whether a response with header h is a stream of
// Server-Sent Events.
func isEventStream(h http.Header) bool {
	ct := strings.TrimSpace(strings.ToLower(h.Get("Content-Type")))
	return strings.HasPrefix(ct, "text/event-stream")
}

// step runs one lifecycle step of module m, turning a panic into an error
// (logged with its stack) so that the app cleans up as for any failed step.
func (a *App) step(m *moduleState, name string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("panic in module", "module", m.info.ID, "step", name,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn()
}
