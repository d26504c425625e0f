package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// ModuleID is the audit module's ID.
const ModuleID = "audit"

// PermRead lets a user read the audit trail: declared once, it guards the
// module's routes.
const PermRead = "audit.read"

// Module keeps the audit trail: it records every [Change] emitted on the
// application's bus — from this instance and, with a shared bus, from the
// others — in the database, and serves it read-only. Make it with [New]
// and list it after the store; it registers its [*Trail].
type Module struct {
	trail *Trail
}

// New returns the audit module.
func New() *Module { return &Module{} }

// ModuleInfo describes the module; its routes live under /audit.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: ModuleID, Name: "Audit trail", Icon: "🧾", Version: "1.0.0",
		Description: "Who changed what, when: every administrative change, chained so that tampering shows.",
		Permission:  PermRead}
}

// Requires the database.
func (m *Module) Requires() []string { return []string{store.ModuleID} }

// Permissions declares the right to read the trail.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermRead, Description: "Read the audit trail"}}
}

// Provision opens the trail and registers it.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	if m.trail, err = NewTrail(ctx, db); err != nil {
		return err
	}
	registry.Register(app.Registry(), m.trail)
	return nil
}

// Trail returns the trail (after Provision).
func (m *Module) Trail() *Trail { return m.trail }

// Subscriptions record every change announced on the bus.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: Topic, Handler: func(ctx context.Context, e bus.Envelope) error {
		return m.trail.Record(ctx, e)
	}}}
}

// Routes: GET /audit/ lists entries, newest first, as JSON pages; the
// query selects by action (a prefix: "auth." for every auth change),
// actor and target, and pages with after/before cursors.
func (m *Module) Routes(r *webos.Router) {
	r.HandleFunc("GET /{$}", m.list)
}

// maxListLimit bounds one page of the list.
const maxListLimit = 200

func (m *Module) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var where []store.Filter
	if a := q.Get("action"); a != "" {
		where = append(where, store.Prefix("action", a))
	}
	for _, k := range []string{"actor", "target"} {
		if v := q.Get(k); v != "" {
			where = append(where, store.Eq(k, v))
		}
	}
	limit := 50
	if s := q.Get("limit"); s != "" {
		if _, err := fmt.Sscan(s, &limit); err != nil || limit < 1 || limit > maxListLimit {
			return fmt.Errorf("%w: limit must be a number from 1 to %d", webos.ErrBadRequest, maxListLimit)
		}
	}
	query := store.Query{Sort: []string{"-seq"}, Limit: limit, After: q.Get("after"), Before: q.Get("before")}
	if len(where) > 0 {
		query.Where = store.And(where...)
	}
	p, err := m.trail.log.Page(r.Context(), query)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, p)
	return nil
}

// Commands adds "audit verify", which checks the stored chain and fails
// when an entry was edited, removed or reordered.
func (m *Module) Commands() []webos.Command {
	return []webos.Command{{Name: "audit verify", Summary: "check that the audit trail is intact",
		Run: func(ctx context.Context, app *webos.App, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("audit verify takes no arguments, got %s", strings.Join(args, " "))
			}
			n, err := m.trail.Verify(ctx)
			if errors.Is(err, ErrBroken) {
				return fmt.Errorf("%w (%d entries before it are intact)", err, n)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(app.Output(), "audit trail intact: %d entries\n", n)
			return err
		}}}
}
