package hello

import (
	"context"
	"net/http"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

var _ ui.WidgetProvider = (*Module)(nil)

// SlotWidgets puts a greeting form and the latest greetings on the hello
// app's page in the shell.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "hello-greet", Slot: "app:hello", Priority: 10, Render: m.renderWidget}}
}

func (m *Module) renderWidget(ctx context.Context) g.Node {
	var items []g.Node
	if c := m.greetings.Load(); c != nil {
		list, err := c.Find(ctx, store.Query{Sort: []string{"-created_at"}, Limit: 5})
		if err != nil {
			return h.P(h.Class("muted"), g.Text("The greetings are not available right now."))
		}
		for i := range list {
			items = append(items, greetingItem(&list[i]))
		}
	}
	return ui.Card("Say hello",
		h.Form(h.Class("form-inline"), ui.HX("post", "/hello/greetings/form"), ui.HX("target", "#hello-greetings"), ui.HX("swap", "afterbegin"),
			g.Attr("hx-on::after-request", "if (event.detail.successful) this.reset()"),
			h.Label(h.For("hello-name"), g.Text("Name")),
			h.Input(h.ID("hello-name"), h.Name("name"), h.Required(), h.MaxLength("100"), h.Placeholder("Ada")),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Greet")),
		),
		h.Ul(h.ID("hello-greetings"), h.Class("hello-greetings"), g.Attr("aria-live", "polite"), g.Group(items)),
	)
}

func greetingItem(gr *Greeting) g.Node {
	return h.Li(g.Attr("data-greeting", gr.ID), g.Text(gr.Message))
}

// createForm records a greeting from the shell's form and answers the new
// list item as an HTML fragment.
func (m *Module) createForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return webos.Invalid("name", "could not read the form")
	}
	in := createRequest{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	if err := webos.Validate(&in); err != nil {
		return err
	}
	gr, err := m.record(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	return greetingItem(gr).Render(w)
}
