package webos

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HandlerFunc is an HTTP handler that returns an error instead of writing
// one. A non-nil error is answered as JSON by [WriteError], with the status
// [StatusOf] gives; nothing must have been written before.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP calls f and writes its error, if any.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := f(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// Router registers a module's routes on the application's http.ServeMux,
// under the module's prefix, with the kernel's per-route middleware (body
// size limit, timeout, the module's enabled switch) and the router's own.
type Router struct {
	app    *App
	mod    *moduleState
	prefix string
	mws    []Middleware
	guard  guard
	errs   *[]error
}

// RouteOption changes how one route is served.
type RouteOption func(*routeConfig)

type routeConfig struct {
	bodyLimit int64
	timeout   time.Duration
	op        *Operation
}

// BodyLimit sets the route's request body limit in bytes; larger bodies get
// 413. A negative n means no limit (for streamed uploads that check their
// own).
func BodyLimit(n int64) RouteOption { return func(c *routeConfig) { c.bodyLimit = n } }

// Timeout sets the deadline of the route's request context.
func Timeout(d time.Duration) RouteOption { return func(c *routeConfig) { c.timeout = d } }

// Stream marks a long-lived route, such as Server-Sent Events, a large
// upload or a large download: its context has no deadline; it ends when
// the client goes away. When the server shuts down, an event stream (a
// response of type text/event-stream) ends at once, while uploads and
// downloads are drained like other requests, within the shutdown budget
// ([Config.ShutdownTimeout]).
func Stream() RouteOption { return func(c *routeConfig) { c.timeout = -1 } }

// Prefix returns the URL prefix routes are mounted under ("" for the root).
func (r *Router) Prefix() string { return r.prefix }

// Require returns a router whose routes need a signed-in user who holds
// every one of perms — and what r already requires, such as the module's
// [ModuleInfo.Permission]. With no perms, any signed-in user passes. The
// application's [Authorizer] decides; without one, every request is
// refused (401 JSON, or the shell's sign-in page for a browser). The
// shell's cards, menu entries and palette commands that lead to these
// routes are shown only to users who may open them:
//
//	w := r.Require("blog.write")
//	w.HandleFunc("POST /posts", m.create)
//	w.HandleFunc("GET /editor", m.editor)
func (r *Router) Require(perms ...string) *Router {
	nr := *r
	nr.guard = r.guard.with(perms)
	return &nr
}

// Public returns a router whose routes anyone may call, also when the
// module declares a permission: the user is identified when the request
// carries credentials, but nothing is required.
func (r *Router) Public() *Router {
	nr := *r
	nr.guard = guard{identify: true}
	return &nr
}

// Root returns a router whose patterns are paths from the site's root
// instead of the module's prefix, with r's guard and middleware: for the
// few files a site has once, at a fixed place, such as /robots.txt or
// /.well-known/security.txt. The routes still belong to the module (its
// enabled switch turns them off), and two modules that take the same root
// path conflict, which App.Start reports. Everything else belongs under
// the prefix.
//
//	r.Public().Root().HandleFunc("GET /robots.txt", m.robots)
func (r *Router) Root() *Router {
	nr := *r
	nr.prefix = ""
	return &nr
}

// With returns a router that wraps every route registered on it in mws, in
// order (the first is outermost), after the middleware r already applies.
// Guard routes with [Router.Require], not with middleware.
func (r *Router) With(mws ...Middleware) *Router {
	nr := *r
	nr.mws = append(append([]Middleware(nil), r.mws...), mws...)
	return &nr
}

// HandleFunc registers fn for pattern; see [Router.Handle].
func (r *Router) HandleFunc(pattern string, fn func(w http.ResponseWriter, r *http.Request) error, opts ...RouteOption) {
	r.Handle(pattern, HandlerFunc(fn), opts...)
}

