// Package ui is the WebOS shell: the server-rendered layout every app
// appears in — a header, a sidebar menu that becomes a drawer on narrow
// screens, named slots for widgets, a launchpad of app cards, a Ctrl+K
// command palette, light and dark themes, sign-in pages, error pages and
// live widgets over Server-Sent Events.
//
// # Mental model
//
// Pages are HTML rendered in Go with gomponents (plain functions that
// return g.Node) and navigated with htmx: links in the menu, on the
// launchpad and in the palette load the next page's <main> into the shell
// instead of reloading it (the server sees "HX-Request" and sends only that
// part; responses vary on it). The only hand-written JavaScript is one
// small embedded file for the palette, the theme toggle, the drawer and the
// Server-Sent Events wiring. htmx 2 is vendored and embedded; static files
// are served with content-hashed names and cached forever. No Node.js is
// needed to build or run.
//
// Modules never edit the layout. They contribute through capability
// interfaces that [Module] collects when the application starts:
//
//	LaunchpadProvider  LaunchpadApps() []App          cards, menu entries, palette entries
//	MenuProvider       MenuItems() []MenuItem         more sidebar entries
//	WidgetProvider     SlotWidgets() []Widget         widgets in the header, sidebar, dashboard, footer slots
//	PaletteProvider    PaletteCommands() []Command    palette commands that navigate or post
//	SearchProvider     SearchSources() []SearchSource content results for the palette
//
// No contribution names a permission: a user sees the contributions of a
// module whose [webos.ModuleInfo.Permission] they hold, and only those
// whose path leads to a route they may open (see [webos.Router.Require]);
// a disabled module contributes nothing. Paths are relative to the
// module's prefix, and a card takes its name, description and icon from
// the module's info unless it says otherwise. Modules render their own
// pages inside the shell with [Module.Render], taking the shell from the
// registry (registry.Get[*ui.Module]) in Provision.
//
// # Content search
//
// Typing in the palette searches the modules' content, too. Each
// [SearchSource] has a name, a scope and a latency budget: the shell asks
// every source the user may use at once ([Module.Search], streamed to the
// browser as Server-Sent Events from [SearchPath]), gives each its budget
// and shows its results as they arrive, so a slow source never holds up
// the others; the palette's next keystroke cancels the previous query's
// work on the server. Results are ranked by [Match] (contiguous and
// word-start matches first), and each carries the actions — open, copy
// link, run a command — that lead to routes the user may use. A query
// that starts with ">" searches the commands only, "@" people, "/" files,
// "#" posts and tags ([SplitScope]); the palette's footer shows them.
// Items a user opens are remembered in their preferences ([RecentItem])
// and listed first, the more often and lately used the higher.
// Administrators switch a source off everywhere with the shell's setting
// disabled_search_sources ([SearchSettings]).
//
// The look is a [Theme]: colour palettes for light and dark and the
// typography, turned into CSS custom properties. The page follows the
// system's prefers-color-scheme until the user picks a theme with the
// toggle; the choice is kept in a cookie and, for a signed-in user, in the
// database, so it follows them to other browsers.
//
// Live widgets: [ProgressBar] and [TaskProgress] follow a task's status
// stream (/tasks/{id}/events); [Terminal] shows the server's log live from a
// [LogBuffer], a ring buffer that receives every module's records (the
// shell is a [webos.LogSink]), for holders of ui.logs.read.
//
// # Usage
//
//	shell := ui.New(ui.Config{Apps: []string{"hello"}})
//	app := webos.New(cfg, db, authModule, shell, hello.New(), sales.New())
//
//	// In a module whose ModuleInfo has Permission: "sales.view":
//	func (m *Sales) LaunchpadApps() []ui.App { return []ui.App{{Path: "/"}} }
//	func (m *Sales) SlotWidgets() []ui.Widget {
//		return []ui.Widget{{ID: "sales-chart", Slot: ui.SlotDashboard, Priority: 10,
//			Render: func(ctx context.Context) g.Node { return ui.Card("Sales", chart()) }}}
//	}
//	func (m *Sales) Routes(r *webos.Router) {
//		r.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) error {
//			return m.shell.Render(w, r, ui.Page{Title: "Sales", Content: chart()})
//		})
//	}
package ui
