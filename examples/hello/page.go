package hello

import (
	"context"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

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
		h.Form(h.ID("hello-form"), h.Class("form-inline"), ui.HX("post", "/hello/greetings"), ui.HX("target", "#hello-greetings"), ui.HX("swap", "afterbegin"),
			ui.ResetOnSuccess(),
			h.Label(h.For("hello-name"), g.Text("Name")),
			h.Input(h.ID("hello-name"), h.Name("name"), h.MaxLength("100"), h.Placeholder("Ada")),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Greet")),
			ui.FormErrors("hello-form"),
		),
		h.Ul(h.ID("hello-greetings"), h.Class("hello-greetings"), g.Attr("aria-live", "polite"), g.Group(items)),
	)
}

func greetingItem(gr *Greeting) g.Node {
	return h.Li(g.Attr("data-greeting", gr.ID), g.Text(gr.Message))
}
