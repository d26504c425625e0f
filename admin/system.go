package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// Panel is a part of the console's dashboard that a module contributes.
type Panel struct {
	// Title is the panel's heading.
	Title string
	// Order sorts panels, lowest first; ties sort by title.
	Order int
	// Permission, when set, is what a user needs to see the panel.
	Permission string
	// Render draws the panel's body for the request's user. An error
	// shows in the panel, not on the whole page.
	Render func(ctx context.Context) (g.Node, error)
}

// PanelProvider is a module that adds panels to the console's dashboard.
type PanelProvider interface {
	AdminPanels() []Panel
}

// AdminPanels are the console's own panels: system health, users, the
// latest changes of the audit trail.
func (m *Module) AdminPanels() []Panel {
	ps := []Panel{
		{Title: "System health", Order: 0, Render: m.healthPanel},
		{Title: "Users", Order: 10, Permission: auth.PermUsersRead, Render: m.usersPanel},
		{Title: "Recent changes", Order: 90, Permission: audit.PermRead, Render: m.auditPanel},
	}
	if m.taskQueue() != nil {
		ps = append(ps, Panel{Title: "Task queues", Order: 20, Permission: tasks.PermAdmin, Render: m.tasksPanel})
	}
	return ps
}

func (m *Module) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var panels []Panel
	for _, st := range m.app.Modules() {
		if !st.Enabled {
			continue
		}
		mod, _ := m.app.Module(st.ID)
		if pp, ok := mod.(PanelProvider); ok {
			panels = append(panels, pp.AdminPanels()...)
		}
	}
	sort.SliceStable(panels, func(i, j int) bool {
		if panels[i].Order != panels[j].Order {
			return panels[i].Order < panels[j].Order
		}
		return panels[i].Title < panels[j].Title
	})
	var cards []g.Node
	for _, p := range panels {
		if p.Permission != "" && !m.app.Can(ctx, p.Permission) {
			continue
		}
		body, err := renderPanel(ctx, p)
		if err != nil {
			body = h.P(h.Class("widget-error"), g.Text("This panel is not available now."))
			m.app.Logger().WarnContext(ctx, "admin panel failed", "panel", p.Title, "err", err)
		}
		cards = append(cards, h.Div(g.Attr("data-panel", p.Title), ui.Card(p.Title, body)))
	}
	return m.page(w, r, "Dashboard", h.Div(h.Class("app-grid"), g.Group(cards)))
}

// renderPanel runs a panel's Render, turning a panic into an error.
func renderPanel(ctx context.Context, p Panel) (n g.Node, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panel %q panicked: %v", p.Title, v)
		}
	}()
	if p.Render == nil {
		return nil, nil
	}
	return p.Render(ctx)
}

func (m *Module) healthPanel(ctx context.Context) (g.Node, error) {
	rep, err := m.app.RecentHealth(ctx)
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(rep.Checks))
	return g.Group([]g.Node{
		h.P(h.Span(h.Class("badge"), g.Attr("data-health", rep.Status), g.Text(rep.Status))),
		scrollTable(h.Class("table"), h.TBody(g.Map(names, func(n string) g.Node {
			c := rep.Checks[n]
			return h.Tr(g.Attr("data-check", n), h.Td(g.Text(n)), h.Td(g.Text(c.Status)), h.Td(g.Text(strconv.FormatFloat(c.LatencyMS, 'f', 1, 64)+" ms")))
		}))),
	}), nil
}

func (m *Module) usersPanel(ctx context.Context) (g.Node, error) {
	total, err := m.users.Page(ctx, explorer.Request{Limit: 1, Count: true})
	if err != nil {
		return nil, err
	}
	n := "?"
	if total.Total != nil {
		n = total.Total.String()
	}
	return g.Group([]g.Node{
		h.P(h.Strong(g.Attr("data-users-count", ""), g.Text(n)), g.Text(" users")),
		h.P(h.A(h.Href(m.prefix+"/users/"), g.Text("All users")), g.Text(" · "), h.A(h.Href(m.prefix+"/users/new"), g.Text("New user"))),
	}), nil
}

func (m *Module) auditPanel(ctx context.Context) (g.Node, error) {
	es, err := m.trail.Entries().Find(ctx, store.Query{Sort: []string{"-seq"}, Limit: 8})
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return h.P(h.Class("muted"), g.Text("No changes recorded yet.")), nil
	}
	return g.Group([]g.Node{
		h.Ul(g.Map(es, func(e audit.Entry) g.Node {
			return h.Li(g.Attr("data-audit-action", e.Action), h.Code(g.Text(e.Action)), g.Text(" "+e.Target+" · "+e.At.UTC().Format("01-02 15:04")))
		})),
		h.P(h.A(h.Href(m.prefix+"/audit/"), g.Text("The whole trail"))),
	}), nil
}

