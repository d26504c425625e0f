package main

import (
	"slices"
	"strings"

	"github.com/webos-go/webos"
)

// Body limits of the routes, as the modules set them.
const (
	smallLimit   = 16 << 10 // auth's and the shell's form endpoints
	defaultLimit = -2       // the kernel's MaxBodyBytes
	noLimit      = -1       // uploads that enforce their own (afs: 1 GiB)
	filesLimit   = 64 << 10 // the file commander's JSON endpoints
)

// route is one registered route of the demo. The list follows each
// module's Routes method (see the comment beside each group) and adds
// what the server's own listing (App.Routes) does not know: a plausible
// body, the body limit, whether the route is a page or ends a session.
// checkList and run keep the two in step: every route the server mounts
// must be listed, and every listed route must be routed.
type route struct {
	method string // "" serves every method
	path   string // with {name} and {name...} for the path parameters
	limit  int64  // smallLimit, defaultLimit or noLimit
	page   bool   // a shell page: HTML is the answer for a browser
	stream bool   // Server-Sent Events: only the headers are read
	logout bool   // ends the credential it is called with
	// config is the configuration view, which shows an administrator the
	// configuration (secrets masked): its 200 answers to an administrator
	// are not checked for internals.
	config bool
	// json is a plausible body (nil: the route reads none); form is the
	// same as a form, when the route reads forms.
	json      map[string]any
	form      string // an urlencoded form
	raw       string // a raw body (a file's bytes)
	multipart bool   // a multipart/form-data upload
}

func (rt *route) String() string { return rt.methodOr("*") + " " + rt.path }

func (rt *route) methodOr(def string) string {
	if rt.method == "" {
		return def
	}
	return rt.method
}

// hasBody reports whether the route reads a request body.
func (rt *route) hasBody() bool {
	return rt.json != nil || rt.form != "" || rt.raw != "" || rt.multipart
}

