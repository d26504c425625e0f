package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
)

// ModuleID is the ID of [Module].
const ModuleID = "ui"

// PermLogs lets a user watch the live log terminal. Administrators have it
// through "*".
const PermLogs = "ui.logs.read"

// Paths the module serves, besides the pages of the apps.
const (
	LoginPath   = "/login"
	LogoutPath  = "/logout"
	ThemePath   = "/ui/theme"
	StaticPath  = "/ui/static"
	LogsPath    = "/ui/logs"
	LogsSSEPath = "/ui/logs/events"
)

// Config configures the shell. Its zero value is a working configuration.
type Config struct {
	// Brand is the product name in the header and the page titles
	// (default "WebOS").
	Brand string
	// Theme is the look (default [DefaultTheme]).
	Theme *Theme
	// Apps names modules, by ID, to show on the launchpad although they
	// contribute no [App] themselves; their card shows the module's name,
	// icon and description and opens the shell's page for the app.
	Apps []string
	// LogLines is how many recent log records the live log terminal keeps
	// (default 500); negative turns the terminal off.
	LogLines int
	// Sessions signs users in and out for the login and logout pages.
	// Default: the auth module's SignIn and SignOut when it is registered.
	Sessions Sessions
}

// Module is the shell: it serves the launchpad, the login and logout pages,
// the generic app pages, the theme choice, the static files and the live
// log terminal, and renders the pages of other modules inside the layout
// (see [Module.Render]). It collects the UI contributions of every module
// — [LaunchpadProvider], [MenuProvider], [WidgetProvider],
// [PaletteProvider] — when the application starts; a disabled module's
// contributions are hidden. With the auth module registered, pages need a
// signed-in user and entries need their permission; without it the shell
// is open to everyone.
type Module struct {
	cfg   Config
	theme Theme

	app      *webos.App
	log      *slog.Logger
	assets   *Assets
	auth     *auth.Module
	sessions Sessions
	prefs    *preferences
	logs     *LogBuffer
	cop      *http.CrossOriginProtection

	contrib atomic.Pointer[contributions]

	searchCfg *settings.Handle[SearchSettings]
	inflight  inflight       // the running query of each palette
	searches  sync.WaitGroup // the goroutines asking search sources
}

var (
	_ webos.Module             = (*Module)(nil)
	_ webos.Provisioner        = (*Module)(nil)
	_ webos.Starter            = (*Module)(nil)
	_ webos.RouteProvider      = (*Module)(nil)
	_ webos.MiddlewareProvider = (*Module)(nil)
	_ webos.LogSink            = (*Module)(nil)
	_ webos.PermissionProvider = (*Module)(nil)
	_ settings.Provider        = (*Module)(nil)
	_ MenuProvider             = (*Module)(nil)
	_ PaletteProvider          = (*Module)(nil)
)

// New returns the shell module configured by cfg.
func New(cfg Config) *Module {
	if cfg.Brand == "" {
		cfg.Brand = "WebOS"
	}
	theme := DefaultTheme()
	if cfg.Theme != nil {
		theme = *cfg.Theme
	}
	m := &Module{cfg: cfg, theme: theme, searchCfg: settings.Declare(SearchSettings{DisabledSources: []string{}})}
	if cfg.LogLines >= 0 {
		m.logs = NewLogBuffer(nil, cmp.Or(cfg.LogLines, 500))
	}
	return m
}

// ModuleInfo describes the module. It is mounted at the root: "/" is the
// launchpad.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Shell",
		Description: "The launchpad, menu, command palette, themes and live widgets every app appears in.",
		Icon:        "grid",
		Version:     "1.0.0",
		Prefix:      "/",
	}
}

// Permissions lists the permissions the shell defines.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermLogs, Description: "Watch the live log terminal"}}
}

// Settings declares the shell's settings: the content search sources
// switched off ([SearchSettings]).
func (m *Module) Settings() settings.Schema { return m.searchCfg.Schema() }

// Provision validates the theme, prepares the static files and registers
// the shell for the modules that render pages in it
// (registry.Get[*ui.Module] in their Provision, after requiring it).
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	if err := m.theme.Validate(); err != nil {
		return err
	}
	m.app = app
	m.log = app.Logger().With("module", ModuleID)
	m.assets = builtinAssets(StaticPath, m.theme)
	m.cop = http.NewCrossOriginProtection()
	m.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Error(w, r, fmt.Errorf("ui: %w: cross-origin request refused", webos.ErrForbidden))
	}))
	registry.Register(app.Registry(), m)
	return nil
}

