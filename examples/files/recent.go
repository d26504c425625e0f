package files

import (
	"context"
	"sync"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/ui"
)

// How many of a user's transfers the shell's sidebar follows, and for
// how long after they started.
const (
	recentMax = 3
	recentFor = 30 * time.Minute
)

// recentTransfers remembers each user's latest transfers in this
// process, for the sidebar widget that shows their progress on every
// page of the shell.
type recentTransfers struct {
	mu     sync.Mutex
	byUser map[string][]recentTransfer
}

type recentTransfer struct {
	id, title string
	at        time.Time
}

func (r *recentTransfers) add(user, id, title string) {
	if user == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byUser == nil {
		r.byUser = map[string][]recentTransfer{}
	}
	list := append([]recentTransfer{{id: id, title: title, at: time.Now()}}, r.byUser[user]...)
	r.byUser[user] = list[:min(len(list), recentMax)]
}

func (r *recentTransfers) of(user string) []recentTransfer {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recentTransfer
	for _, t := range r.byUser[user] {
		if time.Since(t.at) < recentFor {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		delete(r.byUser, user)
	}
	return out
}

// SlotWidgets shows the user's latest copies and moves in the shell's
// sidebar, each with its live progress, on every page.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "files-transfers", Slot: ui.SlotSidebar, Priority: 5, Render: func(ctx context.Context) g.Node {
		list := m.recent.of(identity.ID(ctx))
		if len(list) == 0 {
			return nil
		}
		return h.Div(h.Class("fc-side-transfers"),
			h.H3(h.Class("fc-side-title"), g.Text("Transfers")),
			g.Map(list, func(t recentTransfer) g.Node {
				return h.Div(h.Class("fc-side-transfer"), g.Attr("data-task", t.id),
					h.Span(h.Class("fc-side-name"), g.Text(t.title)),
					ui.ProgressBar(ui.TaskEventsURL(t.id), t.title))
			}))
	}}}
}
