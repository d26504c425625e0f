package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/webos-go/webos/audit"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// ModuleID is the ID of [Module].
const ModuleID = "settings"

// Collection is the collection that holds the settings: one document per
// module, {_id: moduleID, values: {key: value, ...}, version: n}. version
// counts the changes: every [Module.Set] increments it in the same update
// that sets the values, so an instance can tell whether its cache is
// current.
const Collection = "system_settings"

// DefaultResyncInterval is how often, unless [Module.ResyncInterval] says
// otherwise, the module compares the versions of the stored settings with
// its cache and reloads those that changed — the changes whose event it
// missed.
const DefaultResyncInterval = 30 * time.Second

// TopicChanged is the bus topic of a change; its payload is a [Changed].
const TopicChanged = "settings.changed"

// Permissions the HTTP API asks for.
const (
	PermRead  = "settings.read"
	PermWrite = "settings.write"
)

// Errors of the package. They wrap the kernel's kinds.
var (
	// ErrUnknownModule means no module with that ID declares settings.
	ErrUnknownModule = fmt.Errorf("settings: %w: unknown module", webos.ErrNotFound)
	// ErrNotStarted means the settings module has not started (or has
	// stopped).
	ErrNotStarted = fmt.Errorf("settings: %w: module not started", webos.ErrUnavailable)
	// ErrType means [Get] asked for a type other than the module's schema
	// type.
	ErrType = errors.New("settings: wrong settings type")
)

// Provider is a module with settings. Settings is called once, when the
// settings module starts.
type Provider interface {
	Settings() Schema
}

func init() {
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(Provider); ok {
			return "settings"
		}
		return ""
	})
}

// Changed is the payload of a [TopicChanged] event.
type Changed struct {
	// Module is the ID of the module whose settings changed.
	Module string `json:"module"`
	// Keys are the settings set or reset, sorted.
	Keys []string `json:"keys"`
	// User is the ID of the user who changed them, "" for none.
	User string `json:"user,omitempty"`
	// Version is the version of the module's settings document after the
	// change; an instance whose cache holds that version or a newer one
	// has the change already.
	Version int64 `json:"version,omitempty"`
}

// record is the stored document of one module's settings.
type record struct {
	store.Doc `bson:",inline"`
	Values    bson.M `bson:"values"`
	Version   int64  `bson:"version"`
}

// Module is the settings service: it collects the schemas of the modules
// that implement [Provider], keeps their stored values in memory, serves
// them with [Get], changes them with [Module.Set] and answers the HTTP API
// under /settings. It requires the store module.
//
// Its cache follows the changes other instances make through their
// [TopicChanged] events, and — since an event can be lost (an emit that
// failed, a Redis subscription that was reconnecting) — by comparing the
// stored versions with its own every ResyncInterval. The zero value is
// ready to compose.
type Module struct {
	// ResyncInterval is how often the stored versions are compared with
	// the cache; 0 or less means [DefaultResyncInterval]. It bounds how
	// long a missed change can keep an instance stale.
	ResyncInterval time.Duration

	app  *webos.App
	db   *store.DB
	bus  *bus.Bus
	log  *slog.Logger
	coll *store.Collection[record]
	cat  atomic.Pointer[catalog]

	stopResync context.CancelFunc // ends the resync loop; nil when not running
	resyncDone chan struct{}      // closed when the resync loop returns

	switches switches
}

// catalog is what Start collected.
type catalog struct {
	order []*entry
	byID  map[string]*entry
}

// entry is one module's settings.
type entry struct {
	id, name string
	schema   Schema
	io       sync.Mutex                     // serialises writes and reloads
	stored   atomic.Pointer[map[string]any] // valid stored values
	json     atomic.Pointer[[]byte]         // effective values as JSON
	version  atomic.Int64                   // of the stored document the cache holds; 0 for none
	onStore  func(*entry)                   // called after the cache changed; nil for none
}

