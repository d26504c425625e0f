// Package stack composes the standard modules of a WebOS application from
// its configuration: the database (MongoDB, or the embedded SQLite store),
// the Redis bus when configured, auth, the shell, settings, files, the
// audit trail and tasks — the wiring every application otherwise repeats. It stays
// explicit: [Standard] returns the modules as named fields, an
// application's main adds its own and hands them to webos.New:
//
//	cfg, err := webos.LoadConfig()
//	std, err := stack.Standard(cfg)
//	app := webos.New(cfg, append(std.List(), notes.New())...)
//	webos.Main(app)
//
// With no WEBOS_MONGO_URL and no WEBOS_REDIS_URL every service is embedded
// and keeps its data in WEBOS_DATA_DIR, so the application runs with
// nothing installed. Replace a field before List to change a module, e.g.
// std.Shell = ui.New(ui.Config{Brand: "Acme"}).
package stack
