package ui

import (
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// Layout holds the parts of a shell page. [Document] arranges them; every
// part is optional. The module fills it for each request (see
// [Module.Render]); it is exported so that the layout can be rendered and
// tested on its own.
type Layout struct {
	// Title is the page's title; the document title is "Title · App ·
	// Brand", without App when Title names it already.
	Title string
	// App is the name of the app the page belongs to, e.g. "Vault"; ""
	// for the shell's own pages.
	App string
	// Brand is the product name in the header, e.g. "WebOS".
	Brand string
	// Lang is the document language (default "en").
	Lang string
	// Theme is "light" or "dark" when the user chose one; "" follows the
	// system's preference.
	Theme string
	// ThemeURL is where the theme toggle posts the choice.
	ThemeURL string
	// Styles and Scripts are stylesheet and (deferred) script URLs.
	Styles, Scripts []string
	// Head is more nodes for <head>.
	Head []g.Node

	// Header holds the widgets of the header slot.
	Header []g.Node
	// Account is the signed-in user's area at the right of the header.
	Account g.Node
	// Nav is the sidebar menu (see [Menu]). Without it the page has no
	// sidebar, as the login page.
	Nav g.Node
	// Sidebar holds the widgets of the sidebar slot, below the menu.
	Sidebar []g.Node
	// Footer holds the widgets of the footer slot.
	Footer []g.Node
	// Palette is the command palette (see [Palette]).
	Palette g.Node
	// Flashes are the messages shown above the content.
	Flashes []Flash
	// Content is the page's own content, inside <main>.
	Content g.Node
}

func (l Layout) docTitle() string {
	parts := make([]string, 0, 3)
	if l.Title != "" {
		parts = append(parts, l.Title)
	}
	if l.App != "" && !strings.Contains(strings.ToLower(l.Title), strings.ToLower(l.App)) {
		parts = append(parts, l.App)
	}
	if l.Brand != "" {
		parts = append(parts, l.Brand)
	}
	return strings.Join(parts, " · ")
}

// htmxConfig configures htmx for the shell's Content-Security-Policy (see
// [ContentSecurityPolicy]): no inline indicator style, no evaluated
// attributes (hx-on, js: values, trigger filters), no script elements in
// swapped content.
const htmxConfig = `{"scrollIntoViewOnBoost":false,"historyCacheSize":0,"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true,"error":false},{"code":"[45]..","swap":false,"error":true}]}`

// Document renders a whole shell page: a skip link, the header (banner)
// with the header slot, search button, theme toggle and account area, the
// sidebar (navigation landmark) that becomes a drawer on narrow screens,
// <main>, the footer (contentinfo) and the command palette.
func Document(l Layout) g.Node {
	return document(l, g.Text(l.docTitle()), Flashes(l.Flashes), l.Content)
}

// document is [Document] with the title text, the flash messages and the
// content as nodes, so that the shell can render the fixed rest once (see
// [pageTemplate]).
func document(l Layout, title, flashes, content g.Node) g.Node {
	lang := l.Lang
	if lang == "" {
		lang = "en"
	}
	var head g.Group
	head = append(head,
		h.Meta(h.Charset("utf-8")),
		h.Meta(h.Name("viewport"), h.Content("width=device-width, initial-scale=1")),
		h.Meta(h.Name("color-scheme"), h.Content("light dark")),
		h.Meta(h.Name("htmx-config"), h.Content(htmxConfig)),
		h.TitleEl(title),
	)
	for _, s := range l.Styles {
		head = append(head, h.Link(h.Rel("stylesheet"), h.Href(s)))
	}
	for _, s := range l.Scripts {
		head = append(head, h.Script(h.Src(s), h.Defer()))
	}
	head = append(head, l.Head...)

	bodyClass := "shell"
	if l.Nav == nil {
		bodyClass = "shell bare"
	}
	return h.Doctype(
		h.HTML(h.Lang(lang),
			g.If(l.Theme == "light" || l.Theme == "dark", g.Attr("data-theme", l.Theme)),
			g.If(l.ThemeURL != "", g.Attr("data-theme-url", l.ThemeURL)),
			h.Head(head),
			h.Body(h.Class(bodyClass),
				h.A(h.Class("skip-link"), h.Href("#"+MainTarget), g.Text("Skip to content")),
				header(l),
				g.If(l.Nav != nil, sidebar(l)),
				g.If(l.Nav != nil, h.Div(h.Class("drawer-backdrop"), g.Attr("data-action", "drawer-close"), g.Attr("aria-hidden", "true"))),
				mainRegion(flashes, content),
				g.If(len(l.Footer) > 0, h.Footer(h.Class("shell-footer"),
					h.Div(h.Class("slot slot-footer"), g.Attr("data-slot", SlotFooter), g.Group(l.Footer)))),
				l.Palette,
			),
		),
	)
}

// Fragment renders what an htmx navigation inside the shell needs: the
// title, the new <main> and, swapped out of band, the menu with its new
// active entry.
func Fragment(l Layout) g.Node {
	return g.Group{
		h.TitleEl(g.Text(l.docTitle())),
		MainRegion(l.Flashes, l.Content),
		g.If(l.Nav != nil, h.Div(h.ID("nav-slot"), HX("swap-oob", "true"), l.Nav)),
	}
}

// MainRegion renders the shell's <main>: the flash messages and the
// content. It is focusable so that navigation can move focus to it.
func MainRegion(flashes []Flash, content g.Node) g.Node {
	return mainRegion(Flashes(flashes), content)
}

func mainRegion(flashes, content g.Node) g.Node {
	return h.Main(h.ID(MainTarget), h.Class("shell-main"), h.TabIndex("-1"),
		flashes,
		content,
	)
}

func header(l Layout) g.Node {
	return h.Header(h.Class("shell-header"),
		g.If(l.Nav != nil, h.Button(h.Type("button"), h.Class("icon-button drawer-toggle"),
			g.Attr("data-action", "drawer-toggle"), g.Attr("aria-controls", "sidebar"),
			g.Attr("aria-expanded", "false"), g.Attr("aria-label", "Menu"), Icon("menu"))),
		h.A(h.Class("brand"), h.Href("/"), g.Text(l.Brand)),
		h.Div(h.Class("slot slot-header"), g.Attr("data-slot", SlotHeader), g.Group(l.Header)),
		g.If(l.Palette != nil, h.Button(h.Type("button"), h.Class("palette-open"), g.Attr("data-action", "palette-open"),
			g.Attr("aria-haspopup", "dialog"), g.Attr("aria-controls", "palette"), g.Attr("aria-keyshortcuts", "Control+K Meta+K"),
			Icon("search"), h.Span(h.Class("palette-open-label"), g.Text("Search")), h.Kbd(g.Text("Ctrl K")))),
		h.Button(h.Type("button"), h.ID("theme-toggle"), h.Class("icon-button theme-toggle"), g.Attr("data-action", "theme-toggle"),
			g.Attr("aria-label", "Dark mode"), g.Attr("aria-pressed", ariaBool(l.Theme == "dark")),
			h.Span(h.Class("when-light"), Icon("moon")), h.Span(h.Class("when-dark"), Icon("sun"))),
		l.Account,
	)
}

func sidebar(l Layout) g.Node {
	return h.Aside(h.ID("sidebar"), h.Class("shell-sidebar"), g.Attr("aria-label", "Sidebar"),
		h.Div(h.ID("nav-slot"), l.Nav),
		g.If(len(l.Sidebar) > 0, h.Div(h.Class("slot slot-sidebar"), g.Attr("data-slot", SlotSidebar), g.Group(l.Sidebar))),
	)
}

func ariaBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