// setStored caches v, the values of the stored document at version.
func (e *entry) setStored(v map[string]any, version int64) {
	v = e.schema.clean(v)
	b, err := json.Marshal(e.schema.resolve(v))
	if err != nil { // cannot happen: values are in JSON form
		return
	}
	e.stored.Store(&v)
	e.json.Store(&b)
	e.version.Store(version)
	if e.onStore != nil {
		e.onStore(e)
	}
}

var (
	_ webos.Module             = (*Module)(nil)
	_ webos.Provisioner        = (*Module)(nil)
	_ webos.Starter            = (*Module)(nil)
	_ webos.Stopper            = (*Module)(nil)
	_ webos.Dependent          = (*Module)(nil)
	_ webos.Subscriber         = (*Module)(nil)
	_ webos.RouteProvider      = (*Module)(nil)
	_ webos.PermissionProvider = (*Module)(nil)
	_ Provider                 = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Settings",
		Description: "Per-module settings, stored in the database and shared by every instance.",
		Icon:        "⚙️",
		Version:     "1.0.0",
	}
}

// Requires names the store module.
func (m *Module) Requires() []string { return []string{store.ModuleID} }

// Provision keeps the application.
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	m.app, m.db = app, db
	m.bus = app.Bus()
	m.log = app.Logger()
	registry.Register(app.Registry(), m)
	return nil
}

// Permissions declares the API's permissions.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{
		{Name: PermRead, Description: "See every module's settings"},
		{Name: PermWrite, Description: "Change module settings"},
	}
}

// Start collects the schemas of the application's modules, loads the
// stored values and starts comparing their versions with the cache every
// ResyncInterval, until Stop. A module whose schema is unusable fails the
// start, named.
func (m *Module) Start(ctx context.Context) error {
	if m.app == nil {
		return errors.New("settings: module not provisioned")
	}
	m.coll = store.NewCollection[record](m.db, Collection)
	cat := &catalog{byID: map[string]*entry{}}
	for _, st := range m.app.Modules() {
		mod, ok := m.app.Module(st.ID)
		if !ok {
			continue
		}
		p, ok := mod.(Provider)
		if !ok {
			continue
		}
		s := p.Settings()
		if s.Err() != nil {
			return fmt.Errorf("settings: module %q: %w", st.ID, s.Err())
		}
		if s.typ == nil {
			return fmt.Errorf("settings: module %q: empty schema: declare it with settings.Declare", st.ID)
		}
		if s.bind != nil {
			s.bind(m, st.ID)
		}
		e := &entry{id: st.ID, name: st.Name, schema: s}
		if st.ID == ModuleID && mod == webos.Module(m) {
			m.switches.applied = nil
			e.onStore = m.applySwitches
		}
		e.setStored(nil, 0)
		cat.order = append(cat.order, e)
		cat.byID[st.ID] = e
	}
	if len(cat.order) > 0 {
		ids := make([]string, len(cat.order))
		for i, e := range cat.order {
			ids[i] = e.id
		}
		recs, err := m.coll.Find(ctx, store.Query{Where: store.In(store.FieldID, ids...)})
		if err != nil {
			return fmt.Errorf("settings: loading: %w", err)
		}
		for _, r := range recs {
			if e := cat.byID[r.ID]; e != nil {
				e.setStored(plainMap(r.Values), r.Version)
			}
		}
	}
	m.cat.Store(cat)
	if len(cat.order) > 0 {
		m.startResync(cat)
	}
	return nil
}

// Stop ends the resync loop and waits for it.
func (m *Module) Stop(context.Context) error {
	if m.stopResync != nil {
		m.stopResync()
		<-m.resyncDone
		m.stopResync, m.resyncDone = nil, nil
	}
	return nil
}

// startResync starts the loop that compares the stored versions with the
// cache.
func (m *Module) startResync(cat *catalog) {
	every := m.ResyncInterval
	if every <= 0 {
		every = DefaultResyncInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	m.stopResync, m.resyncDone = cancel, done
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		failing := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			err := m.resync(ctx, cat, every)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && !failing:
				m.log.WarnContext(ctx, "settings: comparing versions with the database failed", "err", err)
			case err == nil && failing:
				m.log.InfoContext(ctx, "settings: comparing versions with the database works again")
			}
			failing = err != nil
		}
	}()
}

