package blog

import (
	"context"
	"crypto/rand"
	_ "embed"
	"fmt"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// Permissions of the blog. PermWrite is the module's permission, declared
// once in [Module.ModuleInfo]: every private route needs it, and the card,
// menu entry and palette commands are shown only to holders. PermAdmin
// lets a writer edit, publish and delete other authors' posts too.
const (
	PermWrite = "blog.write"
	PermAdmin = "blog.admin"
)

// TaskPublish is the type of the task that publishes a scheduled post.
const TaskPublish = "blog.publish"

// Settings are what an administrator may change at run time.
type Settings struct {
	Title       string `json:"title" validate:"required,max=100" desc:"The blog's name, in the header, feeds and Open Graph tags"`
	Description string `json:"description" validate:"max=300" desc:"One sentence about the blog, for the home page's meta description and the feeds"`
	SiteURL     string `json:"site_url" validate:"omitempty,url,max=200" desc:"The public address (https://example.com) for links in feeds and the sitemap; empty takes the request's host"`
	ImageFolder string `json:"image_folder" validate:"required,max=300" desc:"The afs folder uploaded images are saved in, e.g. fs://local/blog"`
	PreviewTTL  int    `json:"preview_hours" validate:"min=1,max=720" desc:"Hours a draft's preview link works"`
}

// DefaultSettings are the settings a new installation starts with.
var DefaultSettings = Settings{Title: "Blog", Description: "Notes and news.", ImageFolder: "fs://local/blog", PreviewTTL: 48}

//go:embed blog.css
var blogCSS []byte

// Module is the blog: public pages for guests (home, posts, tag and
// author pages, Atom and RSS feeds, sitemap, robots.txt, a JSON API) and,
// in the shell, the posts list and the editor for holders of [PermWrite].
// Make it with [New].
type Module struct {
	settings *settings.Handle[Settings]
	publish  *tasks.Def[publishTask]

	app    *webos.App
	shell  *ui.Module
	tasks  *tasks.Module
	fs     *afs.FS
	files  *files.Module
	posts  *store.Collection[Post]
	grid   *explorer.Grid[postRow]
	slugs  *store.Collection[slugRecord]
	render *Renderer
	keys   [][]byte // preview-link keys, the first signs
	prefix string   // where the routes are mounted, "/blog"
	pages  pageCache
	now    func() time.Time
}

// New returns the blog module.
func New() *Module {
	m := &Module{settings: settings.Declare(DefaultSettings), now: time.Now}
	m.publish = tasks.Define(TaskPublish, m.runPublish, tasks.MaxRetry(10), tasks.Timeout(time.Minute))
	return m
}

// ModuleInfo describes the module; its routes live under /blog.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "blog", Name: "Blog", Description: "Write posts; guests read them on the public site.",
		Icon: "✍️", Version: "1.0.0", Permission: PermWrite}
}

// Requires the database, the shell, the file system, the files app (its
// picker is the editor's "Select image") and the tasks.
func (m *Module) Requires() []string {
	return []string{store.ModuleID, ui.ModuleID, afs.ModuleID, files.ModuleID, tasks.ModuleID}
}

// Permissions lists the module's permissions for the admin console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{
		{Name: PermWrite, Description: "Write, publish and schedule one's own blog posts"},
		{Name: PermAdmin, Description: "Edit, publish and delete every author's blog posts"},
	}
}

// Settings declares the module's settings.
func (m *Module) Settings() settings.Schema { return m.settings.Schema() }

// Tasks is the scheduled publish.
func (m *Module) Tasks() []tasks.Definition { return []tasks.Definition{m.publish} }

// Provision makes the collections and their indexes and finds the
// shell, the file system and the tasks module.
func (m *Module) Provision(ctx context.Context, app *webos.App) (err error) {
	reg := app.Registry()
	db, err := registry.Get[*store.DB](reg)
	if err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](reg); err != nil {
		return err
	}
	if m.fs, err = registry.Get[*afs.FS](reg); err != nil {
		return err
	}
	if m.tasks, err = registry.Get[*tasks.Module](reg); err != nil {
		return err
	}
	if m.files, err = registry.Get[*files.Module](reg); err != nil {
		return err
	}
	m.app = app
	m.posts = store.NewCollection[Post](db, "blog_posts",
		store.Index{Keys: []string{"slug"}, Unique: true},                // post by slug
		store.Index{Keys: []string{"status", "-published_at"}},           // the public list, feeds, sitemap
		store.Index{Keys: []string{"tags", "status", "-published_at"}},   // tag pages and feeds
		store.Index{Keys: []string{"author", "status", "-published_at"}}, // author pages
		store.Index{Keys: []string{"author", "-updated_at"}},             // an author's posts list
		store.Index{Keys: []string{"-updated_at"}},                       // every post, for blog.admin
		store.Index{Keys: []string{"images"}},                            // is a file public?
	)
	m.slugs = store.NewCollection[slugRecord](db, "blog_slugs", store.Index{Keys: []string{"post"}})
	if m.grid, err = m.newGrid(app, db); err != nil {
		return fmt.Errorf("blog: %w", err)
	}
	for _, s := range app.Config().SecretKeys {
		m.keys = append(m.keys, []byte("webos blog preview links\x00"+s.Reveal()))
	}
	if len(m.keys) == 0 {
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		m.keys = [][]byte{k} // preview links then end with the process, like sessions
	}
	if err := m.posts.EnsureIndexes(ctx); err != nil {
		return fmt.Errorf("blog: %w", err)
	}
	if err := m.slugs.EnsureIndexes(ctx); err != nil {
		return fmt.Errorf("blog: %w", err)
	}
	m.prefix = "/blog"
	m.render = NewRenderer(m.prefix + "/media")
	m.shell.Assets().Add("blog.css", blogCSS)
	return nil
}

// Routes: the public side for everyone, the private side under /admin
// for holders of blog.write.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	m.render = NewRenderer(m.prefix + "/media")
	m.render.srcset = m.assetSrcset
	m.publicRoutes(r.Public())
	m.adminRoutes(r)
}

// LaunchpadApps puts the posts list on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/admin/", Order: 6}} }

// PaletteCommands adds "New blog post" and "Blog posts".
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{
		{Title: "New blog post", Icon: "✍️", Keywords: "write blog article", Post: "/admin/posts"},
		{Title: "Blog posts", Icon: "✍️", Keywords: "blog articles drafts", Href: "/admin/"},
	}
}