// LogHandler makes the shell a [webos.LogSink]: the live log terminal's
// ring buffer receives the records of every module, wherever the shell is
// listed. It is nil when the terminal is off (Config.LogLines < 0).
func (m *Module) LogHandler() slog.Handler {
	if m.logs == nil {
		return nil
	}
	return m.logs
}

// Start collects the UI contributions of every module. It runs after every
// module was provisioned.
func (m *Module) Start(context.Context) error {
	// The auth module and the database are optional: with them come
	// sign-in and remembered preferences. Every module has been
	// provisioned, so they are in the registry if they are composed.
	m.auth, m.prefs = nil, nil
	if am, err := registry.Get[*auth.Module](m.app.Registry()); err == nil {
		m.auth = am
		for _, o := range am.Config().TrustedOrigins {
			if err := m.cop.AddTrustedOrigin(o); err != nil {
				return fmt.Errorf("ui: trusted origin: %w", err)
			}
		}
	}
	m.sessions = m.cfg.Sessions
	if m.sessions == nil && m.auth != nil {
		m.sessions = m.auth // its SignIn and SignOut
	}
	if db, err := registry.Get[*store.DB](m.app.Registry()); err == nil {
		m.prefs = newPreferences(db)
	}
	c, err := m.collect()
	if err != nil {
		return err
	}
	m.contrib.Store(c)
	return nil
}

// Logs returns the ring buffer behind the live log terminal, or nil when
// it is off.
func (m *Module) Logs() *LogBuffer { return m.logs }

// Assets returns the shell's static files, for pages that link them.
func (m *Module) Assets() *Assets { return m.assets }

// Theme returns the shell's theme.
func (m *Module) Theme() Theme { return m.theme }

// MenuItems adds the log terminal for those who may watch it.
func (m *Module) MenuItems() []MenuItem {
	if m.logs == nil {
		return nil
	}
	return []MenuItem{{Name: "System log", Icon: "terminal", Path: LogsPath, Order: 1000}}
}

// PaletteCommands adds the launchpad and, with auth, signing out.
func (m *Module) PaletteCommands() []Command {
	cmds := []Command{{Title: "Launchpad", Hint: "Page", Icon: "grid", Keywords: "home start apps", Href: "/", Order: -1000}}
	if m.auth != nil {
		cmds = append(cmds, Command{Title: "Sign out", Hint: "Command", Icon: "logout", Keywords: "log out logout exit", Post: LogoutPath, Order: 1000})
	}
	return cmds
}

// Routes mounts the shell's pages and endpoints:
//
//	GET  /                    the launchpad with the dashboard slot
//	GET  /apps/{id}           the shell's page for an app without pages of its own
//	GET  /login, POST /login  the sign-in form
//	GET  /logout, POST /logout
//	POST /ui/theme            theme=light|dark|system, remembered per user
//	GET  /ui/search?q=&palette=  a palette query's content results, streamed (Server-Sent Events)
//	GET  /ui/search/recent    the user's recent palette items (HTML options)
//	POST /ui/search/recent    id, title, href, hint, icon: an item the user opened
//	GET  /ui/static/{file}    static files with content-hashed names
//	GET  /ui/logs             the live log terminal (ui.logs.read)
//	GET  /ui/logs/events      its Server-Sent Events stream
func (m *Module) Routes(r *webos.Router) {
	r.Handle("GET "+StaticPath+"/{file}", m.assets)
	pages := r.Require()
	pages.HandleFunc("GET /{$}", m.handleHome)
	pages.HandleFunc("GET /apps/{id}", m.handleApp)

	small := webos.BodyLimit(16 << 10)
	r.HandleFunc("GET "+LoginPath, m.handleLoginPage)
	r.HandleFunc("GET "+LogoutPath, m.handleLogoutPage)
	post := r.With(m.crossOrigin)
	post.HandleFunc("POST "+LoginPath, m.handleLogin, small)
	post.HandleFunc("POST "+LogoutPath, m.handleLogout, small)
	post.HandleFunc("POST "+ThemePath, m.handleTheme, small)
	pages.HandleFunc("GET "+SearchPath, m.handleSearch, webos.Stream())
	pages.HandleFunc("GET "+RecentPath, m.handleRecent)
	pages.With(m.crossOrigin).HandleFunc("POST "+RecentPath, m.handleUse, small)

	if m.logs != nil {
		logs := r.Require(PermLogs)
		logs.HandleFunc("GET "+LogsPath, m.handleLogsPage)
		logs.HandleFunc("GET "+LogsSSEPath, m.handleLogEvents, webos.Stream())
	}
}

