package files

import (
	"context"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// TransfersCollection is the owner-scoped collection of the users'
// recent copies and moves, which the shell's sidebar follows.
const TransfersCollection = "files_transfers"

// How many of a user's transfers the shell's sidebar follows, and for
// how long after they started.
const (
	recentMax = 3
	recentFor = 30 * time.Minute
)

// recentTransfer is one of a user's copies or moves: the task that runs
// it and what it does. The records live in the application's store, so
// every instance shows the same list and a restart loses none; each user
// sees only their own (the collection is owner-scoped), and records older
// than recentFor are dropped whenever a new one comes.
type recentTransfer struct {
	store.Doc `bson:",inline"`
	// Task is the id of the transfer's task.
	Task string `bson:"task" json:"task"`
	// Title says what the transfer does, "Move report.pdf → fs://s3/backup".
	Title string `bson:"title" json:"title"`
}

// newRecent makes the collection of recent transfers on db.
func newRecent(db *store.DB) *store.Owned[recentTransfer] {
	return store.NewOwned[recentTransfer](db, TransfersCollection,
		store.Index{Keys: []string{"created_by", "-created_at"}}, store.Index{Keys: []string{"created_at"}})
}

// remember records the transfer task id of the user in ctx and drops
// the records, anyone's, that the sidebar no longer shows, so that the
// collection holds only the transfers of the last recentFor. Without a
// user it records nothing.
func (m *Module) remember(ctx context.Context, id, title string) error {
	if identity.ID(ctx) == "" {
		return nil
	}
	if err := m.recent.Insert(ctx, &recentTransfer{Task: id, Title: title}); err != nil {
		return err
	}
	_, err := m.recent.Unscoped().DeleteWhere(ctx, store.Lt("created_at", time.Now().Add(-recentFor)))
	return err
}

// recentOf returns the latest transfers of the user in ctx, newest first.
func (m *Module) recentOf(ctx context.Context) ([]recentTransfer, error) {
	if identity.ID(ctx) == "" {
		return nil, nil
	}
	return m.recent.Find(ctx, store.Query{
		Where: store.Gt("created_at", time.Now().Add(-recentFor)),
		Sort:  []string{"-created_at"},
		Limit: recentMax,
	})
}

// SlotWidgets shows the user's latest copies and moves in the shell's
// sidebar, each with its live progress, on every page of every instance.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "files-transfers", Slot: ui.SlotSidebar, Priority: 5, Render: func(ctx context.Context) g.Node {
		list, err := m.recentOf(ctx)
		if err != nil {
			m.log.WarnContext(ctx, "listing recent transfers failed", "err", err)
			return nil
		}
		if len(list) == 0 {
			return nil
		}
		return h.Div(h.Class("fc-side-transfers"),
			h.H3(h.Class("fc-side-title"), g.Text("Transfers")),
			g.Map(list, func(t recentTransfer) g.Node {
				return h.Div(h.Class("fc-side-transfer"), g.Attr("data-task", t.Task),
					h.Span(h.Class("fc-side-name"), g.Text(t.Title)),
					ui.ProgressBar(ui.TaskEventsURL(t.Task), t.Title))
			}))
	}}}
}
