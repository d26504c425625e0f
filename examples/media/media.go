package media

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// ModuleID is the ID of [Module]; its routes live under /media.
const ModuleID = "media"

// Permissions of the module: PermUse keeps a library (declared once,
// inherited by the routes, the card, the menu entry and the palette
// commands); PermAdmin may regenerate every user's missing derivatives.
const (
	PermUse   = "media.use"
	PermAdmin = "media.admin"
)

// Task types of the module.
const (
	TaskThumbnail  = "media.thumbnail"
	TaskImport     = "media.import"
	TaskRegenerate = "media.regenerate"
)

// TopicThumbnailed is emitted with the [Asset] when its derivatives are
// made or it is quarantined.
const TopicThumbnailed = "media.thumbnailed"

//go:embed static/media.js
var script []byte

//go:embed static/media.css
var style []byte

// Config is the library's configuration, from WEBOS_MEDIA_* variables
// ([LoadConfig]). The zero value takes every default.
type Config struct {
	// Root is the afs folder that keeps originals and derivatives
	// (WEBOS_MEDIA_ROOT, default "media" on the first source).
	Root string `env:"MEDIA_ROOT"`
	// MaxPixels is the largest image (width × height) that is decoded;
	// larger ones are quarantined unread (WEBOS_MEDIA_MAX_PIXELS, default
	// 100 megapixels).
	MaxPixels int64 `env:"MEDIA_MAX_PIXELS" validate:"omitempty,min=1"`
	// BudgetMB is the memory the decodes in flight may hold together, in
	// MiB (WEBOS_MEDIA_BUDGET_MB, default 512): each takes width×height×4
	// bytes of it while it runs.
	BudgetMB int64 `env:"MEDIA_BUDGET_MB" validate:"omitempty,min=64"`
	// Concurrency is how many images are thumbnailed at once
	// (WEBOS_MEDIA_CONCURRENCY, default 2).
	Concurrency int `env:"MEDIA_CONCURRENCY" validate:"omitempty,min=1,max=64"`
	// MaxAttempts is how often an image is tried before it is
	// quarantined (WEBOS_MEDIA_MAX_ATTEMPTS, default 3).
	MaxAttempts int `env:"MEDIA_MAX_ATTEMPTS" validate:"omitempty,min=1,max=20"`
	// MaxUpload is the largest file the library takes, in bytes
	// (WEBOS_MEDIA_MAX_UPLOAD, default the afs module's limit).
	MaxUpload int64 `env:"MEDIA_MAX_UPLOAD" validate:"omitempty,min=1"`
	// RetryDelay is the wait before a failed image is tried again
	// (WEBOS_MEDIA_RETRY_DELAY, default 5s).
	RetryDelay time.Duration `env:"MEDIA_RETRY_DELAY"`
}

// LoadConfig reads the configuration from the environment.
func LoadConfig() (Config, error) {
	var c Config
	err := webos.Load(&c)
	return c, err
}

// Defaults of [Config].
const (
	DefaultMaxPixels   = 100_000_000
	DefaultBudgetMB    = 512
	DefaultConcurrency = 2
	DefaultMaxAttempts = 3
)

// Module is the media library. Make it with [New].
type Module struct {
	cfg    Config
	app    *webos.App
	fs     *afs.FS
	shell  *ui.Module
	tasks  *tasks.Module
	files  *files.Module
	assets *store.Owned[Asset]
	root   afs.URN
	tmp    string
	thumbs *thumbnailer
	log    *slog.Logger
	prefix string

	thumbnail  *tasks.Def[thumbTask]
	folder     *tasks.Def[importTask]
	regenerate *tasks.Def[regenerateTask]
}

var (
	_ webos.Module         = (*Module)(nil)
	_ webos.Dependent      = (*Module)(nil)
	_ webos.Provisioner    = (*Module)(nil)
	_ webos.RouteProvider  = (*Module)(nil)
	_ tasks.Provider       = (*Module)(nil)
	_ ui.LaunchpadProvider = (*Module)(nil)
	_ ui.PaletteProvider   = (*Module)(nil)
)

