package webos

import (
	"context"
	"net/http"

	"github.com/webos-go/webos/bus"
)

// Module is one part of an application: an app such as a blog, or a service
// such as the database connection. Its only required method describes it;
// everything else it can do is an optional capability interface found by type
// assertion — [Provisioner], [Starter], [Stopper], [RouteProvider],
// [Subscriber], [Dependent], [HealthChecker], [CommandProvider] — so adding a
// capability never breaks existing modules.
type Module interface {
	// ModuleInfo describes the module. It is called often and must be cheap.
	ModuleInfo() ModuleInfo
}

// ModuleInfo describes a module.
type ModuleInfo struct {
	// ID is unique in the application: lowercase letters, digits, '-', '_'
	// and '.'. It is the default URL prefix of the module's routes.
	ID string
	// Name is shown to people, e.g. "File Commander".
	Name string
	// Description is one sentence about what the module is for.
	Description string
	// Icon names an icon of the UI's icon set, or is a single emoji.
	Icon string
	// Version is the module's own version, e.g. "1.2.0".
	Version string
	// Prefix overrides the URL prefix of the module's routes: "" means
	// "/"+ID, "/" mounts the routes at the root.
	Prefix string
	// Permission, when set, is what a user needs to use the module: every
	// route requires it (see [Router.Require]; [Router.Public] opts a route
	// out), and the shell shows the module's cards, menu entries, widgets
	// and palette commands only to users who hold it. Declare it once here
	// and among the module's [Permission]s.
	Permission string
}

// Provisioner is a module that prepares itself with access to the
// application — services in the registry, the bus, the logger, config —
// before any module starts. Provision runs in dependency order.
type Provisioner interface {
	Provision(ctx context.Context, app *App) error
}

// Starter is a module with work to do when the application starts, such as
// connecting to a server. Start runs in dependency order, after every module
// was provisioned; when one fails, the modules already started are stopped in
// reverse order.
type Starter interface {
	Start(ctx context.Context) error
}

// Stopper is a module that releases resources when the application stops.
// Stop runs in reverse dependency order for every module that started —
// also when a later module failed to start.
type Stopper interface {
	Stop(ctx context.Context) error
}

// Cleaner is a module that releases what its Provision acquired (files,
// connections). Cleanup runs, in reverse dependency order, for every module
// that was provisioned — when the application stops, and when starting
// fails, including for modules that were never started. It runs after the
// Stop hooks.
type Cleaner interface {
	Cleanup() error
}

// RouteProvider is a module with HTTP routes. Routes registers them on r,
// which mounts them under the module's prefix.
type RouteProvider interface {
	Routes(r *Router)
}

// MiddlewareProvider is a module that wraps every request the application
// serves, after the kernel's trace id, access log and panic recovery and
// before routing — e.g. to authenticate it. Middleware of several modules
// apply in dependency order, the first outermost.
type MiddlewareProvider interface {
	Middleware() Middleware
}

// Subscriber is a module that listens to bus events. Its subscriptions are
// made when the module starts and cancelled when it stops.
type Subscriber interface {
	Subscriptions() []bus.Subscription
}

// Dependent is a module that needs other modules, named by ID, to be present
// and started before it.
type Dependent interface {
	Requires() []string
}

// HealthChecker is a module whose dependencies appear in GET /health.
type HealthChecker interface {
	HealthChecks() []HealthCheck
}

// HealthCheck is one named dependency in GET /health. Check returns nil when
// the dependency is up.
type HealthCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Permission is a right a module defines, such as "blog.write". An auth
// package grants permissions to users through roles and checks them on
// routes; the kernel only carries the declarations.
type Permission struct {
	// Name is the permission string, e.g. "blog.write"; by convention the
	// first segment is the module's ID.
	Name string `json:"name"`
	// Description says what it allows, for the admin console.
	Description string `json:"description,omitempty"`
}

// PermissionProvider is a module that defines permissions, so that the
// admin console can list them when editing roles.
type PermissionProvider interface {
	Permissions() []Permission
}

// CommandProvider is a module that adds sub-commands to the application's
// command line, e.g. "user create".
type CommandProvider interface {
	Commands() []Command
}

// Command is a sub-command of the application's command line.
type Command struct {
	// Name is the command path, e.g. "user create".
	Name string
	// Usage is the argument synopsis, e.g. "--email ADDR [--admin]".
	Usage string
	// Summary is one line for --help.
	Summary string
	// Run executes the command. The application has been started (modules
	// provisioned and started, HTTP not served) and is stopped after Run.
	Run func(ctx context.Context, app *App, args []string) error
}

// Middleware wraps an http.Handler.
type Middleware = func(http.Handler) http.Handler
