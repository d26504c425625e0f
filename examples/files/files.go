package files

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// ModuleID is the ID of [Module]; its routes live under /files.
const ModuleID = "files"

// TaskTransfer is the type name of the copy and move task.
const TaskTransfer = "files.transfer"

//go:embed static/files.js
var script []byte

//go:embed static/files.css
var style []byte

// Options configure the module. The zero value is ready to use.
type Options struct {
	// MaxUpload is the largest file an upload may bring, in bytes
	// (default: the afs module's limit, or afs.DefaultMaxUpload).
	MaxUpload int64
	// UploadDir keeps the parts of resumable uploads until they are
	// complete (default: "uploads" in the application's data folder).
	// Uploads resume across restarts while this folder is kept.
	UploadDir string
	// UploadExpiry is how long an unfinished upload is kept after its
	// last chunk (default 24 hours).
	UploadExpiry time.Duration
}

// Module is the file commander: two panels over every afs source, with
// copy and move as background tasks, resumable uploads, previews, and a
// file picker that other modules put into their pages ([Module.Picker]).
// Make it with [New].
type Module struct {
	opts     Options
	fs       *afs.FS
	shell    *ui.Module
	tasks    *tasks.Module
	transfer *tasks.Def[Transfer]
	uploads  *uploads
	recent   *store.Owned[recentTransfer]
	names    nameIndex // the palette's file search; see search.go
	prefix   string
	log      *slog.Logger
}

var (
	_ webos.Module         = (*Module)(nil)
	_ webos.Dependent      = (*Module)(nil)
	_ webos.Provisioner    = (*Module)(nil)
	_ webos.Stopper        = (*Module)(nil)
	_ webos.RouteProvider  = (*Module)(nil)
	_ tasks.Provider       = (*Module)(nil)
	_ ui.LaunchpadProvider = (*Module)(nil)
	_ ui.PaletteProvider   = (*Module)(nil)
)

// New returns the files module.
func New(opts Options) *Module {
	if opts.UploadExpiry <= 0 {
		opts.UploadExpiry = 24 * time.Hour
	}
	m := &Module{opts: opts, log: slog.Default(), prefix: "/" + ModuleID}
	m.transfer = tasks.Define(TaskTransfer, m.runTransfer, tasks.MaxRetry(2),
		tasks.Timeout(6*time.Hour), tasks.Retention(24*time.Hour))
	return m
}

// ModuleInfo describes the module. Its one permission is afs's
// [afs.PermRead]: whoever may read files may open the commander; writing
// (uploads, copy, move, rename, delete, new folders) needs
// [afs.PermWrite] as in the afs API. Both are declared by the afs module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Files",
		Description: "Two panels over every file source: copy, move, upload and preview.",
		Icon:        "folder",
		Version:     "1.0.0",
		Permission:  afs.PermRead,
	}
}

// Requires the file system, the store, the shell and the tasks module.
func (m *Module) Requires() []string {
	return []string{afs.ModuleID, store.ModuleID, ui.ModuleID, tasks.ModuleID}
}

// Tasks hands the copy and move task to the tasks module.
func (m *Module) Tasks() []tasks.Definition { return []tasks.Definition{m.transfer} }

// PageAssets give every page of the shell the commander's script and
// stylesheet, so that the picker works on any page.
func (m *Module) PageAssets() []ui.PageAsset {
	return []ui.PageAsset{{Name: "files.js", Body: script}, {Name: "files.css", Body: style}}
}

// Provision finds the file system, the shell and the tasks module, makes
// the collection of recent transfers and opens the folder of unfinished
// uploads.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	var err error
	if m.fs, err = registry.Get[*afs.FS](app.Registry()); err != nil {
		return err
	}
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	m.recent = newRecent(db)
	if err := m.recent.EnsureIndexes(ctx); err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](app.Registry()); err != nil {
		return err
	}
	if m.tasks, err = registry.Get[*tasks.Module](app.Registry()); err != nil {
		return err
	}
	m.log = app.Logger().With("module", ModuleID)
	dir := m.opts.UploadDir
	if dir == "" {
		dir = filepath.Join(app.Config().DataDir, "uploads")
	}
	if m.opts.MaxUpload <= 0 {
		m.opts.MaxUpload = afs.DefaultMaxUpload
		if am, err := registry.Get[*afs.Module](app.Registry()); err == nil && am.Config.MaxUpload > 0 {
			m.opts.MaxUpload = am.Config.MaxUpload
		}
	}
	m.uploads, err = openUploads(dir, m.opts.MaxUpload, m.opts.UploadExpiry)
	if err != nil {
		return fmt.Errorf("files: uploads: %w", err)
	}
	registry.Register(app.Registry(), m)
	return nil
}

