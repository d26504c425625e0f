package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// ModuleID is the admin console's module ID; its pages live under /admin.
const ModuleID = "admin"

// PermAccess opens the admin console: declared once, it guards every route,
// the launchpad card, the menu entry and the palette commands. What a page
// changes is guarded again by the permission of the module that owns it
// (auth.users.write, auth.roles.write, settings.write, ...).
const PermAccess = "admin.access"

// Settings are the console's own settings, shared by every instance.
type Settings struct {
	// LogLevel is the log level of every instance: debug, info, warn or
	// error; "" keeps WEBOS_LOG_LEVEL.
	LogLevel string `json:"log_level" validate:"omitempty,oneof=debug info warn error" desc:"Log level of every instance; empty keeps WEBOS_LOG_LEVEL"`
}

// Module is the admin console. Make it with [New] and list it after the
// standard modules (it requires the store, auth, the shell, settings and
// the audit trail). It uses only the SDK's public API, as any module can.
type Module struct {
	app      *webos.App
	auth     *auth.Module
	shell    *ui.Module
	settings *settings.Module
	trail    *audit.Trail
	db       *store.DB
	prefs    *settings.Handle[Settings]
	prefix   string

	users  *explorer.Grid[auth.User]
	audits *explorer.Grid[audit.Entry]
	setts  *explorer.Grid[settingRow]
}

// New returns the admin console.
func New() *Module { return &Module{prefs: settings.Declare(Settings{})} }

// ModuleInfo describes the console.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: ModuleID, Name: "Admin", Icon: "🛠️", Version: "1.0.0", Permission: PermAccess,
		Description: "Users and roles, modules, settings, configuration, logs, tasks and the audit trail."}
}

// Requires the modules whose public API the console drives.
func (m *Module) Requires() []string {
	return []string{store.ModuleID, auth.ModuleID, ui.ModuleID, settings.ModuleID, audit.ModuleID}
}

// Permissions declares the right to open the console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermAccess, Description: "Open the admin console"}}
}

// Settings declares the console's settings.
func (m *Module) Settings() settings.Schema { return m.prefs.Schema() }

// Provision finds the services the console drives and builds its grids.
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	var err error
	reg := app.Registry()
	if m.db, err = registry.Get[*store.DB](reg); err != nil {
		return err
	}
	if m.auth, err = registry.Get[*auth.Module](reg); err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](reg); err != nil {
		return err
	}
	if m.settings, err = registry.Get[*settings.Module](reg); err != nil {
		return err
	}
	if m.trail, err = registry.Get[*audit.Trail](reg); err != nil {
		return err
	}
	m.app = app
	key := explorer.KeyFrom(app.Config())
	users, err := explorer.NewCollection(store.NewCollection[auth.User](m.db, auth.UsersCollection))
	if err != nil {
		return err
	}
	m.users, err = explorer.New[auth.User](readOnly[auth.User]{users}, explorer.Config{Name: "admin-users", Title: "Users",
		Access: app, Key: key, ReadPerm: auth.PermUsersRead, Sort: []string{"email"}, PageSize: 25, Prefs: m.db,
		RowLink: func(id string) string { return m.prefix + "/user/" + id }})
	if err != nil {
		return err
	}
	entries, err := explorer.NewCollection(m.trail.Entries())
	if err != nil {
		return err
	}
	m.audits, err = explorer.New[audit.Entry](readOnly[audit.Entry]{entries}, explorer.Config{Name: "admin-audit", Title: "Audit trail",
		Access: app, Key: key, ReadPerm: audit.PermRead, Sort: []string{"-seq"}, PageSize: 50, Prefs: m.db})
	if err != nil {
		return err
	}
	m.setts, err = explorer.New[settingRow](settingsSource{m}, explorer.Config{Name: "admin-settings", Title: "Settings explorer",
		Access: app, Key: key, ReadPerm: settings.PermRead, EditPerm: settings.PermWrite, Sort: []string{"module", "key"},
		PageSize: 50, Prefs: m.db, Bus: app.Bus(), Logger: app.Logger()})
	return err
}