// infrastructure names the modules others need: switching one off would
// break them, so the console refuses, naming who needs it.
func infrastructure(mods []webos.ModuleStatus) map[string][]string {
	need := map[string][]string{}
	for _, st := range mods {
		for _, req := range st.Requires {
			need[req] = append(need[req], st.ID)
		}
	}
	return need
}

func (m *Module) modulesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	mods := m.app.Modules()
	need := infrastructure(mods)
	rep, err := m.app.RecentHealth(ctx)
	if err != nil {
		return err
	}
	canSwitch := m.app.Can(ctx, settings.PermWrite)
	rows := make([]g.Node, 0, len(mods))
	for _, st := range mods {
		state := "on"
		if !st.Enabled {
			state = "off"
		}
		health := ""
		if c, ok := rep.Checks[st.ID]; ok {
			health = c.Status
		}
		var action g.Node
		switch {
		case st.ID == ModuleID || st.ID == settings.ModuleID:
			action = h.Span(h.Class("muted"), g.Text("the way back: cannot be switched off"))
		case len(need[st.ID]) > 0 && st.Enabled:
			action = h.Span(h.Class("muted"), g.Attr("data-required-by", strings.Join(need[st.ID], " ")),
				g.Text("needed by "+strings.Join(need[st.ID], ", ")))
		case canSwitch:
			to, label := "false", "Switch off"
			if !st.Enabled {
				to, label = "true", "Switch on"
			}
			act := m.prefix + "/modules/" + st.ID
			action = h.Form(h.ID("switch-"+st.ID), h.Method("post"), h.Action(act), ui.HX("post", act),
				g.If(to == "false", ui.HX("confirm", "Switch off "+st.Name+" for everyone? Its pages and API answer 404 until it is switched on.")),
				h.Input(h.Type("hidden"), h.Name("enabled"), h.Value(to)),
				h.Button(h.Type("submit"), h.Class("button"), g.Attr("data-switch", st.ID), g.Text(label)), ui.FormErrors("switch-"+st.ID))
		}
		rows = append(rows, h.Tr(g.Attr("data-module", st.ID), g.Attr("data-enabled", strconv.FormatBool(st.Enabled)),
			h.Td(h.Strong(g.Text(st.Name)), h.Br(), h.Code(g.Text(st.ID))),
			h.Td(g.Text(st.Version)),
			h.Td(g.Text(st.State+" · "+state), g.If(health != "", g.Text(" · "+health))),
			h.Td(h.Class("muted"), g.Text(strings.Join(st.Capabilities, ", "))),
			h.Td(h.Details(h.Summary(g.Text(strconv.Itoa(len(st.Routes))+" routes")),
				h.Ul(g.Map(st.Routes, func(p string) g.Node { return h.Li(h.Code(g.Text(p))) })))),
			h.Td(action)))
	}
	return m.page(w, r, "Modules", ui.Card("",
		h.P(h.Class("muted"), g.Text("A module switched off is off on every instance at once: its routes answer 404 and its card, menu entries, widgets and commands disappear.")),
		scrollTable(h.Class("table"),
			h.THead(h.Tr(h.Th(g.Text("Module")), h.Th(g.Text("Version")), h.Th(g.Text("State")), h.Th(g.Text("Capabilities")), h.Th(g.Text("Routes")), h.Th())),
			h.TBody(g.Group(rows)))))
}