// resync reloads the settings whose stored version differs from the
// cache's: one query that reads only the versions, then a read of each
// document that changed.
func (m *Module) resync(ctx context.Context, cat *catalog, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	ids := make([]string, len(cat.order))
	for i, e := range cat.order {
		ids[i] = e.id
	}
	recs, err := m.coll.Find(ctx, store.Query{Where: store.In(store.FieldID, ids...), Fields: []string{"version"}})
	if err != nil {
		return fmt.Errorf("settings: reading versions: %w", err)
	}
	stored := make(map[string]int64, len(recs))
	for _, r := range recs {
		stored[r.ID] = r.Version
	}
	var errs []error
	for _, e := range cat.order {
		if stored[e.id] != e.version.Load() {
			errs = append(errs, m.reload(ctx, e))
		}
	}
	return errors.Join(errs...)
}

// Subscriptions keep the cache up to date with changes made by other
// instances.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: TopicChanged, Handler: bus.Typed(m.onChanged)}}
}

func (m *Module) onChanged(ctx context.Context, _ bus.Envelope, c Changed) error {
	e, err := m.entry(c.Module)
	if errors.Is(err, ErrUnknownModule) {
		return nil // a module this instance does not run
	}
	if err != nil {
		return err
	}
	if c.Version > 0 && c.Version <= e.version.Load() {
		return nil // the cache has that change already (this instance made it)
	}
	return m.reload(ctx, e)
}

// reload reads e's document from the store into the cache.
func (m *Module) reload(ctx context.Context, e *entry) error {
	e.io.Lock()
	defer e.io.Unlock()
	r, err := m.coll.Get(ctx, e.id)
	if errors.Is(err, store.ErrNotFound) {
		e.setStored(nil, 0)
		return nil
	}
	if err != nil {
		return fmt.Errorf("settings: reloading %q: %w", e.id, err)
	}
	e.setStored(plainMap(r.Values), r.Version)
	return nil
}

func (m *Module) entry(moduleID string) (*entry, error) {
	cat := m.cat.Load()
	if cat == nil {
		return nil, ErrNotStarted
	}
	e := cat.byID[moduleID]
	if e == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownModule, moduleID)
	}
	return e, nil
}

// get returns the settings of the module moduleID as a T — its defaults
// overlaid with the stored values, locked fields at their defaults. T must
// be the type the module's schema was built from.
func get[T any](_ context.Context, m *Module, moduleID string) (T, error) {
	var v T
	e, err := m.entry(moduleID)
	if err != nil {
		return v, err
	}
	if t := reflect.TypeFor[T](); t != e.schema.typ {
		return v, fmt.Errorf("%w: module %q has settings of type %s, not %s", ErrType, moduleID, e.schema.typ, t)
	}
	if err := json.Unmarshal(*e.json.Load(), &v); err != nil {
		return v, fmt.Errorf("settings: decoding %q: %w", moduleID, err)
	}
	return v, nil
}