// New returns the media library for cfg.
func New(cfg Config) *Module {
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.BudgetMB <= 0 {
		cfg.BudgetMB = DefaultBudgetMB
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 5 * time.Second
	}
	m := &Module{cfg: cfg, prefix: "/" + ModuleID, log: slog.Default()}
	delay := cfg.RetryDelay
	// Thumbnails have a queue and workers of their own, as many as there
	// are decode slots: the waiting ones hold no worker, and a large
	// import never takes the workers of the other apps' tasks.
	m.thumbnail = tasks.Define(TaskThumbnail, m.runThumbnail, tasks.Workers(cfg.Concurrency),
		tasks.MaxRetry(cfg.MaxAttempts), tasks.Timeout(5*time.Minute), tasks.Retention(time.Hour),
		tasks.Backoff(func(int, error) time.Duration { return delay }))
	m.folder = tasks.Define(TaskImport, m.runImport, tasks.Queue(ModuleID), tasks.MaxRetry(2),
		tasks.Timeout(6*time.Hour), tasks.Retention(24*time.Hour))
	m.regenerate = tasks.Define(TaskRegenerate, m.runRegenerate, tasks.Queue(ModuleID), tasks.MaxRetry(1),
		tasks.Timeout(24*time.Hour), tasks.Retention(24*time.Hour))
	m.thumbs = newThumbnailer(cfg.MaxPixels, cfg.BudgetMB<<20, cfg.Concurrency)
	return m
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: ModuleID, Name: "Media", Description: "Your photos, videos and documents: a searchable gallery.",
		Icon: "🖼️", Version: "1.0.0", Permission: PermUse}
}

// Requires the database, the file system, the shell, the tasks module
// and the files app, whose resumable uploads the library takes files
// through.
func (m *Module) Requires() []string {
	return []string{store.ModuleID, afs.ModuleID, ui.ModuleID, tasks.ModuleID, files.ModuleID}
}

// Permissions lists the module's permissions for the admin console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermUse, Description: "Keep a media library"},
		{Name: PermAdmin, Description: "Regenerate the missing thumbnails of every library"}}
}

// Tasks hands the thumbnail, import and regenerate tasks to the tasks
// module.
func (m *Module) Tasks() []tasks.Definition {
	return []tasks.Definition{m.thumbnail, m.folder, m.regenerate}
}

// PageAssets give every page of the shell the library's script and
// stylesheet, so that the asset picker works on any page.
func (m *Module) PageAssets() []ui.PageAsset {
	return []ui.PageAsset{{Name: "media.js", Body: script}, {Name: "media.css", Body: style}}
}

// Provision finds its services, makes the collection and its indexes and
// the folder for uploads in progress.
func (m *Module) Provision(ctx context.Context, app *webos.App) (err error) {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	if m.fs, err = registry.Get[*afs.FS](app.Registry()); err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](app.Registry()); err != nil {
		return err
	}
	if m.tasks, err = registry.Get[*tasks.Module](app.Registry()); err != nil {
		return err
	}
	if m.files, err = registry.Get[*files.Module](app.Registry()); err != nil {
		return err
	}
	m.app = app
	m.log = app.Logger().With("module", ModuleID)
	if m.cfg.MaxUpload <= 0 {
		m.cfg.MaxUpload = afs.DefaultMaxUpload
		if am, err := registry.Get[*afs.Module](app.Registry()); err == nil && am.Config.MaxUpload > 0 {
			m.cfg.MaxUpload = am.Config.MaxUpload
		}
	}
	root := m.cfg.Root
	if root == "" {
		names := m.fs.Sources()
		if len(names) == 0 {
			return errors.New("media: the file system has no source")
		}
		root = "fs://" + names[0] + "/media"
	}
	if m.root, err = afs.Parse(root); err != nil {
		return fmt.Errorf("media: WEBOS_MEDIA_ROOT: %w", err)
	}
	m.tmp = filepath.Join(app.Config().DataDir, "media-tmp")
	if app.Config().DataDir == "" {
		m.tmp = filepath.Join(os.TempDir(), "webos-media-tmp")
	}
	if err := os.MkdirAll(m.tmp, 0o700); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	m.assets = store.NewOwned[Asset](db, "media_assets", assetIndexes...)
	if err := m.assets.EnsureIndexes(ctx); err != nil {
		return err
	}
	registry.Register(app.Registry(), m)
	return nil
}

// assetIndexes serve dedup (unique per owner), the gallery's sorts and
// filters, and the search for pending derivatives.
var assetIndexes = []store.Index{
	{Keys: []string{"created_by", "sha256"}, Unique: true},
	{Keys: []string{"created_by", "-date"}},
	{Keys: []string{"created_by", "kind", "-date"}},
	{Keys: []string{"created_by", "camera", "-date"}},
	{Keys: []string{"created_by", "tags"}},
	{Keys: []string{"created_by", "albums"}},
	{Keys: []string{"created_by", "thumbs"}},
	{Keys: []string{"thumbs"}},
}

// LaunchpadApps puts the library on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/", Order: 7}} }

// PaletteCommands open the gallery and its upload.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{
		{Title: "Media", Hint: "App", Icon: "🖼️", Keywords: "photos pictures gallery images library assets", Href: "/"},
		{Title: "Upload photos", Hint: "Media", Icon: "🖼️", Keywords: "upload add photos images media", Href: "/#upload"},
	}
}

// Root returns the afs folder the library keeps its files in.
func (m *Module) Root() afs.URN { return m.root }