// taskQueue is the application's task queue, which the task monitor
// shows; nil when it has none. It is looked up when used, since the
// console does not require it and may provision before it.
func (m *Module) taskQueue() *tasks.Module {
	tm, err := registry.Get[*tasks.Module](m.app.Registry())
	if err != nil {
		return nil
	}
	return tm
}

// readOnly hides a source's editing, so that a grid over it shows rows
// only: users change through auth's API, and the audit trail not at all.
type readOnly[T any] struct{ src explorer.Source[T] }

func (r readOnly[T]) Page(ctx context.Context, q explorer.Query) (explorer.Page[T], error) {
	return r.src.Page(ctx, q)
}

func (r readOnly[T]) Count(ctx context.Context, f explorer.Filter, limit int64) (int64, error) {
	return r.src.Count(ctx, f, limit)
}

// Start applies the stored log level.
func (m *Module) Start(ctx context.Context) error {
	m.applyLogLevel(ctx)
	return nil
}

// Subscriptions follow changes of the console's settings on every
// instance: a new log level applies at once.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: settings.TopicChanged, Handler: bus.Typed(
		func(ctx context.Context, _ bus.Envelope, c settings.Changed) error {
			if c.Module == ModuleID {
				m.applyLogLevel(ctx)
			}
			return nil
		})}}
}

func (m *Module) applyLogLevel(ctx context.Context) {
	lvl := m.prefs.Get(ctx).LogLevel
	if lvl == "" {
		lvl = m.app.Config().LogLevel
	}
	m.app.SetLogLevel(webos.ParseLevel(lvl))
}

// Routes: the console's pages under /admin, each in the shell.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	r.HandleFunc("GET /{$}", m.dashboard)

	m.users.Mount(r, "/users", m.shell)
	r.Require(auth.PermUsersRead).HandleFunc("GET /user/{id}", m.userPage)
	uw := r.Require(auth.PermUsersWrite)
	uw.HandleFunc("GET /users/new", m.newUserPage)
	uw.HandleFunc("POST /users/new", m.createUser)
	uw.HandleFunc("POST /user/{id}/active", m.setActive)
	uw.HandleFunc("POST /user/{id}/roles", m.setRoles)
	uw.HandleFunc("POST /user/{id}/password", m.resetPassword)
	uw.HandleFunc("POST /user/{id}/delete", m.deleteUser)
	r.Require(auth.PermUsersRead).HandleFunc("GET /user/{id}/why", m.why)

	r.Require(auth.PermUsersRead).HandleFunc("GET /roles", m.rolesPage)
	rw := r.Require(auth.PermRolesWrite)
	rw.HandleFunc("POST /roles", m.saveRole)
	rw.HandleFunc("POST /roles/{name}/delete", m.deleteRole)

	r.HandleFunc("GET /modules", m.modulesPage)
	r.Require(settings.PermWrite).HandleFunc("POST /modules/{id}", m.switchModule)

	r.Require(settings.PermRead).HandleFunc("GET /settings", m.settingsPage)
	m.setts.Mount(r, "/settings/explorer", m.shell)
	r.Require(settings.PermWrite).HandleFunc("POST /settings/{module}", m.saveSettings)

	r.HandleFunc("GET /config", m.configPage)
	r.Require(settings.PermWrite).HandleFunc("POST /config/log-level", m.setLogLevel)

	r.Require(ui.PermLogs).HandleFunc("GET /logs", m.logsPage)

	tr := r.Require(tasks.PermAdmin)
	tr.HandleFunc("GET /tasks", m.tasksPage)
	tr.HandleFunc("GET /tasks/{id}", m.taskPage)
	tr.HandleFunc("POST /tasks/{id}/{action}", m.taskAction)

	m.audits.Mount(r, "/audit", m.shell)
}

// LaunchpadApps puts the console on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/", Order: 90}} }

// MenuItems add the console's main pages to the menu.
func (m *Module) MenuItems() []ui.MenuItem {
	return []ui.MenuItem{
		{Name: "Users", Icon: "👥", Path: "/users/", Order: 91},
		{Name: "Audit trail", Icon: "🧾", Path: "/audit/", Order: 96},
	}
}

