package hello

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// TopicGreeted is emitted with a [Greeted] payload for every new greeting.
const TopicGreeted = "hello.greeted"

// Greeting is a stored greeting.
type Greeting struct {
	store.Doc `bson:",inline"`
	Name      string `bson:"name" json:"name"`
	Message   string `bson:"message" json:"message"`
}

// Settings are the hello module's settings, changed by an administrator
// through the settings module (PATCH /settings/hello).
type Settings struct {
	// Salutation starts every greeting.
	Salutation string `json:"salutation" validate:"required,max=40" desc:"The word every greeting starts with"`
}

// Greeted is the payload of [TopicGreeted].
type Greeted struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Module is the hello module.
type Module struct {
	settings  *settings.Handle[Settings]
	bus       *bus.Bus
	log       *slog.Logger
	greetings atomic.Pointer[store.Collection[Greeting]]
	heard     atomic.Int64
}

// New returns the hello module. It stores its greetings in the
// application's database (the store module) and takes its [Settings] from
// the settings module when one is composed.
func New() *Module {
	return &Module{settings: settings.Declare(Settings{Salutation: "Hello"})}
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          "hello",
		Name:        "Hello",
		Description: "Says hello and remembers who it greeted.",
		Icon:        "message",
		Version:     "1.0.0",
	}
}

// Requires the store module, where greetings live.
func (m *Module) Requires() []string { return []string{store.ModuleID} }

// Provision keeps the application's bus and logger and makes the
// collection of greetings in the application's database.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	m.bus = app.Bus()
	m.log = app.Logger().With("module", "hello")
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	c := store.NewCollection[Greeting](db, "hello_greetings", store.Index{Keys: []string{"-created_at"}})
	if err := c.EnsureIndexes(ctx); err != nil {
		return err
	}
	m.greetings.Store(c)
	return nil
}

// Subscriptions listens to the module's own event.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: TopicGreeted, Handler: m.onGreeted}}
}

func (m *Module) onGreeted(ctx context.Context, e bus.Envelope) error {
	g, err := bus.PayloadAs[Greeted](e)
	if err != nil {
		return err
	}
	m.heard.Add(1)
	m.log.InfoContext(ctx, "greeted", "name", g.Name, "id", g.ID)
	return nil
}

// Settings declares the module's settings and their defaults.
func (m *Module) Settings() settings.Schema { return m.settings.Schema() }

func (m *Module) salutation(ctx context.Context) string { return m.settings.Get(ctx).Salutation }

// Heard returns how many greeting events the listener has handled.
func (m *Module) Heard() int64 { return m.heard.Load() }

// Routes mounts the module's HTTP API under /hello.
func (m *Module) Routes(r *webos.Router) {
	r.HandleFunc("GET /", m.index)
	r.HandleFunc("GET /hi", m.hi)
	r.HandleFunc("POST /greetings", m.create)
	r.HandleFunc("GET /greetings", m.list)
}

func (m *Module) index(w http.ResponseWriter, r *http.Request) error {
	n, err := m.greetings.Load().Count(r.Context(), store.Filter{})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{
		"message":   "Hello from WebOS!",
		"greetings": n,
		"heard":     m.heard.Load(),
	})
	return nil
}

// hi is the smallest route: a fixed greeting, no I/O. The load run
// (scripts/load.sh) measures the framework's cost with it.
func (m *Module) hi(w http.ResponseWriter, _ *http.Request) error {
	webos.WriteJSON(w, http.StatusOK, map[string]string{"message": "Hello from WebOS!"})
	return nil
}

type createRequest struct {
	Name string `json:"name" validate:"required,max=100"`
}

// create records a greeting, from JSON or from the shell's form: an API
// client gets the stored greeting as JSON, the form (an htmx request) the
// new item of the list as an HTML fragment. Invalid input is 422, as JSON
// or as the form's error messages.
func (m *Module) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
		return webos.Invalid("name", "is required")
	}
	g, err := m.record(r.Context(), in)
	if err != nil {
		return err
	}
	if ui.IsHTMX(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		ui.SetSecurityHeaders(w.Header())
		w.WriteHeader(http.StatusCreated)
		return greetingItem(g).Render(w)
	}
	webos.WriteJSON(w, http.StatusCreated, g)
	return nil
}

// record stores and announces a validated greeting.
func (m *Module) record(ctx context.Context, in createRequest) (*Greeting, error) {
	g := &Greeting{Name: in.Name, Message: fmt.Sprintf("%s, %s!", m.salutation(ctx), in.Name)}
	if err := m.greetings.Load().Insert(ctx, g); err != nil {
		return nil, err
	}
	if err := m.bus.Emit(ctx, TopicGreeted, Greeted{ID: g.ID, Name: g.Name}); err != nil {
		m.log.WarnContext(ctx, "emit failed", "err", err)
	}
	return g, nil
}

func (m *Module) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 20
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return webos.Invalid("limit", "must be a number from 1 to 100")
		}
		limit = n
	}
	page, err := m.greetings.Load().Page(r.Context(), store.Query{
		Sort: []string{"-created_at"}, Limit: limit, After: q.Get("after"), Before: q.Get("before"),
	})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, page)
	return nil
}