func (m *Module) switchModule(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	ctx := r.Context()
	mods := m.app.Modules()
	if !slices.ContainsFunc(mods, func(st webos.ModuleStatus) bool { return st.ID == id }) {
		return fmt.Errorf("%w: no module %q", webos.ErrNotFound, id)
	}
	enable := r.PostFormValue("enabled") == "true"
	if !enable {
		if id == ModuleID || id == settings.ModuleID {
			return webos.Invalid("enabled", "the admin console and the settings module cannot be switched off")
		}
		if by := infrastructure(mods)[id]; len(by) > 0 {
			return webos.Invalid("enabled", "needed by "+strings.Join(by, ", "))
		}
	}
	vals, err := m.settings.Values(settings.ModuleID)
	if err != nil {
		return err
	}
	var off []string
	if list, ok := vals[settings.KeyDisabledModules].([]any); ok {
		for _, v := range list {
			if s, ok := v.(string); ok && s != id {
				off = append(off, s)
			}
		}
	}
	if !enable {
		off = append(off, id)
	}
	if off == nil {
		off = []string{}
	}
	if err := m.settings.Set(ctx, settings.ModuleID, map[string]any{settings.KeyDisabledModules: toAny(off)}); err != nil {
		return asField("enabled", err)
	}
	return done(w, r, m.prefix+"/modules")
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (m *Module) settingsPage(w http.ResponseWriter, r *http.Request) error {
	views, err := m.settings.Views()
	if err != nil {
		return err
	}
	canWrite := m.app.Can(r.Context(), settings.PermWrite)
	var cards []g.Node
	for _, v := range views {
		if len(v.Fields) == 0 {
			continue
		}
		formID := "settings-" + v.Module
		act := m.prefix + "/settings/" + v.Module
		var fields []g.Node
		for _, f := range v.Fields {
			fields = append(fields, settingField(formID, f, canWrite))
		}
		cards = append(cards, h.Div(h.ID("module-"+v.Module), ui.Card(v.Name+" ("+v.Module+")",
			h.Form(h.ID(formID), h.Class("form"), h.Method("post"), h.Action(act), ui.HX("post", act),
				g.Group(fields),
				g.If(canWrite, h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Save"))),
				ui.FormErrors(formID)),
			m.settingHistory(r.Context(), v.Module))))
	}
	explore := h.P(h.A(h.Href(m.prefix+"/settings/explorer/"), g.Attr("data-settings-explorer", ""),
		g.Text("Every setting of every module in one grid")), g.Text(": filter by module or state, search keys, edit values inline."))
	return m.page(w, r, "Settings", explore, g.Group(cards))
}

// settingField is one type-aware editor: a checkbox, a number, a text, a
// duration, or JSON for lists and objects; locked keys read-only.
func settingField(formID string, f settings.FieldView, canWrite bool) g.Node {
	id := formID + "-" + f.Key
	ro := f.Locked || !canWrite
	val := jsonValue(f.Value)
	def := jsonValue(f.Default)
	var input g.Node
	switch f.Type {
	case settings.TypeBoolean:
		input = g.Group([]g.Node{
			h.Input(h.Type("hidden"), h.Name(f.Key), h.Value("false"), g.If(ro, h.Disabled())),
			h.Input(h.Type("checkbox"), h.ID(id), h.Name(f.Key), h.Value("true"), g.If(f.Value == true, h.Checked()), g.If(ro, h.Disabled())),
		})
	case settings.TypeInteger, settings.TypeNumber:
		input = h.Input(h.Type("number"), h.ID(id), h.Name(f.Key), h.Value(val), g.If(f.Type == settings.TypeNumber, h.Step("any")), g.If(ro, h.ReadOnly()))
	case settings.TypeList, settings.TypeObject:
		input = h.Textarea(h.ID(id), h.Name(f.Key), g.Attr("data-json", ""), g.If(ro, h.ReadOnly()), g.Text(val))
	case settings.TypeDuration:
		if n, ok := f.Value.(float64); ok {
			val = time.Duration(int64(n)).String()
		}
		if n, ok := f.Default.(float64); ok {
			def = time.Duration(int64(n)).String()
		}
		input = h.Input(h.ID(id), h.Name(f.Key), h.Value(strings.Trim(val, `"`)), g.If(ro, h.ReadOnly()))
	default:
		input = h.Input(h.ID(id), h.Name(f.Key), h.Value(strings.Trim(val, `"`)), g.If(ro, h.ReadOnly()))
	}
	note := "default " + def
	if f.Locked {
		note = "locked: set by the environment or configuration"
	}
	return h.Div(h.Class("field"), g.Attr("data-setting", f.Key),
		h.Label(h.For(id), h.Code(g.Text(f.Key)), g.If(f.Description != "", g.Text(" — "+f.Description))),
		input,
		h.Span(h.Class("muted"), g.Text(" "+note)))
}

func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// settingHistory lists the latest changes of a module's settings from the
// audit trail: who, when, old → new.
func (m *Module) settingHistory(ctx context.Context, module string) g.Node {
	if !m.app.Can(ctx, audit.PermRead) {
		return nil
	}
	es, err := m.trail.Entries().Find(ctx, store.Query{Where: store.Eq("target", "settings:"+module), Sort: []string{"-seq"}, Limit: 5})
	if err != nil || len(es) == 0 {
		return nil
	}
	return h.Details(h.Summary(g.Text("History")), h.Ul(g.Map(es, func(e audit.Entry) g.Node {
		return h.Li(g.Text(e.At.UTC().Format("2006-01-02 15:04")+" by "+e.Actor+": "), h.Code(g.Text(e.Before)), g.Text(" → "), h.Code(g.Text(e.After)))
	})))
}

func (m *Module) saveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	module := r.PathValue("module")
	view, err := m.settings.View(module)
	if err != nil {
		return err
	}
	patch := map[string]any{}
	for _, f := range view.Fields {
		vals, ok := r.PostForm[f.Key]
		if !ok || f.Locked {
			continue
		}
		raw := vals[len(vals)-1] // a checkbox follows its hidden "false"
		v, err := parseSetting(f, raw)
		if err != nil {
			return webos.Invalid(f.Key, err.Error())
		}
		if jsonValue(v) != jsonValue(f.Value) {
			patch[f.Key] = v
		}
	}
	if len(patch) > 0 {
		if err := m.settings.Set(r.Context(), module, patch); err != nil {
			return err
		}
	}
	return done(w, r, m.prefix+"/settings#module-"+module)
}

// parseSetting reads a form value as the field's JSON form.
func parseSetting(f settings.FieldView, raw string) (any, error) {
	switch f.Type {
	case settings.TypeBoolean:
		return raw == "true", nil
	case settings.TypeInteger:
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a whole number")
		}
		return float64(n), nil
	case settings.TypeNumber:
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("must be a number")
		}
		return n, nil
	case settings.TypeList, settings.TypeObject:
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return nil, fmt.Errorf("must be JSON")
		}
		return v, nil
	case settings.TypeDuration:
		if _, err := time.ParseDuration(strings.TrimSpace(raw)); err != nil {
			return nil, fmt.Errorf("must be a duration such as 1m30s")
		}
	}
	return raw, nil
}

