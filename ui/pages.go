package ui

import (
	"context"
	"fmt"
	"net/http"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
)

// Stop ends the live log streams and waits, until ctx ends, for the
// search sources still answering queries that are over.
func (m *Module) Stop(ctx context.Context) error {
	if m.logs != nil {
		m.logs.Close()
	}
	done := make(chan struct{})
	go func() { m.searches.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ui: search sources still running: %w", ctx.Err())
	}
}

// handleHome renders the launchpad: the apps, then the dashboard slot.
func (m *Module) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	greeting := "Your apps and what is going on."
	if u, ok := auth.UserFrom(ctx); ok && u.DisplayName != "" {
		greeting = "Welcome, " + u.DisplayName + ". Your apps and what is going on."
	}
	c := m.contributions()
	dash := m.slotWidgets(ctx, c, SlotDashboard)
	return m.Render(w, r, Page{Title: "Launchpad", Content: g.Group{
		homeHTML[0], g.Text(greeting), homeHTML[1],
		m.view(ctx, c).launchpad,
		g.If(len(dash) > 0, g.Group{dashboardHTML[0], g.Group(dash), dashboardHTML[1]}),
	}})
}

// homeHTML is the launchpad's page header split around the greeting.
var homeHTML = splitAt(PageHeader("grid", "Launchpad", partMarker))

// dashboardHTML is the launchpad's dashboard section split around its
// widgets.
var dashboardHTML = splitAt(h.Section(h.Class("dashboard"), g.Attr("aria-labelledby", "dashboard-title"),
	h.H2(h.ID("dashboard-title"), h.Class("section-title"), g.Text("Dashboard")),
	h.Div(h.Class("slot slot-dashboard"), g.Attr("data-slot", SlotDashboard), partNode(partContent)),
))

// handleApp renders the shell's page for an app that has no pages of its
// own: what it is, and where its API lives.
func (m *Module) handleApp(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	app, module, allowed, exists := m.findApp(ctx, id)
	switch {
	case !exists:
		return fmt.Errorf("ui: %w: no app %q", webos.ErrNotFound, id)
	case !allowed:
		return fmt.Errorf("%w: you may not open %s", auth.ErrForbidden, app.Name)
	}
	var info webos.ModuleInfo
	var api string
	if mod, ok := m.app.Module(module); ok {
		info = mod.ModuleInfo()
		if _, ok := mod.(webos.RouteProvider); ok {
			// Linked only when something answers there: a module may
			// have routes below its prefix but none at it.
			if p := modulePrefix(info) + "/"; m.servesGET(p) {
				api = p
			}
		}
	}
	return m.Render(w, r, Page{Title: app.Name, Content: g.Group{
		PageHeader(app.Icon, app.Name, app.Description),
		h.Div(h.Class("app-page"), g.Attr("data-app", app.ID),
			Card("About this app",
				h.Dl(h.Class("facts"),
					h.Dt(g.Text("Module")), h.Dd(h.Code(g.Text(module))),
					g.If(info.Version != "", g.Group{h.Dt(g.Text("Version")), h.Dd(g.Text(info.Version))}),
					g.If(api != "", g.Group{h.Dt(g.Text("HTTP API")), h.Dd(h.A(h.Href(api), HX("boost", "false"), h.Code(g.Text(api))))}),
				),
			),
			m.Slot(ctx, "app:"+app.ID),
		),
	}})
}
