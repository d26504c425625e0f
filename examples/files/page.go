package files

import (
	"net/http"
	"strconv"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/ui"
)

// keys are the commander's key bar: key, action, label.
var keys = [][3]string{
	{"F3", "view", "View"},
	{"F5", "copy", "Copy"},
	{"F6", "move", "Move"},
	{"⇧F6", "rename", "Rename"},
	{"F7", "mkdir", "New folder"},
	{"F8", "delete", "Delete"},
	{"Ins", "select", "Select"},
	{"Tab", "switch", "Other panel"},
	{"", "upload", "Upload"},
}

func (m *Module) page(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	names := m.fs.Sources()
	start := func(param string, i int) string {
		if v := q.Get(param); v != "" {
			if u, err := afs.Parse(v); err == nil {
				return u.String()
			}
		}
		if len(names) == 0 {
			return ""
		}
		return "fs://" + names[min(i, len(names)-1)]
	}
	return m.shell.Render(w, r, ui.Page{Title: "Files", Content: h.Div(h.Class("fc"),
		g.Attr("data-files-commander", ""), g.Attr("data-api", m.api("")),
		g.Attr("data-max-upload", strconv.FormatInt(m.opts.MaxUpload, 10)),
		h.Div(h.Class("fc-panels"),
			panel("left", start("left", 0)),
			panel("right", start("right", 1)),
		),
		h.Section(h.Class("fc-jobs"), g.Attr("aria-label", "Transfers and uploads"), g.Attr("aria-live", "polite"),
			h.Ul(h.Class("fc-job-list"))),
		h.Nav(h.Class("fc-keybar"), g.Attr("aria-label", "Commands"),
			g.Map(keys, func(k [3]string) g.Node {
				return h.Button(h.Type("button"), g.Attr("data-action", k[1]),
					g.If(k[0] != "", h.Kbd(g.Text(k[0]))), h.Span(g.Text(k[2])))
			})),
	)})
}

// panel renders one panel's frame; the script fills it.
func panel(side, start string) g.Node {
	id := "fc-" + side
	return h.Section(h.Class("fc-panel"), h.ID(id), g.Attr("data-side", side), g.Attr("data-start", start),
		g.Attr("aria-label", side+" panel"),
		h.Div(h.Class("fc-bar"),
			h.Select(h.Class("fc-source"), g.Attr("aria-label", "Source")),
			h.Nav(h.Class("fc-crumbs"), g.Attr("aria-label", "Path")),
			h.Input(h.Class("fc-filter"), h.Type("search"), h.Placeholder("Filter"), g.Attr("aria-label", "Filter this folder")),
		),
		h.Div(h.Class("fc-scroll"), h.TabIndex("0"),
			h.Table(h.Class("fc-table"), g.Attr("role", "grid"), g.Attr("aria-multiselectable", "true"),
				h.THead(h.Tr(
					sortHead("name", "Name"), sortHead("size", "Size"),
					sortHead("modified", "Modified"), sortHead("type", "Type"),
				)),
				h.TBody(h.Class("fc-rows")),
			),
			h.P(h.Class("fc-more muted")),
		),
		h.Div(h.Class("fc-status muted"), g.Attr("aria-live", "polite")),
		h.Div(h.Class("fc-drop"), g.Text("Drop files to upload them here")),
	)
}

func sortHead(key, label string) g.Node {
	return h.Th(g.Attr("scope", "col"), g.Attr("data-col", key),
		h.Button(h.Type("button"), h.Class("fc-sort"), g.Attr("data-sort", key), g.Text(label)))
}