func (m *Module) crossOrigin(next http.Handler) http.Handler { return m.cop.Handler(next) }

func modulePrefix(info webos.ModuleInfo) string {
	switch info.Prefix {
	case "":
		return "/" + info.ID
	case "/":
		return ""
	}
	return info.Prefix
}

// owned is a contribution together with the module it came from and what
// a user needs to see it.
type owned[T any] struct {
	module string
	v      T
	acc    webos.Access
}

type contributions struct {
	apps     []owned[App]
	menu     []owned[MenuItem]
	widgets  []owned[Widget]
	commands []owned[Command]
	sources  []searchSource
	// scripts and styles are the URLs of the modules' page assets.
	scripts, styles []string
	// appNames are the names of the modules' apps, by module ID: the
	// first app of the module, else the module's name for a module with
	// menu entries; the shell's own pages have none. Page titles carry
	// them.
	appNames map[string]string

	// frames are the rendered opening tags of the widgets' frames, by
	// index in widgets.
	frames []string
	// pages are the rendered forms of what every page shares; see
	// render.go.
	pages renderCache
}

// collect asks every module for its contributions, in registration order,
// resolves their paths against the module's prefix and works out who may
// see each: holders of the module's permission who may open the route the
// path leads to.
func (m *Module) collect() (*contributions, error) {
	c := &contributions{appNames: map[string]string{}}
	var errs []error
	for _, st := range m.app.Modules() {
		mod, ok := m.app.Module(st.ID)
		if !ok {
			continue
		}
		id := st.ID
		info := mod.ModuleInfo()
		prefix := modulePrefix(info)
		base := webos.Access{}
		if info.Permission != "" {
			base = webos.Access{SignIn: true, Permissions: []string{info.Permission}}
		}
		resolve := func(what, rel string) (string, bool) {
			if rel == "" {
				return "", true
			}
			if !strings.HasPrefix(rel, "/") {
				errs = append(errs, fmt.Errorf("ui: module %q: %s path %q must start with / (it is relative to the module's prefix)", id, what, rel))
				return "", false
			}
			if prefix != "" && rel == "/" {
				return prefix + "/", true
			}
			return prefix + rel, true
		}
		if p, ok := mod.(LaunchpadProvider); ok {
			for _, a := range p.LaunchpadApps() {
				a.ID = cmp.Or(a.ID, id)
				a.Name = cmp.Or(a.Name, info.Name, id)
				a.Description = cmp.Or(a.Description, info.Description)
				a.Icon = cmp.Or(a.Icon, info.Icon)
				var ok bool
				if a.Path, ok = resolve("app", a.Path); !ok {
					continue
				}
				c.apps = append(c.apps, owned[App]{id, a, m.access(base, "GET", appPath(a))})
			}
		}
		if p, ok := mod.(MenuProvider); ok {
			for _, it := range p.MenuItems() {
				var ok bool
				if it.Path, ok = resolve("menu", it.Path); !ok {
					continue
				}
				if id != ModuleID && c.appNames[id] == "" {
					c.appNames[id] = cmp.Or(info.Name, id)
				}
				it.module = id
				c.menu = append(c.menu, owned[MenuItem]{id, it, m.access(base, "GET", it.Path)})
			}
		}
		if p, ok := mod.(WidgetProvider); ok {
			for _, w := range p.SlotWidgets() {
				if w.Render == nil || w.Slot == "" {
					errs = append(errs, fmt.Errorf("ui: module %q: widget %q needs a slot and a Render func", id, w.ID))
					continue
				}
				c.widgets = append(c.widgets, owned[Widget]{id, w, base})
			}
		}
		if p, ok := mod.(PageAssetProvider); ok && m.assets != nil {
			for _, a := range p.PageAssets() {
				name := id + "-" + a.Name
				switch {
				case strings.Contains(a.Name, "/") || a.Name == "":
					errs = append(errs, fmt.Errorf("ui: module %q: page asset %q must be a plain file name", id, a.Name))
				case strings.HasSuffix(a.Name, ".js"):
					m.assets.Add(name, a.Body)
					c.scripts = append(c.scripts, m.assets.URL(name))
				case strings.HasSuffix(a.Name, ".css"):
					m.assets.Add(name, a.Body)
					c.styles = append(c.styles, m.assets.URL(name))
				default:
					errs = append(errs, fmt.Errorf("ui: module %q: page asset %q is neither .js nor .css", id, a.Name))
				}
			}
		}
		if p, ok := mod.(SearchProvider); ok {
			for _, s := range p.SearchSources() {
				if err := m.collectSource(c, id, prefix, info, base, s); err != nil {
					errs = append(errs, err)
				}
			}
		}
		if p, ok := mod.(PaletteProvider); ok {
			for _, cmd := range p.PaletteCommands() {
				var ok1, ok2 bool
				cmd.Href, ok1 = resolve("command", cmd.Href)
				cmd.Post, ok2 = resolve("command", cmd.Post)
				if !ok1 || !ok2 {
					continue
				}
				acc := base
				if cmd.Href != "" {
					acc = m.access(base, "GET", cmd.Href)
				} else if cmd.Post != "" {
					acc = m.access(base, "POST", cmd.Post)
				}
				c.commands = append(c.commands, owned[Command]{id, cmd, acc})
			}
		}
	}
	for _, id := range m.cfg.Apps {
		mod, ok := m.app.Module(id)
		if !ok {
			errs = append(errs, fmt.Errorf("ui: Config.Apps names module %q, which is not registered", id))
			continue
		}
		if slices.ContainsFunc(c.apps, func(a owned[App]) bool { return a.v.ID == id }) {
			continue
		}
		info := mod.ModuleInfo()
		acc := webos.Access{SignIn: true}
		if info.Permission != "" {
			acc.Permissions = []string{info.Permission}
		}
		c.apps = append(c.apps, owned[App]{id, App{ID: id, Name: cmp.Or(info.Name, id), Description: info.Description, Icon: info.Icon}, acc})
	}
	slices.SortStableFunc(c.apps, func(a, b owned[App]) int {
		return cmp.Or(cmp.Compare(a.v.Order, b.v.Order), cmp.Compare(a.v.Name, b.v.Name))
	})
	for _, a := range slices.Backward(c.apps) { // the first app of each module wins
		c.appNames[a.module] = a.v.Name
	}
	slices.SortStableFunc(c.widgets, func(a, b owned[Widget]) int { return cmp.Compare(b.v.Priority, a.v.Priority) })
	c.frames = make([]string, len(c.widgets))
	for i, wd := range c.widgets {
		c.frames[i] = widgetFrame(wd.module, wd.v.ID)
	}
	return c, errors.Join(errs...)
}

