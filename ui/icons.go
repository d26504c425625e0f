package ui

import (
	"slices"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// iconPaths are the shell's icons: SVG path data on a 24×24 grid, drawn
// with a 2px stroke in the current text colour.
var iconPaths = map[string]string{
	"grid":     "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z",
	"home":     "M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10",
	"app":      "M5 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zM3 8h18",
	"chart":    "M4 20V4M4 20h16M8 16v-5M12 16V8M16 16v-8",
	"terminal": "M4 5h16v14H4zM7 9l3 3-3 3M12 15h5",
	"search":   "M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5L20 20",
	"sun":      "M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
	"moon":     "M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z",
	"menu":     "M4 6h16M4 12h16M4 18h16",
	"logout":   "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10",
	"user":     "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
	"settings": "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1",
	"folder":   "M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z",
	"file":     "M6 3h8l4 4v14H6zM14 3v4h4",
	"task":     "M9 11l3 3 8-8M20 12v7a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h11",
	"close":    "M6 6l12 12M18 6L6 18",
	"info":     "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 11v6M12 7v.5",
	"alert":    "M12 3l10 18H2zM12 10v5M12 18v.5",
	"message":  "M4 5h16v11H9l-5 4z",
	"lock":     "M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4M12 15v2",
	"key":      "M8 15a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM11 11h10M17 11v3M20 11v2",
	"shield":   "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4",
}

// IconNames lists the names of the shell's icon set, sorted.
func IconNames() []string {
	names := make([]string, 0, len(iconPaths))
	for n := range iconPaths {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// iconHTML holds the rendered SVG of every icon of the set.
var iconHTML = func() map[string]g.Node {
	out := make(map[string]g.Node, len(iconPaths))
	for name, d := range iconPaths {
		var b strings.Builder
		_ = g.El("svg", h.Class("icon"), g.Attr("viewBox", "0 0 24 24"), g.Attr("width", "20"), g.Attr("height", "20"),
			g.Attr("fill", "none"), g.Attr("stroke", "currentColor"), g.Attr("stroke-width", "2"),
			g.Attr("stroke-linecap", "round"), g.Attr("stroke-linejoin", "round"),
			g.Attr("aria-hidden", "true"), g.Attr("focusable", "false"),
			g.El("path", g.Attr("d", d))).Render(&b)
		out[name] = g.Raw(b.String())
	}
	return out
}()

// Icon renders an icon for decoration (hidden from screen readers): a name
// of the shell's icon set (see [IconNames]) as inline SVG, any other text —
// typically one emoji — as itself, and "" as the generic "app" icon.
func Icon(name string) g.Node {
	if name == "" {
		name = "app"
	}
	if n, ok := iconHTML[name]; ok {
		return n
	}
	return h.Span(h.Class("icon icon-text"), g.Attr("aria-hidden", "true"), g.Text(strings.TrimSpace(name)))
}
