package explorer

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/ui"
)

func (gr *Grid[T]) gridID() string { return "grid-" + gr.cfg.Name }

func (gr *Grid[T]) title() string {
	if gr.cfg.Title != "" {
		return gr.cfg.Title
	}
	return gr.cfg.Name
}

// servePage renders the grid page in the shell, or only the grid for an
// htmx request aimed at it.
func (gr *Grid[T]) servePage(w http.ResponseWriter, r *http.Request, shell *ui.Module, base string) error {
	if ui.IsHTMX(r) && r.Header.Get("HX-Target") == gr.gridID() {
		return gr.renderGrid(w, r, base, "")
	}
	node, err := gr.gridNode(r, base, "")
	if err != nil {
		return err
	}
	head := ui.PageHeader("", gr.title(), "")
	if gr.cfg.Header != nil {
		head = gr.cfg.Header(r)
	}
	return shell.Render(w, r, ui.Page{Title: gr.title(), Content: g.Group{
		h.Link(h.Rel("stylesheet"), h.Href(base+"/static/grid.css")),
		h.Script(h.Src(base+"/static/grid.js"), h.Defer()),
		head,
		node,
	}})
}

// renderGrid writes the grid alone, an htmx fragment.
func (gr *Grid[T]) renderGrid(w http.ResponseWriter, r *http.Request, base, msg string) error {
	node, err := gr.gridNode(r, base, msg)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := node.Render(&buf); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Add("Vary", "HX-Request")
	hd.Set("Cache-Control", "no-store")
	ui.SetSecurityHeaders(hd)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// gridNode returns the grid of the request's view as a node: the table,
// its toolbar and its pager, as Mount's page shows them.
func (gr *Grid[T]) gridNode(r *http.Request, base, msg string) (g.Node, error) {
	ctx := r.Context()
	q := r.URL.Query()
	v, err := gr.parseView(ctx, q)
	if err != nil {
		return nil, err
	}
	v.count = true
	res, err := gr.page(ctx, v)
	if err != nil {
		return nil, err
	}
	cols, err := gr.Columns(ctx)
	if err != nil {
		return nil, err
	}
	hidden := gr.hiddenFor(ctx, cols)
	var shown []Column
	for _, c := range cols {
		if !hidden[c.Field] {
			shown = append(shown, c)
		}
	}
	return gr.render(base, v, res, cols, shown, hidden, msg, gr.CanDelete(ctx)), nil
}

// viewQuery is the query string of a view, without the cursor.
func viewQuery(v view) url.Values {
	q := url.Values{}
	if v.sort != nil {
		parts := make([]string, len(v.sort))
		for i, s := range v.sort {
			parts[i] = s.Field
			if s.Desc {
				parts[i] = "-" + s.Field
			}
		}
		q.Set("sort", strings.Join(parts, ","))
	}
	for k, vs := range v.form {
		q[k] = vs
	}
	if v.limit > 0 {
		q.Set("limit", strconv.Itoa(v.limit))
	}
	return q
}

func withParam(q url.Values, k, v string) string {
	c := url.Values{}
	for kk, vv := range q {
		c[kk] = vv
	}
	if v == "" {
		c.Del(k)
	} else {
		c.Set(k, v)
	}
	return c.Encode()
}

func (gr *Grid[T]) render(base string, v view, res *Result[T], cols, shown []Column, hidden map[string]bool, msg string, canDelete bool) g.Node {
	id := gr.gridID()
	formID, delID := id+"-filters", id+"-delete"
	q := viewQuery(v)
	sortOf := func(field string) (bool, bool) {
		for i, s := range v.sort {
			if s.Field == field && i == 0 {
				return true, s.Desc
			}
		}
		return false, false
	}
	hx := func(u string) g.Node {
		return g.Group{ui.HX("get", u), ui.HX("target", "#"+id), ui.HX("swap", "outerHTML"), ui.HX("indicator", "#"+id+"-loading"), ui.HX("push-url", "true")}
	}
	var head, filters []g.Node
	if canDelete {
		head = append(head, h.Th(h.Class("xgrid-select"), h.Input(h.Type("checkbox"), g.Attr("data-select-all", ""), g.Attr("aria-label", "Select all rows"))))
		filters = append(filters, h.Th())
	}
	for _, c := range shown {
		label := g.Node(g.Text(c.Header))
		aria := "none"
		if c.Sortable {
			on, desc := sortOf(c.Field)
			next := c.Field
			arrow := ""
			if on && !desc {
				next, arrow, aria = "-"+c.Field, " ▲", "ascending"
			} else if on {
				arrow, aria = " ▼", "descending"
			}
			u := base + "/?" + withParam(q, "sort", next)
			label = h.A(h.Href(u), hx(u), h.Class("xgrid-sort"), g.Attr("data-sort", c.Field), g.Text(c.Header+arrow))
		}
		th := h.Th(g.Attr("scope", "col"), g.If(c.Sortable, g.Attr("aria-sort", aria)), g.If(c.Width > 0, h.Class("w")), label)
		head = append(head, th)
		filters = append(filters, h.Th(gr.filterInput(formID, c, v.form)))
	}
	if gr.cfg.RowLink != nil {
		head = append(head, h.Th(g.Attr("scope", "col"), h.Span(h.Class("visually-hidden"), g.Text("Open"))))
		filters = append(filters, h.Th())
	}
	var rows []g.Node
	for i := range res.Rows {
		rows = append(rows, gr.rowNode(&res.Rows[i], shown, canDelete, delID))
	}
	if len(rows) == 0 {
		rows = append(rows, h.Tr(h.Td(g.Attr("colspan", strconv.Itoa(len(head))), h.Class("xgrid-empty"), g.Text("No rows match."))))
	}
	total := ""
	if res.Total != nil {
		total = res.Total.String() + " rows"
		if res.Total.N == 1 && !res.Total.More {
			total = "1 row"
		}
	}
	pager := []g.Node{}
	if res.Prev != "" {
		u := base + "/?" + withParam(q, "before", res.Prev)
		pager = append(pager, h.A(h.Href(u), hx(u), h.Class("button"), g.Attr("data-page", "prev"), g.Text("‹ Previous")))
	}
	if res.Next != "" {
		u := base + "/?" + withParam(q, "after", res.Next)
		pager = append(pager, h.A(h.Href(u), hx(u), h.Class("button"), g.Attr("data-page", "next"), g.Text("Next ›")))
	}
	var colMenu g.Node
	if gr.prefs != nil {
		colMenu = h.Details(h.Class("xgrid-columns"),
			h.Summary(h.Class("button"), g.Text("Columns")),
			h.Form(ui.HX("post", base+"/columns?"+q.Encode()), ui.HX("target", "#"+id), ui.HX("swap", "outerHTML"), ui.HX("trigger", "change"),
				g.Map(cols, func(c Column) g.Node {
					return h.Label(h.Input(h.Type("checkbox"), h.Name("show"), h.Value(c.Field), g.If(!hidden[c.Field], h.Checked())), g.Text(" "+c.Header))
				})))
	}
	sortVal := ""
	if s := q.Get("sort"); s != "" {
		sortVal = s
	}
	return h.Div(h.ID(id), h.Class("xgrid"), g.Attr("data-grid", base), g.Attr("data-name", gr.cfg.Name),
		h.Form(h.ID(formID), h.Class("xgrid-form"), h.Action(base+"/"), h.Method("get"),
			ui.HX("get", base+"/"), ui.HX("target", "#"+id), ui.HX("swap", "outerHTML"), ui.HX("trigger", "change, submit"), ui.HX("push-url", "true"),
			ui.HX("indicator", "#"+id+"-loading"),
			g.If(sortVal != "", h.Input(h.Type("hidden"), h.Name("sort"), h.Value(sortVal))),
			g.If(v.limit > 0, h.Input(h.Type("hidden"), h.Name("limit"), h.Value(strconv.Itoa(v.limit)))),
		),
		g.If(canDelete, h.Form(h.ID(delID), ui.HX("post", base+"/delete?"+q.Encode()), ui.HX("target", "#"+id), ui.HX("swap", "outerHTML"),
			ui.HX("confirm", "Delete the selected rows? This cannot be undone."))),
		h.Div(h.Class("xgrid-toolbar"),
			h.Span(h.Class("xgrid-total muted"), g.Attr("data-total", ""), g.Text(total)),
			h.Span(h.ID(id+"-loading"), h.Class("xgrid-loading htmx-indicator"), h.Role("status"), g.Text("Loading…")),
			h.Span(h.Class("xgrid-spacer")),
			g.If(canDelete, h.Button(h.Type("submit"), g.Attr("form", delID), h.Class("button"), g.Attr("data-delete", ""), g.Text("Delete selected"))),
			h.A(h.Href(base+"/export.csv?"+q.Encode()), h.Class("button"), g.Attr("download", gr.cfg.Name+".csv"), g.Attr("data-export", ""), g.Text("Export CSV")),
			colMenu,
		),
		h.P(h.Class("xgrid-msg"), h.Role("status"), g.Attr("aria-live", "polite"), g.Text(msg)),
		h.Div(h.Class("xgrid-scroll"),
			h.Table(h.Class("xgrid-table"), g.Attr("role", "grid"), g.Attr("aria-label", gr.title()),
				h.THead(h.Tr(g.Group(head)), h.Tr(h.Class("xgrid-filter-row"), g.Group(filters))),
				h.TBody(g.Group(rows)))),
		h.Nav(h.Class("xgrid-pager"), g.Attr("aria-label", "Pages"), g.Group(pager)),
	)
}

func (gr *Grid[T]) filterInput(formID string, c Column, form url.Values) g.Node {
	if len(c.Ops) == 0 {
		return nil
	}
	key := "f." + c.Field
	in := func(name, typ, ph string) g.Node {
		return h.Input(h.Type(typ), h.Name(name), g.Attr("form", formID), h.Value(form.Get(name)), h.Placeholder(ph),
			g.Attr("aria-label", c.Header+" "+ph), h.Class("xgrid-filter"))
	}
	has := func(ops ...Op) bool {
		for _, o := range ops {
			for _, co := range c.Ops {
				if co == o {
					return true
				}
			}
		}
		return false
	}
	switch c.Type {
	case Text:
		if has(Contains) {
			return in(key, "search", "contains")
		}
		if has(Eq) {
			return in(key, "search", "equals")
		}
	case Number, Time:
		typ := "number"
		if c.Type == Time {
			typ = "date"
		}
		if has(Gte, Lte) {
			return h.Div(h.Class("xgrid-range"), g.If(has(Gte), in(key+".min", typ, "from")), g.If(has(Lte), in(key+".max", typ, "to")))
		}
		if has(Eq) && c.Type == Number {
			return in(key, typ, "equals")
		}
	case List:
		if !has(Eq) {
			return nil
		}
		if len(c.Values) == 0 {
			return in(key, "search", "has")
		}
		cur := form.Get(key)
		return h.Select(h.Name(key), g.Attr("form", formID), h.Class("xgrid-filter"), g.Attr("aria-label", c.Header+" has"),
			h.Option(h.Value(""), g.Text("any")),
			g.Map(c.Values, func(s string) g.Node { return h.Option(h.Value(s), g.If(s == cur, h.Selected()), g.Text(s)) }))
	case Enum, Bool:
		if !has(Eq) {
			return nil
		}
		vals := c.Values
		if c.Type == Bool {
			vals = []string{"true", "false"}
		}
		cur := form.Get(key)
		return h.Select(h.Name(key), g.Attr("form", formID), h.Class("xgrid-filter"), g.Attr("aria-label", c.Header+" equals"),
			h.Option(h.Value(""), g.Text("any")),
			g.Map(vals, func(s string) g.Node { return h.Option(h.Value(s), g.If(s == cur, h.Selected()), g.Text(s)) }))
	}
	return nil
}

func (gr *Grid[T]) rowNode(v *T, shown []Column, canDelete bool, delID string) g.Node {
	m := gr.row(shown, v)
	id := gr.rowID(v)
	ver, _ := m["updated_at"].(string)
	if !rowVersion(v).IsZero() {
		ver = rowVersion(v).UTC().Format(time.RFC3339Nano)
	}
	cells := make([]g.Node, 0, len(shown)+1)
	if canDelete {
		cells = append(cells, h.Td(h.Class("xgrid-select"), h.Input(h.Type("checkbox"), h.Name("ids"), h.Value(id), g.Attr("form", delID), g.Attr("aria-label", "Select row"))))
	}
	for _, c := range shown {
		val := m[c.Field]
		raw := cellText(val)
		text := raw
		if c.Type == Time && raw != "" {
			if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
				text = t.UTC().Format("2006-01-02 15:04")
			}
		}
		if c.Type == Bool {
			text = map[bool]string{true: "yes", false: "no"}[val == true]
		}
		cells = append(cells, h.Td(g.Attr("tabindex", "-1"), g.Attr("data-field", c.Field), g.Attr("data-type", string(c.Type)),
			g.Attr("data-value", raw), g.If(c.Editable, g.Attr("data-editable", "")),
			g.If(len(c.Values) > 0, g.Attr("data-values", strings.Join(c.Values, "\n"))),
			g.If(c.Nullable, g.Attr("data-nullable", "")),
			h.Class("t-"+string(c.Type)), g.Text(text)))
	}
	if gr.cfg.RowLink != nil {
		if u := gr.cfg.RowLink(id); u != "" {
			cells = append(cells, h.Td(h.Class("xgrid-link"), h.A(h.Href(u), g.Attr("data-row-link", ""), g.Text("Open"))))
		} else {
			cells = append(cells, h.Td(h.Class("xgrid-link")))
		}
	}
	return h.Tr(g.Attr("data-id", id), g.Attr("data-version", ver), g.Group(cells))
}
