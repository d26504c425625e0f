package ui

import (
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// Menu renders the sidebar navigation. The entry whose path is the active
// path — or, for entries other than "/", its longest prefix — is marked
// aria-current="page". Links open their pages inside the shell.
func Menu(items []MenuItem, active string) g.Node {
	return menuAt(items, activeIndex(items, active))
}

// menuAt renders the menu with the entry at index cur (-1 for none) marked
// as the current page.
func menuAt(items []MenuItem, cur int) g.Node {
	return h.Nav(h.ID("nav"), h.Class("shell-nav"), g.Attr("aria-label", "Main menu"), inShell(),
		h.Ul(h.Role("list"),
			g.Group(g.Map(indexed(items), func(it indexedItem) g.Node {
				return h.Li(h.A(h.Href(it.Path), h.Class("nav-link"),
					g.If(it.i == cur, g.Attr("aria-current", "page")),
					Icon(it.Icon), h.Span(h.Class("nav-label"), g.Text(it.Name))))
			})),
		),
	)
}

type indexedItem struct {
	MenuItem
	i int
}

func indexed(items []MenuItem) []indexedItem {
	out := make([]indexedItem, len(items))
	for i, it := range items {
		out[i] = indexedItem{it, i}
	}
	return out
}

// activeIndex returns the item matching path exactly, else the item with
// the longest path prefix (at a segment boundary), else -1.
func activeIndex(items []MenuItem, path string) int {
	best, bestLen := -1, 0
	for i, it := range items {
		p := it.Path
		if p == path || (p != "" && strings.TrimSuffix(p, "/") == strings.TrimSuffix(path, "/") && path != "") {
			return i
		}
		base := strings.TrimSuffix(p, "/")
		if base == "" {
			continue
		}
		if len(path) > len(base) && path[len(base)] == '/' && strings.HasPrefix(path, base) && len(base) > bestLen {
			best, bestLen = i, len(base)
		}
	}
	return best
}

// Launchpad renders the grid of app cards. Each card opens its app inside
// the shell.
func Launchpad(apps []App) g.Node {
	return h.Section(h.Class("launchpad"), g.Attr("aria-labelledby", "launchpad-title"),
		h.H2(h.ID("launchpad-title"), h.Class("section-title"), g.Text("Apps")),
		g.If(len(apps) == 0, h.P(h.Class("muted"), g.Text("No apps are available to you yet."))),
		h.Ul(h.Class("app-grid"), h.Role("list"), inShell(),
			g.Group(g.Map(apps, func(a App) g.Node {
				return h.Li(h.A(h.Class("app-card"), h.Href(appPath(a)), g.Attr("data-app", a.ID),
					h.Span(h.Class("app-icon"), Icon(a.Icon)),
					h.Span(h.Class("app-name"), g.Text(a.Name)),
					g.If(a.Description != "", h.Span(h.Class("app-desc"), g.Text(a.Description))),
				))
			})),
		),
	)
}

func appPath(a App) string {
	if a.Path != "" {
		return a.Path
	}
	return "/apps/" + a.ID
}

// Palette renders the command palette: a modal dialog with a search box
// (a combobox) over a list box of the commands. The shell's script opens it
// with Ctrl+K or Cmd+K, filters by fuzzy match, moves with the arrow keys,
// runs the selected command with Enter and closes with Esc, returning focus
// to where it was. As the query changes it also asks the modules' search
// sources ([SearchSource]) through [SearchPath] and lists their results
// below the commands as they arrive; with an empty query it lists the
// user's recent items first. A query that starts with a scope prefix —
// [ScopeCommands], [ScopePeople], [ScopeFiles], [ScopePosts] — searches
// only that kind; the footer shows them. Without the script it is never
// shown.
func Palette(cmds []Command) g.Node {
	return h.Dialog(h.ID("palette"), h.Class("palette"), g.Attr("aria-label", "Command palette"),
		g.Attr("data-search-url", SearchPath), g.Attr("data-recent-url", RecentPath),
		h.Div(h.Class("palette-box"),
			h.Div(h.Class("palette-search"), Icon("search"),
				h.Input(h.ID("palette-input"), h.Type("text"), h.Role("combobox"),
					g.Attr("aria-expanded", "true"), g.Attr("aria-controls", "palette-list"),
					g.Attr("aria-autocomplete", "list"), g.Attr("aria-label", "Search apps, commands and content"),
					h.Placeholder("Search apps, commands and content…"), h.AutoComplete("off"), g.Attr("spellcheck", "false")),
			),
			h.Ul(h.ID("palette-list"), h.Class("palette-list"), h.Role("listbox"), g.Attr("aria-label", "Apps, commands and results"), inShell(),
				g.Group(g.Map(numbered(cmds), func(c numberedCommand) g.Node {
					return paletteOption(c.Command, c.i)
				})),
			),
			h.P(h.Class("palette-empty muted"), h.Hidden("hidden"), g.Attr("role", "status"), g.Text("No matches")),
			h.P(h.Class("palette-status muted"), g.Attr("role", "status"), g.Attr("aria-live", "polite")),
			h.Div(h.Class("palette-help muted"),
				h.P(h.Class("palette-scopes"), g.Attr("aria-label", "Search scopes"),
					scopeHint(ScopeCommands, "commands"), scopeHint(ScopePeople, "people"),
					scopeHint(ScopeFiles, "files"), scopeHint(ScopePosts, "posts & tags")),
				h.P(g.Text("↑ ↓ to move · → for actions · Enter to open · Esc to close")),
			),
		),
	)
}

func scopeHint(prefix, what string) g.Node {
	return h.Span(h.Class("palette-scope"), g.Attr("data-scope", prefix), h.Kbd(g.Text(prefix)), g.Text(" "+what))
}

type numberedCommand struct {
	Command
	i int
}

func numbered(cmds []Command) []numberedCommand {
	out := make([]numberedCommand, len(cmds))
	for i, c := range cmds {
		out[i] = numberedCommand{c, i}
	}
	return out
}

func paletteOption(c Command, i int) g.Node {
	body := g.Group{Icon(c.Icon), h.Span(h.Class("palette-title"), g.Text(c.Title)),
		g.If(c.Hint != "", h.Span(h.Class("palette-hint"), g.Text(c.Hint)))}
	var action g.Node
	if c.Post != "" {
		action = h.Form(h.Method("post"), h.Action(c.Post), HX("boost", "false"),
			h.Button(h.Type("submit"), h.TabIndex("-1"), body))
	} else {
		action = h.A(h.Href(c.Href), h.TabIndex("-1"), body)
	}
	return h.Li(h.ID("palette-opt-"+strconv.Itoa(i)), h.Class("palette-option palette-command"), h.Role("option"),
		g.Attr("aria-selected", "false"), g.If(c.Keywords != "", g.Attr("data-keywords", c.Keywords)),
		g.If(c.Href != "", g.Attr("data-recent-id", "cmd:"+c.Href)), g.Attr("data-icon", c.Icon), g.Attr("data-hint", c.Hint),
		action)
}

// Flash is a one-time message shown on the next page, such as "Saved.".
type Flash struct {
	// Kind is "info", "success", "warning" or "error".
	Kind string `json:"k"`
	// Text is the message.
	Text string `json:"t"`
}

// Flashes renders flash messages in a live region, so screen readers
// announce them.
func Flashes(fs []Flash) g.Node {
	return h.Div(h.Class("flashes"), h.Role("status"), g.Attr("aria-live", "polite"),
		g.Group(g.Map(fs, func(f Flash) g.Node {
			kind := f.Kind
			switch kind {
			case "info", "success", "warning", "error":
			default:
				kind = "info"
			}
			return h.P(h.Class("flash flash-"+kind), g.Text(f.Text))
		})),
	)
}

// Card renders a titled panel, the usual frame of a widget.
func Card(title string, children ...g.Node) g.Node {
	return h.Section(h.Class("card"),
		g.If(title != "", h.H3(h.Class("card-title"), g.Text(title))),
		g.Group(children),
	)
}

// PageHeader renders a page's heading with an optional icon and one line of
// description.
func PageHeader(icon, title, description string) g.Node {
	return h.Div(h.Class("page-header"),
		g.If(icon != "", h.Span(h.Class("page-icon"), Icon(icon))),
		h.Div(
			h.H1(g.Text(title)),
			g.If(description != "", h.P(h.Class("muted"), g.Text(description))),
		),
	)
}

// accountFor renders the signed-in user's name and a sign-out button.
func accountFor(name g.Node, logoutURL string) g.Node {
	return h.Div(h.Class("account"),
		h.Span(h.Class("account-name"), Icon("user"), h.Span(name)),
		h.Form(h.Method("post"), h.Action(logoutURL), h.Class("inline-form"),
			h.Button(h.Type("submit"), h.Class("icon-button"), g.Attr("aria-label", "Sign out"), h.Title("Sign out"), Icon("logout"))),
	)
}