// params lists the names of the route's path parameters.
func (rt *route) params() []string {
	var out []string
	for _, seg := range strings.Split(rt.path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return out
}

// fill returns the route's path with each parameter set to its value in
// vals (already escaped), or to its default.
func (rt *route) fill(defaults, vals map[string]string) string {
	segs := strings.Split(rt.path, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name := strings.TrimSuffix(strings.Trim(seg, "{}"), "...")
		v, ok := vals[name]
		if !ok {
			v = defaults[name]
		}
		segs[i] = v
	}
	return strings.Join(segs, "/")
}

type obj = map[string]any

// routes returns the demo's routes. The ordinary user's id and a task id
// are filled in as path defaults by the caller.
func routes() []*route {
	return []*route{
		// The kernel (app.go buildRoutes, middleware.go dispatch).
		{method: "GET", path: "/health"},
		{method: "", path: "/health/details"},

		// auth (auth/handlers.go Routes), under /auth.
		{method: "POST", path: "/auth/register", limit: smallLimit, json: obj{"email": "new@sweep.test", "password": "a long enough password", "display_name": "New"}},
		{method: "POST", path: "/auth/login", limit: smallLimit, json: obj{"email": "nobody@sweep.test", "password": "wrong password", "token": true}},
		{method: "POST", path: "/auth/logout", limit: smallLimit, logout: true, json: obj{}},
		{method: "GET", path: "/auth/me"},
		{method: "POST", path: "/auth/password", limit: smallLimit, json: obj{"current_password": "not the password", "new_password": "another long password"}},
		{method: "GET", path: "/auth/tokens"},
		{method: "POST", path: "/auth/tokens", limit: smallLimit, json: obj{"name": "sweep", "expires_in": 3600}},
		{method: "DELETE", path: "/auth/tokens/{token}"},
		{method: "GET", path: "/auth/users"},
		{method: "GET", path: "/auth/users/{user}"},
		{method: "POST", path: "/auth/users", limit: smallLimit, json: obj{"email": "made@sweep.test", "password": "a long enough password", "display_name": "Made", "roles": []any{"user"}}},
		{method: "PATCH", path: "/auth/users/{user}", limit: smallLimit, json: obj{"display_name": "Sweep user"}},
		{method: "GET", path: "/auth/roles"},
		{method: "PUT", path: "/auth/roles/{role}", limit: smallLimit, json: obj{"description": "made by the sweep", "permissions": []any{"notes.use"}}},
		{method: "DELETE", path: "/auth/roles/{role}"},
		{method: "GET", path: "/auth/permissions"},

		// ui (ui/module.go Routes), at the root.
		{method: "GET", path: "/ui/static/{asset}"},
		{method: "GET", path: "/", page: true},
		{method: "GET", path: "/apps/{app}", page: true},
		{method: "GET", path: "/login", page: true},
		{method: "GET", path: "/logout", page: true},
		{method: "POST", path: "/login", limit: smallLimit, page: true, form: "email=nobody%40sweep.test&password=wrong+password"},
		{method: "POST", path: "/logout", limit: smallLimit, page: true, logout: true, form: "x=1"},
		{method: "POST", path: "/ui/theme", limit: smallLimit, form: "theme=dark"},
		{method: "GET", path: "/ui/logs", page: true},
		{method: "GET", path: "/ui/logs/events", stream: true},
		{method: "GET", path: "/ui/search", stream: true},
		{method: "GET", path: "/ui/search/recent"},
		{method: "POST", path: "/ui/search/recent", limit: smallLimit, form: "id=cmd%3A%2F&title=Launchpad&href=%2F&hint=Page&icon=grid"},

		// settings (settings/http.go Routes), under /settings.
		{method: "GET", path: "/settings"},
		{method: "GET", path: "/settings/{module}"},
		{method: "PATCH", path: "/settings/{module}", limit: defaultLimit, json: obj{"salutation": "Hi"}},

		// afs (afs/http.go routes), under /api/fs.
		{method: "GET", path: "/api/fs/list/{source}"},
		{method: "GET", path: "/api/fs/list/{source}/{dir...}"},
		{method: "GET", path: "/api/fs/files/{source}/{file...}"},
		{method: "PUT", path: "/api/fs/files/{source}/{file...}", limit: noLimit, raw: "raw file body"},
		{method: "POST", path: "/api/fs/files/{source}", limit: noLimit, multipart: true},
		{method: "POST", path: "/api/fs/files/{source}/{dir...}", limit: noLimit, multipart: true},
		{method: "DELETE", path: "/api/fs/files/{source}/{file...}"},
		{method: "POST", path: "/api/fs/mkdir/{source}/{dir...}"},
		{method: "POST", path: "/api/fs/move", limit: defaultLimit, json: obj{"from": "fs://local/sweep/a.txt", "to": "fs://local/sweep/b.txt", "overwrite": true}},
		{method: "POST", path: "/api/fs/copy", limit: defaultLimit, json: obj{"from": "fs://local/sweep/b.txt", "to": "fs://local/sweep/a.txt", "overwrite": true}},

		// tasks (tasks/http.go Routes), under /tasks.
		{method: "POST", path: "/tasks/{type}", limit: defaultLimit, json: obj{"title": "Sweep", "steps": 1}},
		{method: "GET", path: "/tasks/{task}"},
		{method: "GET", path: "/tasks/{task}/events", stream: true},
		{method: "DELETE", path: "/tasks/{task}"},
		{method: "GET", path: "/tasks/admin/queues"},
		{method: "GET", path: "/tasks/admin/queues/{queue}/{state}"},

		// tasks/monitor (tasks/monitor/monitor.go Routes): asynqmon's UI and
		// API under /tasks/admin/monitor, every method.
		{method: "", path: "/tasks/admin/monitor/{rest...}", page: true},
		{method: "GET", path: "/tasks/admin/monitor/api/queues"},
		{method: "GET", path: "/tasks/admin/monitor/api/queues/{queue}"},
		{method: "GET", path: "/tasks/admin/monitor/api/queues/{queue}/pending_tasks"},
		{method: "GET", path: "/tasks/admin/monitor/api/servers"},
		{method: "GET", path: "/tasks/admin/monitor/api/redis_info"},

		// examples/hello (hello.go Routes), under /hello.
		{method: "GET", path: "/hello"},
		{method: "GET", path: "/hello/hi"},
		{method: "POST", path: "/hello/greetings", limit: defaultLimit, json: obj{"name": "Sweep"}, form: "name=Sweep"},
		{method: "GET", path: "/hello/greetings"},

		// examples/notes (notes.go Routes), under /notes.
		{method: "GET", path: "/notes", page: true},
		{method: "GET", path: "/notes/list"},
		{method: "POST", path: "/notes", limit: defaultLimit, json: obj{"title": "Sweep note"}, form: "title=Sweep+note"},
		// The notes grid (explorer.Grid.Mount), under /notes/grid.
		{method: "GET", path: "/notes/grid", page: true},
		{method: "GET", path: "/notes/grid/", page: true},
		{method: "GET", path: "/notes/grid/rows"},
		{method: "POST", path: "/notes/grid/rows", limit: defaultLimit, json: obj{"startRow": 0, "endRow": 20, "sortModel": []any{}, "filterModel": obj{}}},
		{method: "GET", path: "/notes/grid/columns"},
		{method: "PATCH", path: "/notes/grid/rows/{id}", limit: defaultLimit, json: obj{"version": "2026-01-01T00:00:00Z", "values": obj{"title": "Sweep"}}, form: "title=Sweep&version=2026-01-01T00:00:00Z"},
		{method: "POST", path: "/notes/grid/delete", limit: defaultLimit, json: obj{"ids": []any{"no-such-note"}}, form: "ids=no-such-note"},
		{method: "POST", path: "/notes/grid/columns", limit: defaultLimit, form: "show=title"},
		{method: "GET", path: "/notes/grid/export.csv"},
		{method: "GET", path: "/notes/grid/static/grid.js"},

		// examples/blog (public.go and admin.go Routes), under /blog.
		{method: "GET", path: "/blog"},
		{method: "GET", path: "/blog/{slug}"},
		{method: "GET", path: "/blog/tag/{tag}"},
		{method: "GET", path: "/blog/author/{post}"},
		{method: "GET", path: "/blog/feed.atom"},
		{method: "GET", path: "/blog/feed.rss"},
		{method: "GET", path: "/blog/tag/{tag}/feed.atom"},
		{method: "GET", path: "/blog/tag/{tag}/feed.rss"},
		{method: "GET", path: "/blog/sitemap.xml"},
		{method: "GET", path: "/robots.txt"},
		{method: "GET", path: "/blog/api/posts"},
		{method: "GET", path: "/blog/api/posts/{slug}"},
		{method: "GET", path: "/blog/media/{source}/{file...}"},
		{method: "GET", path: "/blog/preview/{token}"},
		{method: "GET", path: "/blog/admin", page: true},
		{method: "GET", path: "/blog/admin/", page: true},
		{method: "GET", path: "/blog/admin/rows"},
		{method: "POST", path: "/blog/admin/rows", limit: defaultLimit, json: obj{"startRow": 0, "endRow": 20, "sortModel": []any{}, "filterModel": obj{}}},
		{method: "GET", path: "/blog/admin/columns"},
		{method: "POST", path: "/blog/admin/columns", limit: defaultLimit, form: "show=title"},
		{method: "GET", path: "/blog/admin/export.csv"},
		{method: "GET", path: "/blog/admin/static/grid.js"},
		{method: "POST", path: "/blog/admin/posts", limit: defaultLimit, json: obj{"title": "Sweep post"}, form: "title=Sweep+post"},
		{method: "GET", path: "/blog/admin/posts/{post}"},
		{method: "GET", path: "/blog/admin/posts/{post}/edit", page: true},
		{method: "PUT", path: "/blog/admin/posts/{post}", limit: defaultLimit, json: obj{"title": "Sweep", "body": "*x*"}, form: "title=Sweep&body=x"},
		{method: "POST", path: "/blog/admin/posts/{post}/autosave", limit: defaultLimit, json: obj{"title": "Sweep"}, form: "title=Sweep"},
		{method: "POST", path: "/blog/admin/posts/{post}/publish", limit: defaultLimit, json: obj{"save": false}, form: "save=false"},
		{method: "POST", path: "/blog/admin/posts/{post}/unpublish", limit: defaultLimit, json: obj{"save": false}, form: "save=false"},
		{method: "POST", path: "/blog/admin/posts/{post}/schedule", limit: defaultLimit, json: obj{"publish_at": "2099-01-01T00:00:00Z"}, form: "publish_at=2099-01-01T00:00"},
		{method: "DELETE", path: "/blog/admin/posts/{post}"},
		{method: "POST", path: "/blog/admin/posts/{post}/preview-link"},
		{method: "POST", path: "/blog/admin/posts/{post}/image", limit: defaultLimit, form: "image=fs://local/sweep/a.txt&as=body", multipart: true},
		{method: "POST", path: "/blog/admin/preview", limit: defaultLimit, json: obj{"body": "# x"}, form: "body=%23+x"},
		{method: "POST", path: "/blog/admin/images", limit: 11 << 20, multipart: true},

		// examples/report (page.go Routes), under /report.
		{method: "POST", path: "/report/runs", limit: defaultLimit, form: "title=Sweep&steps=1"},
		{method: "GET", path: "/report/pdf/{task}"},

		// examples/vault (api.go apiRoutes, pages.go pageRoutes), under /vault.
		{method: "GET", path: "/vault/api/entries"},
		{method: "POST", path: "/vault/api/entries", limit: defaultLimit, json: obj{"title": "Sweep", "password": "sweep-pass"}, form: "title=Sweep&password=sweep-pass"},
		{method: "GET", path: "/vault/api/entries/{entry}"},
		{method: "PUT", path: "/vault/api/entries/{entry}", limit: defaultLimit, json: obj{"title": "Sweep"}, form: "title=Sweep"},
		{method: "DELETE", path: "/vault/api/entries/{entry}"},
		{method: "GET", path: "/vault/api/entries/{entry}/secrets/{field}"},
		{method: "GET", path: "/vault/api/entries/{entry}/totp"},
		{method: "GET", path: "/vault/api/entries/{entry}/breach"},
		{method: "GET", path: "/vault/api/count"},
		{method: "GET", path: "/vault/api/folders"},
		{method: "GET", path: "/vault/api/generate"},
		{method: "GET", path: "/vault/api/health"},
		{method: "POST", path: "/vault/api/import", limit: 64 << 20, raw: "name,login_password\nSweep,pw\n", multipart: true},
		{method: "POST", path: "/vault/api/export", limit: defaultLimit, form: "confirm=true"},
		{method: "GET", path: "/vault/api/keys"},
		{method: "GET", path: "/vault/keys", page: true},
		{method: "GET", path: "/vault/api/lock"},
		{method: "POST", path: "/vault/api/lock"},
		{method: "POST", path: "/vault/api/unlock", limit: defaultLimit, json: obj{"passphrase": "not-the-passphrase"}, form: "passphrase=not-the-passphrase"},
		{method: "PUT", path: "/vault/api/passphrase", limit: defaultLimit, json: obj{"current": "", "new": "short"}, form: "new=short&repeat=short"},
		{method: "GET", path: "/vault/security", page: true},
		{method: "POST", path: "/vault/lock", page: true},
		{method: "POST", path: "/vault/unlock", limit: defaultLimit, json: obj{"passphrase": "not-the-passphrase"}, form: "passphrase=not-the-passphrase", page: true},
		{method: "POST", path: "/vault/passphrase", limit: defaultLimit, json: obj{"new": "short"}, form: "new=short&repeat=short", page: true},
		{method: "POST", path: "/vault/keys/rotate", limit: defaultLimit, page: true},
		{method: "GET", path: "/vault", page: true},
		{method: "GET", path: "/vault/entries", page: true},
		{method: "GET", path: "/vault/new", page: true},
		{method: "POST", path: "/vault/entries", limit: defaultLimit, json: obj{"title": "Sweep"}, form: "title=Sweep&password=pw"},
		{method: "GET", path: "/vault/entries/{entry}", page: true},
		{method: "GET", path: "/vault/entries/{entry}/edit", page: true},
		{method: "POST", path: "/vault/entries/{entry}", limit: defaultLimit, json: obj{"title": "Sweep"}, form: "title=Sweep"},
		{method: "POST", path: "/vault/entries/{entry}/delete", limit: defaultLimit},
		{method: "GET", path: "/vault/entries/{entry}/reveal/{field}", page: true},
		{method: "GET", path: "/vault/entries/{entry}/edit-field/{field}", page: true},
		{method: "GET", path: "/vault/generator", page: true},
		{method: "GET", path: "/vault/generator/result", page: true},
		{method: "GET", path: "/vault/generator/field", page: true},
		{method: "GET", path: "/vault/health", page: true},
		{method: "GET", path: "/vault/transfer", page: true},
		{method: "POST", path: "/vault/import", limit: 64 << 20, raw: "name,login_password\nSweep,pw\n", multipart: true, page: true},

		// examples/dashboard (dashboard.go Routes), under /dashboard.
		{method: "GET", path: "/dashboard", page: true},
		{method: "GET", path: "/dashboard/sales.csv"},

		// examples/files (files.go Routes), under /files.
		{method: "GET", path: "/files", page: true},
		{method: "GET", path: "/files/picker", page: true},
		{method: "POST", path: "/files/picker", limit: defaultLimit, page: true, form: "image=fs%3A%2F%2Flocal%2Fsweep%2Fa.txt"},
		{method: "GET", path: "/files/preview"},
		{method: "GET", path: "/files/api/sources"},
		{method: "GET", path: "/files/api/list"},
		{method: "GET", path: "/files/api/raw"},
		{method: "POST", path: "/files/api/mkdir", limit: filesLimit, json: obj{"urn": "fs://local/sweep/made"}},
		{method: "POST", path: "/files/api/rename", limit: filesLimit, json: obj{"urn": "fs://local/sweep/made", "name": "renamed"}},
		{method: "POST", path: "/files/api/delete", limit: filesLimit, json: obj{"urns": []string{"fs://local/sweep/renamed"}}},
		{method: "POST", path: "/files/api/conflicts", limit: filesLimit, json: obj{"from": []string{"fs://local/sweep/a.txt"}, "to": "fs://local"}},
		{method: "POST", path: "/files/api/transfer", limit: filesLimit, json: obj{"op": "copy", "from": []string{"fs://local/sweep/a.txt"}, "to": "fs://local", "conflict": "keep"}},
		{method: "OPTIONS", path: "/files/api/uploads"},
		{method: "POST", path: "/files/api/uploads", limit: filesLimit},
		{method: "HEAD", path: "/files/api/uploads/{upload}"},
		{method: "PATCH", path: "/files/api/uploads/{upload}", limit: noLimit, raw: "chunk"},
		{method: "DELETE", path: "/files/api/uploads/{upload}"},
		// examples/media (http.go Routes), under /media.
		{method: "GET", path: "/media", page: true},
		{method: "GET", path: "/media/more"},
		{method: "GET", path: "/media/tile/{id}"},
		{method: "GET", path: "/media/assets/{id}", page: true},
		{method: "POST", path: "/media/assets/{id}", limit: 256 << 10, json: obj{"title": "Sweep", "tags": "a, b"}, form: "title=Sweep&tags=a"},
		{method: "GET", path: "/media/assets/{id}/file/{size}"},
		{method: "GET", path: "/media/api/assets"},
		{method: "GET", path: "/media/api/assets/{id}"},
		{method: "POST", path: "/media/api/uploads", limit: 256 << 10},
		{method: "POST", path: "/media/api/ingest", limit: 256 << 10, json: obj{"urns": []string{"fs://local/sweep/a.txt"}}},
		{method: "POST", path: "/media/api/bulk", limit: 256 << 10, json: obj{"ids": []string{"no-such-id"}, "action": "tag", "value": "x"}},
		{method: "POST", path: "/media/api/import", limit: 256 << 10, json: obj{"folder": "fs://local/sweep"}},
		{method: "POST", path: "/media/api/regenerate", limit: 256 << 10},
		// admin (admin/module.go Routes and its explorer grids, whose rows are
		// edited on their own pages: no edit or delete routes), under
		// /admin. The ids are of no user, role, module or task, so that
		// the sweep does not lock its own users out or switch modules off.
		{method: "GET", path: "/admin/", page: true},
		{method: "GET", path: "/admin/users/", page: true},
		{method: "GET", path: "/admin/users/rows"},
		{method: "POST", path: "/admin/users/rows", limit: defaultLimit, json: obj{"startRow": 0, "endRow": 10}},
		{method: "GET", path: "/admin/users/columns"},
		{method: "POST", path: "/admin/users/columns", limit: defaultLimit, json: obj{"columns": []any{"email"}}},
		{method: "GET", path: "/admin/users/export.csv"},
		{method: "GET", path: "/admin/users/static/{asset}"},
		{method: "GET", path: "/admin/user/{id}", page: true},
		{method: "GET", path: "/admin/users/new", page: true},
		{method: "POST", path: "/admin/users/new", limit: defaultLimit, page: true, form: "email=made2%40sweep.test&password=a+long+enough+password&roles=user"},
		{method: "POST", path: "/admin/user/{id}/active", limit: defaultLimit, page: true, form: "active=false"},
		{method: "POST", path: "/admin/user/{id}/roles", limit: defaultLimit, page: true, form: "roles=user"},
		{method: "POST", path: "/admin/user/{id}/password", limit: defaultLimit, page: true, form: "x=1"},
		{method: "POST", path: "/admin/user/{id}/delete", limit: defaultLimit, page: true, form: "x=1"},
		{method: "GET", path: "/admin/user/{id}/why", page: true},
		{method: "GET", path: "/admin/roles", page: true},
		{method: "POST", path: "/admin/roles", limit: defaultLimit, page: true, form: "name=sweep-admin-role&description=sweep&permissions=notes.use"},
		{method: "POST", path: "/admin/roles/{name}/delete", limit: defaultLimit, page: true, form: "x=1"},
		{method: "GET", path: "/admin/modules", page: true},
		{method: "POST", path: "/admin/modules/{id}", limit: defaultLimit, page: true, form: "enabled=false"},
		{method: "GET", path: "/admin/settings", page: true},
		{method: "POST", path: "/admin/settings/{module}", limit: defaultLimit, page: true, form: "salutation=Hi"},
		{method: "GET", path: "/admin/config", page: true, config: true},
		{method: "POST", path: "/admin/config/log-level", limit: defaultLimit, page: true, form: "level=info"},
		{method: "GET", path: "/admin/logs", page: true},
		{method: "GET", path: "/admin/tasks", page: true},
		{method: "GET", path: "/admin/tasks/{id}", page: true},
		{method: "POST", path: "/admin/tasks/{id}/{action}", limit: defaultLimit, page: true, form: "x=1"},
		{method: "GET", path: "/admin/audit/", page: true},
		{method: "GET", path: "/admin/audit/rows"},
		{method: "POST", path: "/admin/audit/rows", limit: defaultLimit, json: obj{"startRow": 0, "endRow": 10}},
		{method: "GET", path: "/admin/audit/columns"},
		{method: "POST", path: "/admin/audit/columns", limit: defaultLimit, json: obj{"columns": []any{"action"}}},
		{method: "GET", path: "/admin/audit/export.csv"},
		{method: "GET", path: "/admin/audit/static/{asset}"},
		// The settings explorer (admin/settingsgrid.go): the row id is of
		// no setting, so that the sweep changes none.
		{method: "GET", path: "/admin/settings/explorer/", page: true},
		{method: "GET", path: "/admin/settings/explorer/rows"},
		{method: "POST", path: "/admin/settings/explorer/rows", limit: defaultLimit, json: obj{"startRow": 0, "endRow": 10}},
		{method: "GET", path: "/admin/settings/explorer/columns"},
		{method: "PATCH", path: "/admin/settings/explorer/rows/{id}", limit: defaultLimit, json: obj{"values": obj{"value": "x"}}, form: "value=x"},
		{method: "POST", path: "/admin/settings/explorer/columns", limit: defaultLimit, form: "show=key"},
		{method: "GET", path: "/admin/settings/explorer/export.csv"},
		{method: "GET", path: "/admin/settings/explorer/static/{asset}"},

		// audit (audit/module.go Routes), under /audit.
		{method: "GET", path: "/audit/"},

		// openapi (openapi/module.go Routes), under /api.
		{method: "GET", path: "/api/openapi.json"},
		{method: "GET", path: "/api/docs", page: true},
	}
}

// pathDefaults are the values of the path parameters in the ordinary
// requests; run adds the ordinary user's id and a task's id.
func pathDefaults() map[string]string {
	return map[string]string{
		"token":  "no-such-token",
		"user":   "no-such-user",
		"role":   "sweep-role",
		"file":   "sweep/a.txt",
		"asset":  "app.css",
		"dir":    "sweep",
		"app":    "hello",
		"module": "hello",
		"source": "local",
		"type":   "report.generate",
		"task":   "no-such-task",
		"queue":  "default",
		"state":  "pending",
		"rest":   "",
		"entry":  "no-such-entry",
		"field":  "password",
		"slug":   "no-such-post",
		"tag":    "sweep",
		"post":   "no-such-post",
		"upload": "0123456789abcdef0123456789abcdef",
		"id":     "no-such-id",
		"name":   "no-such-role",
		"action": "cancel",
		"size":   "256",
	}
}

// oddSegments are hostile values of a path parameter, as sent (escaped).
func oddSegments() []string {
	return []string{
		strings.Repeat("a", 8<<10),
		strings.Repeat("%C3%A9", 1000),
		"%C3%A9t%C3%A9-%E2%9C%93-%F0%9F%98%80",
		"%ff%fe%fd",
		"%2e%2e",
		"%2e",
		"..%2f..%2f..%2fetc%2fpasswd",
		"a%2fb",
		"%00",
		"a%00b",
		"a//b",
		"a.",
		"a..",
		"...",
		"-1",
		"0",
		"99999999999999999999999999",
		"000000000000000000000000",
		"null",
		"%20",
		"%25",
		"*",
		"%7Bid%7D",
		"%27%3B--",
		"%0d%0aX-Injected:%20yes",
		"%3Cscript%3E",
		"con",
	}
}

// oddQueries are hostile query strings.
func oddQueries() []string {
	long := strings.Repeat("x", 8<<10)
	return []string{
		"limit=-1", "limit=0", "limit=99999999999", "limit=x", "limit=1e3", "limit=%00",
		"skip=-1", "skip=99999999999999999999", "skip=x",
		"after=garbage", "before=garbage", "after=" + long, "after=%ff%fe", "after=a&before=b",
		"page=x", "page=-1", "size=x", "size=99999999999", "page_size=x", "page_size=-1", "page_size=99999999999",
		"page_token=garbage", "page_token=" + long,
		"recursive=maybe", "recursive=true&page_size=1", "download=maybe",
		"limit=1&limit=2", "q=%zz", "%zz=1", "a=%", "=&=&&", "limit=%E2%9C%93",
	}
}

// checkList adds a finding for each route the server mounts (mounted, as
// App.Routes lists them) that no route of the list reaches, so that a new
// route is swept from the day it is mounted.
func (s *sweeper) checkList(mounted []webos.Route) {
	list := routes()
	for _, mr := range mounted {
		if !slices.ContainsFunc(list, func(rt *route) bool { return reaches(rt, mr) }) {
			s.findings = append(s.findings, finding{kind: "route missing from the list", req: mr.Pattern(),
				phase: "setup", detail: "mounted by " + moduleName(mr.Module) + "; add it to routes() with a plausible body"})
		}
	}
}

// reaches reports whether the sweep's requests for rt go to the mounted
// route mr: the same method (a listed route without one is sent every
// method), and rt's path is one mr's pattern matches — the list names
// parameters after the values it fills in, and may name a concrete file
// where the module has a parameter; "/x" and "/x/" count as one.
func reaches(rt *route, mr webos.Route) bool {
	if rt.method != "" && rt.method != mr.Method {
		return false
	}
	pat := segments(strings.TrimSuffix(mr.Path, "{$}"))
	got := segments(rt.path)
	for i, seg := range pat {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "...}") {
			return true
		}
		if i >= len(got) || (seg != got[i] && !(strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"))) {
			return false
		}
	}
	return len(got) == len(pat)
}

// segments splits a path into its segments, without the empty ones at
// either end.
func segments(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func moduleName(id string) string {
	if id == "" {
		return "the kernel"
	}
	return "module " + id
}