func (m *Module) contributions() *contributions {
	if c := m.contrib.Load(); c != nil {
		return c
	}
	return &contributions{}
}

// access is base plus what the route serving method and path requires.
func (m *Module) access(base webos.Access, method, path string) webos.Access {
	acc := webos.Access{SignIn: base.SignIn, Permissions: slices.Clone(base.Permissions)}
	if r, ok := m.app.RouteAccess(method, path); ok {
		acc.SignIn = acc.SignIn || r.SignIn
		for _, p := range r.Permissions {
			if !slices.Contains(acc.Permissions, p) {
				acc.Permissions = append(acc.Permissions, p)
			}
		}
	}
	return acc
}

// servesGET reports whether a route of the application answers GET path.
func (m *Module) servesGET(path string) bool {
	if m.app == nil {
		return false
	}
	_, ok := m.app.RouteAccess(http.MethodGet, path)
	return ok
}

// can reports whether the user in ctx may see what needs acc.
func (m *Module) can(ctx context.Context, acc webos.Access) bool {
	return m.app == nil || m.app.Permits(ctx, acc)
}

func (m *Module) enabled(module string) bool { return m.app == nil || m.app.ModuleEnabled(module) }

// visibility computes which contributions of c the user in ctx may see:
// one byte per app, menu entry and command, in that order, 1 when visible,
// and a last byte that is 1 when nobody is signed in. It appends to dst.
// The result decides everything the menu, the launchpad and the palette
// show, so it also keys their rendered forms (see [Module.view]).
func (m *Module) visibility(ctx context.Context, c *contributions, dst []byte) []byte {
	see := func(module string, acc webos.Access) byte {
		if m.enabled(module) && m.can(ctx, acc) {
			return 1
		}
		return 0
	}
	for _, a := range c.apps {
		dst = append(dst, see(a.module, a.acc))
	}
	for _, it := range c.menu {
		dst = append(dst, see(it.module, it.acc))
	}
	for _, cmd := range c.commands {
		dst = append(dst, see(cmd.module, cmd.acc))
	}
	var anonymous byte
	if _, signedIn := auth.UserFrom(ctx); !signedIn {
		anonymous = 1
	}
	return append(dst, anonymous)
}

