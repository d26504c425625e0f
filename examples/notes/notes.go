package notes

import (
	"context"
	"net/http"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// Note is one user's note. The store keeps it private to its author.
type Note struct {
	store.Doc `bson:",inline"`
	Title     string `bson:"title" json:"title" validate:"required,max=200" explorer:"label=Title,sort,filter,edit,width=320"`
}

// Settings are what an administrator may change at run time.
type Settings struct {
	PageSize int `json:"page_size" validate:"min=1,max=100" desc:"Notes on the page"`
}

// PermUse lets a user keep notes: declared once, inherited by the routes,
// the card, the menu entry, the widget and the palette command.
const PermUse = "notes.use"

// TopicCreated is emitted with the new [Note] for every note.
const TopicCreated = "notes.created"

// Module is the notes module. Make it with [New].
type Module struct {
	notes    *store.Owned[Note]
	settings *settings.Handle[Settings]
	shell    *ui.Module
	app      *webos.App
	grid     *explorer.Grid[Note]
	prefix   string // where the routes are mounted, "/notes"
	counts   counts // each user's number of notes, for the dashboard
}

// New returns the notes module.
func New() *Module { return &Module{settings: settings.Declare(Settings{PageSize: 20})} }

// ModuleInfo describes the module; its routes live under /notes.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "notes", Name: "Notes", Description: "Write things down; only you see them.",
		Icon: "📝", Version: "1.0.0", Permission: PermUse}
}

// Requires the database and the shell, which are in the registry then.
func (m *Module) Requires() []string { return []string{store.ModuleID, ui.ModuleID} }

// Permissions lists the module's permission for the admin console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermUse, Description: "Keep one's own notes"}}
}

// Settings declares the module's settings.
func (m *Module) Settings() settings.Schema { return m.settings.Schema() }

// Provision makes the owner-scoped collection and finds the shell.
func (m *Module) Provision(ctx context.Context, app *webos.App) (err error) {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](app.Registry()); err != nil {
		return err
	}
	m.app = app
	m.notes = store.NewOwned[Note](db, "notes", store.Index{Keys: []string{"created_by", "-created_at"}},
		store.Index{Keys: []string{"created_by", "title"}}, store.Index{Keys: []string{"created_by", "updated_at"}})
	if err := m.notes.EnsureIndexes(ctx); err != nil {
		return err
	}
	// The grid of the user's notes at /notes/grid/: sortable, filterable,
	// editable inline, owner-scoped like the collection.
	src, err := explorer.NewOwned(m.notes)
	if err != nil {
		return err
	}
	m.grid, err = explorer.New(src, explorer.Config{Name: "notes", Title: "All notes", Access: app, Key: explorer.KeyFrom(app.Config()),
		Sort: []string{"-created_at"}, Deletable: true, Bus: app.Bus(), Prefs: db, Logger: app.Logger()})
	return err
}

// Routes: GET /notes/ the page, GET /notes/list the newest as JSON (a
// page: ?after=cursor), POST /notes/ a new note from JSON or the form.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	r.HandleFunc("GET /{$}", m.page)
	r.HandleFunc("GET /list", m.list, webos.Describe(webos.Operation{
		Summary: "The newest notes, a page at a time", Response: store.Page[Note]{}}))
	r.HandleFunc("POST /{$}", m.create, webos.Describe(webos.Operation{
		Summary: "Add a note", Request: Note{}, Response: Note{}, Status: http.StatusCreated}))
	m.grid.Mount(r, "/grid", m.shell)
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) error {
	var n Note
	if err := webos.Decode(r, &n); err != nil {
		return err // 422: JSON for API clients, the messages in the form for htmx
	}
	if err := m.notes.Insert(r.Context(), &n); err != nil {
		return err
	}
	_ = m.app.Bus().Emit(r.Context(), TopicCreated, n)
	if ui.IsHTMX(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		ui.SetSecurityHeaders(w.Header())
		w.WriteHeader(http.StatusCreated)
		return item(n).Render(w)
	}
	webos.WriteJSON(w, http.StatusCreated, n)
	return nil
}

func (m *Module) newest(r *http.Request) (*store.Page[Note], error) {
	return m.notes.Page(r.Context(), store.Query{Sort: []string{"-created_at"},
		Limit: m.settings.Get(r.Context()).PageSize, After: r.URL.Query().Get("after")})
}

func (m *Module) list(w http.ResponseWriter, r *http.Request) error {
	p, err := m.newest(r)
	if err == nil {
		webos.WriteJSON(w, http.StatusOK, p)
	}
	return err
}

func (m *Module) page(w http.ResponseWriter, r *http.Request) error {
	p, err := m.newest(r)
	if err != nil {
		return err
	}
	return m.shell.Render(w, r, ui.Page{Title: "Notes", Content: ui.Card("Notes",
		h.Form(h.ID("note-form"), h.Class("form-inline"), ui.HX("post", m.prefix+"/"), ui.HX("target", "#notes"),
			ui.HX("swap", "afterbegin"), ui.ResetOnSuccess(),
			h.Label(h.For("note-title"), g.Text("Title")), h.Input(h.ID("note-title"), h.Name("title")),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Add")), ui.FormErrors("note-form")),
		h.Ul(h.ID("notes"), g.Map(p.Items, item)),
		h.P(h.A(h.Href(m.prefix+"/grid/"), g.Text("All notes in a grid"))))})
}

func item(n Note) g.Node { return h.Li(g.Attr("data-note", n.ID), g.Text(n.Title)) }

// LaunchpadApps puts Notes on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/", Order: 5}} }

// PaletteCommands adds "New note".
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{{Title: "New note", Icon: "📝", Keywords: "write add", Href: "/#note-form"}}
}

// SlotWidgets shows how many notes the user keeps on the dashboard.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "notes-count", Slot: ui.SlotDashboard, Render: func(ctx context.Context) g.Node {
		n, _ := m.counts.get(ctx, func(ctx context.Context) (int64, error) { return m.notes.Count(ctx, store.Filter{}) })
		return ui.Card("Notes", h.P(g.Textf("You keep %d notes.", n)))
	}}}
}