// Handle registers h for pattern, a net/http.ServeMux pattern such as
// "GET /items/{id}" whose path is relative to the router's prefix. "/" is
// the prefix itself. A pattern that conflicts with another route is reported
// by App.Start, naming the module.
func (r *Router) Handle(pattern string, h http.Handler, opts ...RouteOption) {
	method, path, err := splitPattern(pattern)
	if err != nil {
		r.fail(err)
		return
	}
	rc := routeConfig{bodyLimit: r.app.cfg.MaxBodyBytes, timeout: r.app.cfg.RequestTimeout}
	for _, o := range opts {
		o(&rc)
	}
	for i := len(r.mws) - 1; i >= 0; i-- {
		h = r.mws[i](h)
	}
	h = routeHandler{next: h, app: r.app, mod: r.mod, cfg: rc, guard: r.guard}
	full := r.prefix + path
	patterns := []string{full}
	if path == "/" && r.prefix != "" {
		patterns = []string{r.prefix, r.prefix + "/{$}"}
	}
	for _, p := range patterns {
		if method != "" {
			p = method + " " + p
		}
		if r.register(p, h) {
			r.addRoute(p, rc)
		}
	}
}

func (r *Router) register(pattern string, h http.Handler) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			r.fail(fmt.Errorf("%v", v))
			ok = false
		}
	}()
	r.app.mux.Handle(pattern, h)
	return true
}

func (r *Router) fail(err error) {
	if r.mod != nil {
		err = fmt.Errorf("module %q: route: %w", r.mod.info.ID, err)
	}
	*r.errs = append(*r.errs, err)
}

func splitPattern(p string) (method, path string, err error) {
	p = strings.TrimSpace(p)
	if m, rest, ok := strings.Cut(p, " "); ok {
		method, p = m, strings.TrimLeft(rest, " ")
	}
	if !strings.HasPrefix(p, "/") {
		return "", "", fmt.Errorf("pattern %q: path must start with /", p)
	}
	return method, p, nil
}

// routeHandler applies the kernel's per-route rules.
type routeHandler struct {
	next  http.Handler
	app   *App
	mod   *moduleState
	cfg   routeConfig
	guard guard
}

func (h routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.mod != nil && !h.mod.enabled.Load() {
		WriteError(w, r, fmt.Errorf("%w: module %q is disabled", ErrNotFound, h.mod.info.ID))
		return
	}
	r, ok := h.guard.serve(h.app, w, r)
	if !ok {
		return
	}
	if h.cfg.bodyLimit > 0 && r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > h.cfg.bodyLimit {
			WriteError(w, r, ErrTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.bodyLimit)
	}
	switch {
	case h.cfg.timeout > 0:
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.timeout)
		defer cancel()
		r = r.WithContext(ctx)
		// A client trickling its body must not hold the connection past
		// the route's deadline (writers that cannot set one are fine).
		if r.Body != nil && r.Body != http.NoBody {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.cfg.timeout))
		}
	case h.cfg.timeout < 0:
		// A stream has no deadline; an event stream ends as soon as the
		// server begins to shut down (see App.streamRequest).
		var done func()
		r, done = h.app.streamRequest(r)
		defer done()
		if r.Method == http.MethodHead {
			// net/http drops the body of a HEAD answer without an error,
			// so a stream would never end: end it once the body begins.
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			r = r.WithContext(ctx)
			w = &headOnly{ResponseWriter: w, end: cancel}
		}
	}
	h.next.ServeHTTP(w, r)
}

// headOnly ends a streamed HEAD request as soon as its handler starts the
// body, which the client does not get anyway.
type headOnly struct {
	http.ResponseWriter
	end func()
}

func (h *headOnly) Write(p []byte) (int, error) { h.end(); return len(p), nil }

func (h *headOnly) Flush() {
	_ = http.NewResponseController(h.ResponseWriter).Flush()
	h.end()
}

func (h *headOnly) Unwrap() http.ResponseWriter { return h.ResponseWriter }
