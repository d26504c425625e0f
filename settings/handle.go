package settings

import (
	"context"
	"sync/atomic"
)

// Handle is a module's typed settings: declared once with their defaults
// ([Declare]), announced to the settings module through [Handle.Schema],
// and read with [Handle.Get] — no module ID, no type parameter, no
// fall-back code at the call site. Keep it in the module value.
type Handle[T any] struct {
	schema   Schema
	defaults T
	bound    atomic.Pointer[binding]
}

type binding struct {
	m  *Module
	id string
}

// Declare returns the settings of type T with the given defaults. T must
// be a struct; each exported field is a setting:
//
//	type Settings struct {
//		Title    string `json:"title" validate:"required,max=80" desc:"Shown in the header"`
//		PageSize int    `json:"page_size" validate:"min=1,max=100" desc:"Posts per page"`
//		Upload   string `json:"upload_dir" settings:"locked" desc:"Set by WEBOS_BLOG_UPLOAD_DIR"`
//	}
//
//	m.settings = settings.Declare(Settings{Title: "Blog", PageSize: 20})
//	func (m *Blog) Settings() settings.Schema { return m.settings.Schema() }
//	title := m.settings.Get(ctx).Title
//
// The key is the `json` name (fields tagged json:"-" are left out), values
// are checked with the `validate` tags ([webos.Validate]), `desc` describes
// the field, and `settings:"locked"` marks a field whose value comes from
// the environment or configuration: it keeps its default and is never
// changed by [Module.Set]. A T that is not a struct, a key with "." or a
// leading "$", an embedded field or defaults that fail their own
// validation make a schema whose [Schema.Err] says so; [Module.Start]
// reports it, naming the module.
func Declare[T any](defaults T) *Handle[T] {
	h := &Handle[T]{defaults: defaults}
	h.schema = schemaFor(defaults)
	h.schema.bind = func(m *Module, id string) { h.bound.Store(&binding{m: m, id: id}) }
	return h
}

// Schema returns the settings' schema, for the module's [Provider]
// method; change it with [Schema.Lock] or [Schema.Override] as the
// module's configuration requires.
func (h *Handle[T]) Schema() Schema { return h.schema }

// Get returns the current settings: the defaults overlaid with the values
// stored through the settings module, which keeps them in memory, so call
// it as often as needed. Without a settings module in the application, it
// returns the defaults.
func (h *Handle[T]) Get(ctx context.Context) T {
	b := h.bound.Load()
	if b == nil {
		return h.defaults
	}
	v, err := get[T](ctx, b.m, b.id)
	if err != nil {
		if b.m.log != nil {
			b.m.log.WarnContext(ctx, "settings: reading failed; using the defaults", "module", b.id, "err", err)
		}
		return h.defaults
	}
	return v
}
