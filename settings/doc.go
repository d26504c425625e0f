// Package settings gives every module persistent, typed settings that an
// administrator can change at run time.
//
// # Mental model
//
// A module declares its settings as a Go struct with defaults and returns
// its [Schema] from a Settings method (the [Provider] capability). Each
// exported field is one setting: its key is the `json` name, its rules the
// `validate` tags, its description for the admin console the `desc` tag.
// Values that come from the environment or configuration are locked — with
// a `settings:"locked"` tag, [Schema.Lock] or [Schema.Override] — and are
// never overwritten by a stored value or a change.
//
// [Module] collects the schemas when it starts, loads the stored values
// from the system_settings collection (one document per module:
// {_id: moduleID, values: {...}}) and keeps them in memory. [Get] returns a
// module's settings as its struct: defaults overlaid with stored values.
// [Module.Set] validates a patch against the schema (unknown keys, locked
// keys, wrong types and failed rules are a *webos.ValidationError naming
// each key), stores it, updates the cache and emits settings.changed with
// the module, the keys, the acting user and the document's new version.
// Every instance reloads the module's document when it sees that event
// with a version newer than its cache, so with a bus transport shared
// between instances (Redis) a change reaches all of them at once. Events
// can be lost — an emit that failed, a Redis subscription that was
// reconnecting — so each document also carries a version, incremented in
// the same update that changes its values, and every
// [Module.ResyncInterval] (30 s by default) each instance compares the
// stored versions with its cache in one query and reloads what changed: a
// missed change arrives within that interval.
//
// The settings module has settings of its own, [Switches]: the modules
// switched off in the whole application. A switch travels like any other
// change, so a module switched off on one instance is off on every
// instance, and stays off across restarts: its routes answer 404 and the
// shell hides it (PATCH /settings/settings {"disabled_modules": ["notes"]}).
//
// The HTTP API lives under /settings: GET /settings/ lists every module's
// settings with types, defaults, current values, descriptions and locked
// flags; GET /settings/{module} shows one; PATCH /settings/{module} takes a
// JSON object of changes. Reads need settings.read and changes
// settings.write, checked by the application's authorizer; without one the
// API refuses every request.
//
// # Usage
//
//	type BlogSettings struct {
//		Title    string `json:"title" validate:"required,max=80" desc:"Shown in the header"`
//		PageSize int    `json:"page_size" validate:"min=1,max=100" desc:"Posts per page"`
//	}
//
//	b.settings = settings.Declare(BlogSettings{Title: "Blog", PageSize: 20}) // in New
//
//	func (b *Blog) Settings() settings.Schema {
//		s := b.settings.Schema()
//		if b.cfg.Title != "" { // WEBOS_BLOG_TITLE wins and cannot be changed
//			s = s.Override(map[string]any{"title": b.cfg.Title})
//		}
//		return s
//	}
//
//	// composition: &store.Module{...}, &settings.Module{}, blog
//	title := b.settings.Get(ctx).Title // the defaults without a settings module
//	err = sm.Set(ctx, "blog", map[string]any{"page_size": 50})
package settings