func (m *Module) configPage(w http.ResponseWriter, r *http.Request) error {
	entries, err := webos.DescribeConfig(m.app.Config())
	if err != nil {
		return err
	}
	canWrite := m.app.Can(r.Context(), settings.PermWrite)
	current := levelName(m.app.LogLevel())
	act := m.prefix + "/config/log-level"
	return m.page(w, r, "Configuration",
		ui.Card("Log level",
			h.P(h.Class("muted"), g.Text("Changes the log level of every instance at once, without a restart. Current: "), h.Code(g.Attr("data-log-level", current), g.Text(current))),
			g.If(canWrite, h.Form(h.ID("log-level"), h.Class("form-inline"), h.Method("post"), h.Action(act), ui.HX("post", act),
				h.Label(h.For("log-level-select"), g.Text("Level")),
				h.Select(h.ID("log-level-select"), h.Name("level"), g.Map(levels, func(l string) g.Node {
					return h.Option(h.Value(l), g.If(l == current, h.Selected()), g.Text(l))
				})),
				h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Apply")), ui.FormErrors("log-level"))),
			h.P(h.A(h.Href(ui.LogsPath), g.Text("Open the live log terminal")))),
		ui.Card("Environment",
			h.P(h.Class("muted"), g.Text("Secrets are masked: their values never leave the server.")),
			scrollTable(h.Class("table"),
				h.THead(h.Tr(h.Th(g.Text("Variable")), h.Th(g.Text("Value")), h.Th(g.Text("Source")), h.Th(g.Text("Default")))),
				h.TBody(g.Map(entries, func(e webos.ConfigEntry) g.Node {
					return h.Tr(g.Attr("data-variable", e.Variable), h.Td(h.Code(g.Text(e.Variable))),
						h.Td(g.If(e.Secret, h.Span(h.Class("badge"), g.Text("secret"))), g.Text(" "+e.Value)),
						h.Td(g.Text(e.Source)), h.Td(h.Class("muted"), g.Text(e.Default)))
				})))))
}

func (m *Module) setLogLevel(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	lvl := r.PostFormValue("level")
	if !slices.Contains(levels, lvl) {
		return webos.Invalid("level", "must be one of "+strings.Join(levels, ", "))
	}
	if err := m.settings.Set(r.Context(), ModuleID, map[string]any{"log_level": lvl}); err != nil {
		return err
	}
	m.applyLogLevel(r.Context()) // this instance at once; the others on the event
	return done(w, r, m.prefix+"/config")
}
