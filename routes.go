package webos

import (
	"slices"
	"strings"
)

// Operation documents what a route takes and gives, for the application's
// API description (package openapi builds an OpenAPI document from
// [App.Routes]). Give it with [Describe] where the route is registered:
//
//	r.HandleFunc("POST /{$}", m.create, webos.Describe(webos.Operation{
//		Summary: "Add a note", Request: Note{}, Response: Note{}, Status: http.StatusCreated}))
type Operation struct {
	// Summary is one line on what the route does.
	Summary string
	// Description says more, when needed.
	Description string
	// Request is a value of the type the handler decodes with [Decode]:
	// its json fields are the body; fields tagged query:"name" are query
	// parameters. nil means no body.
	Request any
	// Response is a value of the type the handler writes on success, such
	// as Note{} or []Note{}; nil means no JSON body.
	Response any
	// Status is the status of a success (default 200).
	Status int
	// ContentType is the type of a success that is not JSON, such as
	// "text/html" or "text/event-stream".
	ContentType string
}

// Describe documents a route (see [Operation]).
func Describe(op Operation) RouteOption { return func(c *routeConfig) { c.op = &op } }

// Route is a mounted route as [App.Routes] lists it.
type Route struct {
	// Method is the HTTP method, "" for any.
	Method string `json:"method,omitempty"`
	// Path is the net/http pattern's path, such as "/notes/{id}".
	Path string `json:"path"`
	// Module is the ID of the module that mounted it ("" for the kernel).
	Module string `json:"module,omitempty"`
	// SignedIn reports whether the route needs a signed-in user.
	SignedIn bool `json:"signed_in"`
	// Permissions are what that user must hold, each.
	Permissions []string `json:"permissions,omitempty"`
	// Stream marks a long-lived route (see [Stream]).
	Stream bool `json:"stream,omitempty"`
	// Operation is the route's documentation; nil when undocumented.
	Operation *Operation `json:"-"`
}

// Pattern returns the route's net/http pattern, e.g. "GET /notes/{id}".
func (r Route) Pattern() string {
	if r.Method == "" {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// Routes lists every mounted route in the order it was mounted: the
// kernel's, then each module's. It is empty before Start.
func (a *App) Routes() []Route {
	a.routesMu.RLock()
	defer a.routesMu.RUnlock()
	return slices.Clone(a.routes)
}

// addRoute records a mounted route.
func (r *Router) addRoute(pattern string, rc routeConfig) {
	method, path, _ := strings.Cut(pattern, " ")
	if path == "" {
		method, path = "", pattern
	}
	rt := Route{Method: method, Path: path, SignedIn: r.guard.need, Permissions: slices.Clone(r.guard.perms),
		Stream: rc.timeout < 0, Operation: rc.op}
	if r.mod != nil {
		rt.Module = r.mod.info.ID
	}
	a := r.app
	a.routesMu.Lock()
	a.routes = append(a.routes, rt)
	a.routesMu.Unlock()
}
