// Package webos is the kernel of WebOS, a library-first SDK for building a
// modular "web operating system": one server process that hosts many apps —
// a blog, a file manager, a password vault, an admin console — inside one
// shell.
//
// # A tour
//
// An application is composed explicitly in its own main — the standard
// modules for its configuration (package stack) and its own:
//
//	func main() {
//		cfg, err := webos.LoadConfig() // WEBOS_* variables and an optional .env file
//		if err != nil {
//			log.Fatal(err)
//		}
//		webos.SetDefaultLogger(webos.NewLogger(cfg, os.Stderr))
//		std, err := stack.Standard(cfg) // database, auth, shell, settings, files, tasks: embedded without services
//		if err != nil {
//			log.Fatal(err)
//		}
//		webos.Main(webos.New(cfg, append(std.List(), notes.New())...)) // serve | modules list | user create | help
//	}
//
// A module guards its routes with [Router.Require], or once for all of them
// with [ModuleInfo.Permission]; the application's [Authorizer] (the auth
// module) answers, and without one every guarded route fails closed
// ([AllowAll] opens a single-user tool, by name). Modules reach each
// other's services through the registry ([App.Registry]) in Provision,
// decode JSON and forms with [Decode], and the shell shows their cards,
// menu entries, widgets and commands to the users who may open them.
//
// The kernel (this package) owns:
//
//   - [Config], read by [LoadConfig] from WEBOS_* environment variables and
//     an optional .env file, validated, with secrets that never reach a log.
//   - Logging with log/slog ([NewLogger]): text in development, JSON in
//     production, every record inside a request carrying its trace id.
//   - [App] and [Module]: a module is a value with a [ModuleInfo]; what it
//     can do is an optional capability interface found by type assertion
//     ([RouteProvider], [Starter], [Stopper], [Subscriber], [Dependent], …).
//     Modules start in dependency order and stop in reverse.
//   - HTTP on net/http.ServeMux: each module's routes under its own prefix
//     ([Router]; the few files a site has at its root, such as
//     /robots.txt, through [Router.Root]), a middleware chain (panic recovery, trace id, access log,
//     body limit, timeout), and errors as JSON {"error": "..."} everywhere —
//     domain errors ([ErrNotFound], [ErrConflict], [ValidationError], …) map
//     to status codes in one place, [StatusOf].
//   - GET /health: "ok" (200) or "unavailable" (503) and nothing more,
//     from one run of the checks a second however many ask; the state and
//     latency of every dependency at [HealthDetailsPath], for users with
//     [PermHealthDetails].
//   - Server hardening: header, idle and request-body timeouts from
//     [Config] (a body that trickles in is cut off with 408), and error
//     bodies that never show addresses or driver messages ([PublicError]).
//   - The command line of app binaries ([Main], [App.Exec]).
//
// # Errors net/http writes itself
//
// Every answer of the app's handler is JSON, but net/http rejects some
// requests before any handler runs and writes a plain-text answer itself,
// which no option of http.Server changes: a malformed request line
// (including a bad percent-escape in the path, such as "/users/%zz"), a
// header with control characters (also in a cookie), a missing or repeated
// Host header, headers over http.Server's MaxHeaderBytes (431), and an
// unknown Transfer-Encoding (501). A bad percent-escape in the query string
// does reach the handler, which answers 400 as JSON.
//
// # The other packages
//
// The other packages build on it, each small and importable on its own:
//
//   - registry: typed service registry (interface type → implementation).
//   - bus: events with trace and user ids, async handlers on a bounded pool;
//     bus/redisbus shares them between instances through Redis.
//   - store: typed collections with audit fields and owner-scoped
//     collections that fail closed; one query API (filters, keyset-cursor
//     pages, updates) over MongoDB or the embedded SQLite store, the
//     zero-setup default.
//   - audit: the tamper-evident trail of administrative changes, which
//     modules announce on the bus.
//   - auth: users, roles and permissions, cookie sessions and bearer
//     tokens, login throttling, CSRF protection.
//   - afs: one file system over local disk, S3 and memory, addressed as
//     fs://source/path, with an HTTP API.
//   - cache: memoization that survives restarts.
//   - tasks: background jobs on Redis with progress, retries and the
//     caller's identity.
//   - settings: per-module typed settings, persisted and changed at run
//     time, announced to every instance.
//   - ui: the server-rendered shell — launchpad, menu, Ctrl+K palette,
//     dark mode, live widgets over Server-Sent Events; ui/markdown renders
//     Markdown that anyone wrote into HTML that is safe in a page.
//   - explorer: a struct becomes a data grid over a slice or a store
//     collection — AG Grid column definitions, keyset paging with signed
//     cursors, typed filters, validated inline edits, the htmx grid.
//   - openapi: the OpenAPI 3.1 document of every route, and its page.
//   - admin: the system console, built on the public API only.
//   - identity and trace: the acting user and the trace id in a context.
//   - stack: the standard modules for a configuration, for an app's main.
//
// Dependencies point one way: identity and trace at the bottom, then
// registry and bus, then this kernel, then store, then audit, then auth,
// afs, cache, tasks and settings, then ui, then explorer and openapi
// (which render in the shell), then admin, then the demo apps in
// examples/. Packages on one level talk through the kernel's interfaces
// (permissions, health checks, capabilities), the registry or the bus.
package webos