// PaletteCommands open the console's pages.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{
		{Title: "Admin: users", Icon: "👥", Keywords: "accounts people", Href: "/users/"},
		{Title: "Admin: new user", Icon: "👤", Keywords: "invite add account", Href: "/users/new"},
		{Title: "Admin: roles and permissions", Icon: "🔑", Keywords: "rights grant", Href: "/roles"},
		{Title: "Admin: modules", Icon: "🧩", Keywords: "enable disable switch", Href: "/modules"},
		{Title: "Admin: settings", Icon: "⚙️", Keywords: "preferences configure", Href: "/settings"},
		{Title: "Admin: configuration and log level", Icon: "🔧", Keywords: "env debug", Href: "/config"},
		{Title: "Admin: audit trail", Icon: "🧾", Keywords: "history who changed", Href: "/audit/"},
		{Title: "Admin: logs", Icon: "📜", Keywords: "log terminal debug", Href: "/logs"},
		{Title: "Admin: tasks", Icon: "📊", Keywords: "queues jobs monitor cancel retry", Href: "/tasks"},
	}
}

// page renders content in the shell under the console's heading and tabs.
func (m *Module) page(w http.ResponseWriter, r *http.Request, title string, content ...g.Node) error {
	return m.pageStatus(w, r, http.StatusOK, title, content...)
}

// pageStatus is page with an HTTP status of its own.
func (m *Module) pageStatus(w http.ResponseWriter, r *http.Request, status int, title string, content ...g.Node) error {
	return m.shell.Render(w, r, ui.Page{Title: "Admin · " + title, Status: status, Content: g.Group([]g.Node{
		ui.PageHeader("🛠️", title, ""), m.tabs(r, title), g.Group(content)})})
}

// tabs link the console's pages.
func (m *Module) tabs(r *http.Request, active string) g.Node {
	items := []struct{ name, path, perm string }{
		{"Dashboard", "/", ""}, {"Users", "/users/", auth.PermUsersRead}, {"Roles", "/roles", auth.PermUsersRead},
		{"Modules", "/modules", ""}, {"Settings", "/settings", settings.PermRead}, {"Configuration", "/config", ""},
		{"Logs", "/logs", ui.PermLogs}, {"Tasks", "/tasks", tasks.PermAdmin}, {"Audit trail", "/audit/", audit.PermRead},
	}
	var links []g.Node
	for _, it := range items {
		if it.perm != "" && !m.app.Can(r.Context(), it.perm) {
			continue
		}
		links = append(links, h.A(h.Href(m.prefix+it.path), h.Class("button"),
			g.If(it.name == active, g.Attr("aria-current", "page")), g.Text(it.name)))
	}
	return h.Nav(h.Class("form-inline"), g.Attr("aria-label", "Admin pages"), g.Group(links))
}

// done answers a successful form: htmx reloads to, a plain form is
// redirected there.
func done(w http.ResponseWriter, r *http.Request, to string) error {
	if ui.IsHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// asField turns the refusals a form can meet into a message next to the
// form's field, so that the browser shows them where they arise.
func asField(field string, err error) error {
	var ve *webos.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ve):
		return err
	case errors.Is(err, webos.ErrForbidden), errors.Is(err, webos.ErrConflict), errors.Is(err, webos.ErrNotFound):
		return webos.Invalid(field, strings.TrimPrefix(publicMessage(err), "auth: "))
	}
	return err
}

// publicMessage is err's text for the user: its own message for the
// client errors the console shows (they name no internals).
func publicMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"forbidden: ", "conflict: ", "not found: "} {
		if i := strings.Index(msg, p); i >= 0 {
			return msg[i+len(p):]
		}
	}
	return msg
}

// form reads a submitted form (urlencoded or multipart, bounded by the
// route's body limit) and fails with 400 on a malformed one.
func form(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
	}
	return nil
}

// levels are the log levels the console offers, lowest first.
var levels = []string{"debug", "info", "warn", "error"}

func levelName(l slog.Level) string {
	for _, s := range levels {
		if webos.ParseLevel(s) == l {
			return s
		}
	}
	return l.String()
}

// scrollTable is a table in a box that scrolls sideways on a narrow
// screen, so that the page itself does not.
func scrollTable(children ...g.Node) g.Node {
	return h.Div(h.Class("table-scroll"), h.Table(children...))
}