// Values returns the effective settings of a module in JSON form.
func (m *Module) Values(moduleID string) (map[string]any, error) {
	e, err := m.entry(moduleID)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(*e.json.Load(), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Schema returns the schema a module declared.
func (m *Module) Schema(moduleID string) (Schema, error) {
	e, err := m.entry(moduleID)
	if err != nil {
		return Schema{}, err
	}
	return e.schema, nil
}

// Set changes some of a module's settings. patch maps keys to new values
// in JSON form (a string, a number, a boolean, a list or an object; a
// duration also as a string such as "1m30s"); null resets a key to its
// default. An unknown key, a locked key, a value of the wrong type or one
// that fails the schema's validation is a *webos.ValidationError naming
// each bad key, and nothing changes. Otherwise the values are stored,
// cached, and announced on the bus as [TopicChanged] with the acting user
// from ctx and the document's new version, so that every instance updates
// its cache; an instance that misses the event catches up within its
// ResyncInterval.
func (m *Module) Set(ctx context.Context, moduleID string, patch map[string]any) error {
	e, err := m.entry(moduleID)
	if err != nil {
		return err
	}
	if e.id == ModuleID {
		if err := m.checkSwitches(patch); err != nil {
			return err
		}
	}
	e.io.Lock()
	before := *e.stored.Load()
	set, unset, err := e.schema.apply(before, patch)
	if err != nil {
		e.io.Unlock()
		return err
	}
	stored, version, err := m.persist(ctx, e.id, set, unset)
	if err != nil {
		e.io.Unlock()
		return err
	}
	e.setStored(stored, version)
	e.io.Unlock()

	keys := make([]string, 0, len(set)+len(unset))
	for k := range set {
		keys = append(keys, k)
	}
	keys = append(keys, unset...)
	slices.Sort(keys)
	c := Changed{Module: e.id, Keys: keys, User: identity.ID(ctx), Version: version}
	if err := m.bus.Emit(ctx, TopicChanged, c); err != nil {
		m.log.WarnContext(ctx, "settings: change not announced", "module", e.id, "err", err)
	}
	was, is := map[string]any{}, map[string]any{}
	for _, k := range keys {
		if v, ok := before[k]; ok {
			was[k] = v
		}
		if v, ok := stored[k]; ok {
			is[k] = v
		}
	}
	if err := audit.Emit(ctx, m.bus, audit.Change{Action: ActionSet, Target: "settings:" + e.id, Before: was, After: is}); err != nil {
		m.log.WarnContext(ctx, "announcing a change for the audit trail failed", "module", e.id, "err", err)
	}
	return nil
}

// ActionSet is the audit action of a settings change (see package audit):
// its target is "settings:<module>", its before and after the changed
// keys' stored values (a key absent from one is at its default there).
const ActionSet = "settings.set"

// persist writes the change, incrementing the document's version in the
// same update, and returns the stored values and the version after it.
func (m *Module) persist(ctx context.Context, id string, set map[string]any, unset []string) (map[string]any, int64, error) {
	ups := make([]store.Update, 0, len(set)+len(unset)+1)
	for _, k := range slices.Sorted(maps.Keys(set)) {
		ups = append(ups, store.Set("values."+k, set[k]))
	}
	for _, k := range unset {
		ups = append(ups, store.Unset("values."+k))
	}
	ups = append(ups, store.Inc("version", int64(1)))
	for range 2 {
		r, err := m.coll.Update(ctx, id, ups...)
		if err == nil {
			return plainMap(r.Values), r.Version, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, 0, fmt.Errorf("settings: saving %q: %w", id, err)
		}
		if len(set) == 0 {
			return map[string]any{}, 0, nil // nothing stored, nothing to reset
		}
		vals := bson.M{}
		for k, v := range set {
			vals[k] = v
		}
		err = m.coll.Insert(ctx, &record{Doc: store.Doc{ID: id}, Values: vals, Version: 1})
		if err == nil {
			return plainMap(vals), 1, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return nil, 0, fmt.Errorf("settings: saving %q: %w", id, err)
		}
		// Another instance created the document in between: update it.
	}
	return nil, 0, fmt.Errorf("settings: saving %q: %w", id, webos.ErrConflict)
}

// plainMap turns a decoded document into plain maps and slices.
func plainMap(m bson.M) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = normalize(v)
	}
	return out
}

// normalize turns BSON containers into map[string]any and []any and
// widens int32 to int64.
func normalize(v any) any {
	switch x := v.(type) {
	case bson.D:
		out := make(map[string]any, len(x))
		for _, e := range x {
			out[e.Key] = normalize(e.Value)
		}
		return out
	case bson.M:
		return plainMap(x)
	case map[string]any:
		return plainMap(x)
	case bson.A:
		return normalizeSlice(x)
	case []any:
		return normalizeSlice(x)
	case int32:
		return int64(x)
	}
	return v
}

func normalizeSlice(s []any) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = normalize(v)
	}
	return out
}
