package webos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Authorizer decides who a request acts as and what they may do. The auth
// module provides one (see [AuthorizerProvider]); every package that
// guards something — routes through [Router.Require], the shell's menu and
// launchpad, the files and settings APIs, the task monitor — asks the
// application's, through [App.Authorize] and [App.Can].
type Authorizer interface {
	// Identify puts the user a request acts as, if any, into its context,
	// from whatever credentials it carries. A request without credentials
	// is returned as it is; bad credentials are an error (an invalid token
	// wraps ErrUnauthorized, a cross-origin cookie request ErrForbidden).
	Identify(w http.ResponseWriter, r *http.Request) (*http.Request, error)
	// Authorize reports whether the user in ctx holds perm: nil when they
	// do, an error wrapping ErrUnauthorized when nobody is signed in, one
	// wrapping ErrForbidden when the user lacks perm. The empty perm asks
	// only for a signed-in user.
	Authorize(ctx context.Context, perm string) error
}

// AuthorizerProvider is a module that provides the application's
// [Authorizer]. An application has at most one; with none, every guarded
// route and check fails closed. [AllowAll] is the explicit choice of a
// single-user tool.
type AuthorizerProvider interface {
	Authorizer() Authorizer
}

// ErrNoAuthorizer is the answer to every guarded request of an application
// composed without an [AuthorizerProvider] (401).
var ErrNoAuthorizer = fmt.Errorf("%w: sign-in is not available: no auth module is composed", ErrUnauthorized)

// AllowAll returns a module that opens everything a permission guards, to
// every request, signed in or not: the explicit choice of a single-user
// tool run on a trusted machine. Compose it instead of an auth module:
//
//	app := webos.New(cfg, webos.AllowAll(), notes.New())
func AllowAll() Module { return allowAll{} }

type allowAll struct{}

func (allowAll) ModuleInfo() ModuleInfo {
	return ModuleInfo{
		ID:          "allow-all",
		Name:        "Open access",
		Description: "Everything a permission guards is open to every request: for a single-user tool on a trusted machine.",
		Icon:        "🔓",
		Version:     "1.0.0",
	}
}

func (allowAll) Authorizer() Authorizer { return openAuthorizer{} }

type openAuthorizer struct{}

func (openAuthorizer) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r, nil
}
func (openAuthorizer) Authorize(context.Context, string) error { return nil }

// closedAuthorizer is the authorizer of an application without one: it
// refuses everything.
type closedAuthorizer struct{}

func (closedAuthorizer) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r, nil
}
func (closedAuthorizer) Authorize(context.Context, string) error { return ErrNoAuthorizer }

// findAuthorizer returns the module that provides the authorizer, if any;
// two are an error.
func (a *App) findAuthorizer() (AuthorizerProvider, error) {
	var found AuthorizerProvider
	var name string
	for _, m := range a.modules {
		p, ok := m.mod.(AuthorizerProvider)
		if !ok {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("webos: modules %q and %q both provide the authorizer: compose one", name, m.info.ID)
		}
		found, name = p, m.info.ID
	}
	return found, nil
}

// Authorizer returns the application's authorizer: the one its
// [AuthorizerProvider] module gives once started, otherwise one that
// refuses everything.
func (a *App) Authorizer() Authorizer {
	if p := a.authz.Load(); p != nil {
		return *p
	}
	return closedAuthorizer{}
}

// Authorize reports whether the user in ctx holds perm ("" for any
// signed-in user); see [Authorizer.Authorize]. Without an authorizer it
// fails closed.
func (a *App) Authorize(ctx context.Context, perm string) error {
	return a.Authorizer().Authorize(ctx, perm)
}

// Can reports whether the user in ctx holds perm; see [App.Authorize].
func (a *App) Can(ctx context.Context, perm string) bool { return a.Authorize(ctx, perm) == nil }

// Access is what a route requires of the user: nothing, a signed-in user,
// or a signed-in user holding every one of Permissions (which implies
// SignIn).
type Access struct {
	SignIn      bool
	Permissions []string
}

// Permits reports whether the user in ctx passes acc; see [App.Authorize].
func (a *App) Permits(ctx context.Context, acc Access) bool {
	return guard{need: acc.SignIn || len(acc.Permissions) > 0, perms: acc.Permissions}.check(ctx, a) == nil
}

// RouteAccess returns what the route that serves method and target (a
// path, optionally with a query or fragment, such as "/dashboard/#figures")
// requires, and false when no module route serves it. The shell uses it so
// that a card, menu entry or command that leads to a guarded page is shown
// only to users who may open it: the permission written on the route group
// is all a module declares. It is valid once the application started.
func (a *App) RouteAccess(method, target string) (Access, bool) {
	if a.mux == nil {
		return Access{}, false
	}
	u, err := url.Parse(target)
	if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/") {
		return Access{}, false
	}
	req := &http.Request{Method: method, URL: &url.URL{Path: u.Path}, Header: http.Header{}, Host: "localhost"}
	h, pattern := a.mux.Handler(req)
	rh, ok := h.(routeHandler)
	if pattern == "" || !ok {
		return Access{}, false
	}
	return Access{SignIn: rh.guard.need, Permissions: rh.guard.perms}, true
}

// guard is what a route requires of the request's user.
type guard struct {
	// need marks a guarded route: a signed-in user holding every perm.
	need  bool
	perms []string
	// identify marks a public route that still identifies the user when
	// the request carries credentials.
	identify bool
}

func (g guard) with(perms []string) guard {
	return guard{need: true, perms: append(append([]string(nil), g.perms...), perms...)}
}

// check asks the authorizer about every permission of g.
func (g guard) check(ctx context.Context, a *App) error {
	if !g.need {
		return nil
	}
	az := a.Authorizer()
	if len(g.perms) == 0 {
		return az.Authorize(ctx, "")
	}
	for _, p := range g.perms {
		if err := az.Authorize(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// serve applies g to a request: it identifies the user and checks the
// permissions, answering the request itself when they fail.
func (g guard) serve(a *App, w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if !g.need && !g.identify {
		return r, true
	}
	r2, err := a.Authorizer().Identify(w, r)
	if err == nil {
		r = r2
		err = g.check(r.Context(), a)
	}
	if err != nil {
		if errors.Is(err, ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="webos"`)
		}
		WriteError(w, r, err)
		return r, false
	}
	return r, true
}