// Apps returns the launchpad's apps that the user in ctx may see, in order.
func (m *Module) Apps(ctx context.Context) []App {
	c := m.contributions()
	return c.appsFor(m.visibility(ctx, c, nil))
}

func (c *contributions) appsFor(vis []byte) []App {
	var out []App
	for i, a := range c.apps {
		if vis[i] == 1 {
			out = append(out, a.v)
		}
	}
	return out
}

// findApp returns the app with the given ID, whether the viewer may see it,
// and whether it exists at all.
func (m *Module) findApp(ctx context.Context, id string) (app App, module string, allowed, exists bool) {
	for _, a := range m.contributions().apps {
		if a.v.ID == id && m.enabled(a.module) {
			return a.v, a.module, m.can(ctx, a.acc), true
		}
	}
	return App{}, "", false, false
}

// Menu returns the sidebar entries the user in ctx may see: the launchpad
// first, then apps and other entries by order and name.
func (m *Module) Menu(ctx context.Context) []MenuItem {
	c := m.contributions()
	return c.menuFor(m.visibility(ctx, c, nil))
}

func (c *contributions) menuFor(vis []byte) []MenuItem {
	items := []MenuItem{}
	for i, a := range c.apps {
		if vis[i] == 1 {
			items = append(items, MenuItem{Name: a.v.Name, Icon: a.v.Icon, Path: appPath(a.v), Order: a.v.Order, module: a.module})
		}
	}
	vis = vis[len(c.apps):]
	for i, it := range c.menu {
		if vis[i] == 1 {
			items = append(items, it.v)
		}
	}
	slices.SortStableFunc(items, func(a, b MenuItem) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Name, b.Name))
	})
	return append([]MenuItem{{Name: "Launchpad", Icon: "grid", Path: "/", Order: -1 << 31, module: ModuleID}}, items...)
}

// Commands returns the palette's commands the user in ctx may see: apps,
// then menu pages, then module commands, each group by order.
func (m *Module) Commands(ctx context.Context) []Command {
	c := m.contributions()
	return c.commandsFor(m.visibility(ctx, c, nil))
}

func (c *contributions) commandsFor(vis []byte) []Command {
	anonymous := vis[len(vis)-1] == 1
	var apps, pages, cmds []Command
	seen := map[string]bool{}
	for i, a := range c.apps {
		if vis[i] == 1 {
			p := appPath(a.v)
			seen[p] = true
			apps = append(apps, Command{Title: a.v.Name, Hint: "App", Icon: a.v.Icon, Keywords: a.v.Description, Href: p, Order: a.v.Order})
		}
	}
	vis = vis[len(c.apps):]
	for i, it := range c.menu {
		if vis[i] == 1 && !seen[it.v.Path] {
			seen[it.v.Path] = true
			pages = append(pages, Command{Title: it.v.Name, Hint: "Page", Icon: it.v.Icon, Href: it.v.Path, Order: it.v.Order})
		}
	}
	vis = vis[len(c.menu):]
	for i, cmd := range c.commands {
		if vis[i] != 1 {
			continue
		}
		if cmd.v.Post != "" && cmd.v.Post == LogoutPath && anonymous {
			continue
		}
		if cmd.v.Hint == "" {
			cmd.v.Hint = "Command"
		}
		cmds = append(cmds, cmd.v)
	}
	byOrder := func(a, b Command) int { return cmp.Compare(a.Order, b.Order) }
	slices.SortStableFunc(pages, byOrder)
	slices.SortStableFunc(cmds, byOrder)
	return slices.Concat(apps, pages, cmds)
}
