package admin_test

import (
	"context"
	"fmt"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/admin"
)

// queue is a module that adds a panel to the console's dashboard.
type queue struct{}

func (queue) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "queue", Name: "Queue"} }

// AdminPanels shows the queue's depth to administrators.
func (queue) AdminPanels() []admin.Panel {
	return []admin.Panel{{Title: "Queue depth", Order: 20, Render: func(context.Context) (g.Node, error) {
		return h.P(g.Text("3 waiting")), nil
	}}}
}

// A module contributes a dashboard panel by implementing PanelProvider.
func ExamplePanelProvider() {
	var m webos.Module = queue{}
	if pp, ok := m.(admin.PanelProvider); ok {
		for _, p := range pp.AdminPanels() {
			fmt.Println(p.Title, p.Order)
		}
	}
	// Output: Queue depth 20
}
