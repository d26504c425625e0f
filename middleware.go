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
	"runtime/debug"
	"strings"
	"time"

	"github.com/webos-go/webos/trace"
)

// responseRecorder remembers the status and size of a response. It keeps
// Flush and Hijack working through Unwrap (http.ResponseController) and
// direct methods.
type responseRecorder struct {
	http.ResponseWriter
	status int
	size   int64
	guard  *bodyGuard // the request body's, when it has one
	// onEventStream, when set (by a stream route), is called as the
	// response turns out to be an event stream, when its header is sent.
	onEventStream func()
}

// begin records the status of the response as its header is sent.
func (rw *responseRecorder) begin(code int) {
	if rw.status != 0 {
		return
	}
	rw.status = code
	if rw.onEventStream != nil && isEventStream(rw.ResponseWriter.Header()) {
		rw.onEventStream()
	}
}

// SetReadDeadline lets the body guard know of a deadline the handler sets
// through http.ResponseController.
func (rw *responseRecorder) SetReadDeadline(t time.Time) error {
	if rw.guard != nil {
		return rw.guard.setLimit(t)
	}
	return http.NewResponseController(rw.ResponseWriter).SetReadDeadline(t)
}

func (rw *responseRecorder) WriteHeader(code int) {
	if code >= 200 { // informational headers are not the response's
		rw.begin(code)
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *responseRecorder) Write(b []byte) (int, error) {
	rw.begin(http.StatusOK)
	n, err := rw.ResponseWriter.Write(b)
	rw.size += int64(n)
	return n, err
}

// ReadFrom keeps the server's sendfile path for file downloads.
func (rw *responseRecorder) ReadFrom(src io.Reader) (int64, error) {
	rw.begin(http.StatusOK)
	var n int64
	var err error
	if rf, ok := rw.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{rw.ResponseWriter}, src)
	}
	rw.size += n
	return n, err
}

// writerOnly hides every method but Write, so io.Copy does not loop back
// into ReadFrom.
type writerOnly struct{ io.Writer }

func (rw *responseRecorder) Flush() {
	rw.begin(http.StatusOK)
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

func (rw *responseRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(rw.ResponseWriter).Hijack()
}

func (rw *responseRecorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// serveKernel is the outermost handler: trace id, access log, panic
// recovery, then dispatch.
func (a *App) serveKernel(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := trace.FromRequest(r)
	w.Header().Set(trace.HeaderRequestID, id)
	rec := &responseRecorder{ResponseWriter: w}
	r = r.WithContext(context.WithValue(trace.WithID(r.Context(), id), recorderKey{}, rec))
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		rec.guard = a.newBodyGuard(w, r.Body)
		r.Body = rec.guard
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				a.accessLog(r, rec, start)
				panic(v)
			}
			a.log.ErrorContext(r.Context(), "panic in handler", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.status == 0 {
				WriteError(rec, r, errors.New("panic"))
			}
		}
		a.accessLog(r, rec, start)
	}()
	a.inner.ServeHTTP(rec, r)
}

func (a *App) accessLog(r *http.Request, rec *responseRecorder, start time.Time) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !a.log.Enabled(r.Context(), level) {
		return
	}
	a.log.LogAttrs(r.Context(), level, "http request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", rec.size),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote", r.RemoteAddr),
	)
}

// dispatch routes to the mux, answering unknown routes (404), wrong methods
// (405) and unclean paths (400) as JSON instead of the mux's plain text and
// redirects.
func (a *App) dispatch(w http.ResponseWriter, r *http.Request) {
	if !validEscapes(r.URL.RawQuery) {
		// net/http refuses bad escapes in the path itself, but passes the
		// query on, where url.ParseQuery would drop the pair silently.
		WriteError(w, r, fmt.Errorf("%w: malformed percent-escape in the query string", ErrBadRequest))
		return
	}
	if p := r.URL.Path; (strings.Contains(p, "//") || strings.Contains(p, "/.")) && !cleanPath(p) {
		// The mux would redirect to the cleaned path, which can land on a
		// different resource than the client named: refuse instead.
		WriteError(w, r, fmt.Errorf("%w: request path has empty, \".\" or \"..\" segments", ErrBadRequest))
		return
	}
	if r.URL.Path == HealthDetailsPath {
		// A kernel route beside GET /health, served here until the
		// kernel's routes are registered in one place.
		HandlerFunc(a.handleHealthDetails).ServeHTTP(w, r)
		return
	}
	h, pattern := a.mux.Handler(r)
	if pattern != "" {
		a.mux.ServeHTTP(w, r)
		return
	}
	cw := &captureWriter{header: http.Header{}}
	h.ServeHTTP(cw, r)
	switch cw.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", cw.header.Get("Allow"))
		WriteError(w, r, fmt.Errorf("%w: %s %s", ErrMethodNotAllowed, r.Method, r.URL.Path))
	case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect, http.StatusFound:
		w.Header().Set("Location", cw.header.Get("Location"))
		w.WriteHeader(cw.status)
	default:
		WriteError(w, r, fmt.Errorf("%w: no route for %s %s", ErrNotFound, r.Method, r.URL.Path))
	}
}

// captureWriter records what the mux's fallback handlers would write.
type captureWriter struct {
	header http.Header
	status int
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return len(b), nil
}

// cleanPath reports whether p has no empty, "." or ".." segment (a trailing
// slash is fine).
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	p = strings.TrimSuffix(p[1:], "/")
	if p == "" {
		return true
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// validEscapes reports whether every '%' in s starts a two-digit
// hexadecimal escape.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		s = s[i+3:]
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