// Stop ends the sweeper of expired uploads and the palette's file walks.
func (m *Module) Stop(context.Context) error {
	m.names.close()
	if m.uploads != nil {
		m.uploads.close()
	}
	return nil
}

// Routes serves the commander under /files:
//
//	GET    /files/                      the commander (?left=URN&right=URN)
//	GET    /files/picker                a page that tries the file picker
//	POST   /files/picker                what the picker's form sent
//	GET    /files/preview?urn=URN       a preview of a file (an HTML fragment)
//	GET    /files/api/sources           the sources
//	GET    /files/api/list?urn=URN      one page of a folder: sort=name|size|modified|type,
//	                                    desc=true, filter=TEXT, limit=1..1000, cursor=C
//	GET    /files/api/raw?urn=URN       the file itself, for previews (Range)
//	POST   /files/api/mkdir             {"urn"}
//	POST   /files/api/rename            {"urn", "name"}
//	POST   /files/api/delete            {"urns": [...]}
//	POST   /files/api/conflicts         {"from": [...], "to"}: names that exist at the destination
//	POST   /files/api/transfer          {"op": "copy"|"move", "from": [...], "to", "conflict": "skip"|"overwrite"|"keep"}
//	                                    → 202 {"task"}: a background task
//	OPTIONS, POST /files/api/uploads    tus 1.0 (creation, termination): resumable uploads
//	HEAD, PATCH, DELETE /files/api/uploads/{id}
//
// Reading needs afs.PermRead, writing afs.PermWrite. Every error is JSON
// {"error": ...} with its status.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	read := r.Require(afs.PermRead)
	read.HandleFunc("GET /{$}", m.page)
	read.HandleFunc("GET /picker", m.pickerPage)
	read.HandleFunc("POST /picker", m.pickerSubmit)
	read.HandleFunc("GET /preview", m.preview)
	read.HandleFunc("GET /api/sources", m.sources)
	read.HandleFunc("GET /api/list", m.list)
	read.HandleFunc("GET /api/raw", m.raw, webos.Stream())

	write := r.Require(afs.PermWrite)
	small := webos.BodyLimit(64 << 10)
	write.HandleFunc("POST /api/mkdir", m.mkdir, small)
	write.HandleFunc("POST /api/rename", m.rename, small)
	write.HandleFunc("POST /api/delete", m.remove, small, webos.Timeout(5*time.Minute))
	write.HandleFunc("POST /api/conflicts", m.conflicts, small)
	write.HandleFunc("POST /api/transfer", m.startTransfer, small)

	write.HandleFunc("OPTIONS /api/uploads", m.uploadOptions)
	write.HandleFunc("POST /api/uploads", m.uploadCreate, small)
	write.HandleFunc("HEAD /api/uploads/{id}", m.uploadHead)
	write.HandleFunc("PATCH /api/uploads/{id}", m.uploadPatch, webos.BodyLimit(m.opts.MaxUpload+1), webos.Stream())
	write.HandleFunc("DELETE /api/uploads/{id}", m.uploadDelete)
}

// LaunchpadApps puts the commander on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/", Order: 6}} }

// PaletteCommands open the commander and its upload and new-folder actions.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{
		{Title: "Files", Hint: "App", Icon: "folder", Keywords: "commander explorer browse files folders", Href: "/"},
		{Title: "Upload files", Hint: "Files", Icon: "file", Keywords: "upload send add file", Href: "/#upload"},
		{Title: "New folder", Hint: "Files", Icon: "folder", Keywords: "mkdir create directory", Href: "/#mkdir"},
	}
}

// FS returns the file system the module works on; nil before Provision.
func (m *Module) FS() *afs.FS { return m.fs }

// api returns the URL of one of the module's API routes.
func (m *Module) api(p string) string { return m.prefix + "/api" + p }

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	webos.WriteJSON(w, status, v)
	return nil
}
