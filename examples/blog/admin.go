package blog

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/ui"
)

// adminRoutes are the private side; every route needs blog.write (the
// module's permission), and changing a post needs its authorship or
// blog.admin.
func (m *Module) adminRoutes(r *webos.Router) {
	m.grid.Mount(r, "/admin", m.shell) // the posts list: GET /admin/, its rows as JSON at /admin/rows, ...
	r.HandleFunc("POST /admin/posts", m.create)
	r.HandleFunc("GET /admin/posts/{id}", m.getJSON)
	r.HandleFunc("GET /admin/posts/{id}/edit", m.editor)
	r.HandleFunc("PUT /admin/posts/{id}", m.save)
	r.HandleFunc("POST /admin/posts/{id}/autosave", m.autosave)
	r.HandleFunc("POST /admin/posts/{id}/publish", m.action("publish"))
	r.HandleFunc("POST /admin/posts/{id}/unpublish", m.action("unpublish"))
	r.HandleFunc("POST /admin/posts/{id}/schedule", m.action("schedule"))
	r.HandleFunc("DELETE /admin/posts/{id}", m.remove)
	r.HandleFunc("POST /admin/posts/{id}/preview-link", m.previewLink)
	r.HandleFunc("POST /admin/posts/{id}/image", m.insertImage)
	r.HandleFunc("POST /admin/preview", m.preview)
	r.HandleFunc("POST /admin/images", m.uploadImage, webos.BodyLimit(maxImage+1<<20))
}

func writeFragment(w http.ResponseWriter, status int, n g.Node) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request")
	ui.SetSecurityHeaders(w.Header())
	w.WriteHeader(status)
	return n.Render(w)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// create makes a new draft: 201 with the post for API clients; a form
// or htmx request goes on to its editor.
func (m *Module) create(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if r.ContentLength != 0 {
		if err := webos.Decode(r, &in); err != nil {
			return err
		}
	}
	p, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	edit := m.prefix + "/admin/posts/" + p.ID + "/edit"
	switch {
	case ui.IsHTMX(r):
		w.Header().Set("HX-Redirect", edit)
		w.WriteHeader(http.StatusCreated)
	case isForm(r):
		http.Redirect(w, r, edit, http.StatusSeeOther)
	default:
		webos.WriteJSON(w, http.StatusCreated, p)
	}
	return nil
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

func (m *Module) getJSON(w http.ResponseWriter, r *http.Request) error {
	p, err := m.editable(r.Context(), r.PathValue("id"))
	if err == nil {
		webos.WriteJSON(w, http.StatusOK, p)
	}
	return err
}

// saved answers a save: the post as JSON, or for the editor the save
// status and the post's address, swapped out of band.
func (m *Module) saved(w http.ResponseWriter, r *http.Request, p *Post, what string) error {
	if !ui.IsHTMX(r) {
		webos.WriteJSON(w, http.StatusOK, p)
		return nil
	}
	return writeFragment(w, http.StatusOK, g.Group{
		g.Textf("%s at %s UTC", what, p.UpdatedAt.UTC().Format("15:04:05")),
		h.Code(h.ID("post-url"), ui.HX("swap-oob", "true"), g.Text(m.prefix+"/"+p.Slug)),
	})
}

func (m *Module) save(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	p, err := m.Save(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return m.saved(w, r, p, "Saved")
}

// autosave saves a draft while its author types. A post that is public
// or scheduled is saved only on purpose (409), so that half-written
// changes never reach readers.
func (m *Module) autosave(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	p, err := m.editable(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if p.Status != Draft {
		return fmt.Errorf("%w: only drafts are saved automatically; press Save", webos.ErrConflict)
	}
	if p, err = m.Save(r.Context(), p.ID, in); err != nil {
		return err
	}
	return m.saved(w, r, p, "Draft saved automatically")
}

// actionInput is a publish, unpublish or schedule request. With Save the
// post's fields are saved first, as the editor does.
type actionInput struct {
	Title     string    `json:"title" validate:"max=200"`
	Slug      string    `json:"slug" validate:"max=100"`
	Body      string    `json:"body" validate:"max=200000"`
	Excerpt   string    `json:"excerpt" validate:"max=500"`
	Tags      []string  `json:"tags" validate:"max=20,dive,max=200"`
	Cover     string    `json:"cover" validate:"max=1024"`
	Save      bool      `json:"save"`
	PublishAt time.Time `json:"publish_at"`
}

func (a actionInput) input() Input {
	return Input{Title: a.Title, Slug: a.Slug, Body: a.Body, Excerpt: a.Excerpt, Tags: a.Tags, Cover: a.Cover}
}

func (m *Module) action(what string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in actionInput
		if r.ContentLength != 0 {
			if err := webos.Decode(r, &in); err != nil {
				return err
			}
		}
		ctx, id := r.Context(), r.PathValue("id")
		if _, err := m.editable(ctx, id); err != nil {
			return err
		}
		if what == "schedule" && in.PublishAt.IsZero() {
			return webos.Invalid("publish_at", "is required: the date and time (UTC) to publish at")
		}
		if in.Save {
			if _, err := m.Save(ctx, id, in.input()); err != nil {
				return err
			}
		}
		var p *Post
		var err error
		switch what {
		case "publish":
			p, err = m.Publish(ctx, id)
		case "unpublish":
			p, err = m.Unpublish(ctx, id)
		default:
			p, err = m.Schedule(ctx, id, in.PublishAt)
		}
		if err != nil {
			return err
		}
		if ui.IsHTMX(r) {
			w.Header().Set("HX-Refresh", "true")
			return writeFragment(w, http.StatusOK, g.Text(string(p.Status)))
		}
		webos.WriteJSON(w, http.StatusOK, p)
		return nil
	}
}

func (m *Module) remove(w http.ResponseWriter, r *http.Request) error {
	if err := m.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	if ui.IsHTMX(r) {
		w.Header().Set("HX-Redirect", m.prefix+"/admin/")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) previewLink(w http.ResponseWriter, r *http.Request) error {
	link, exp, err := m.PreviewLink(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if ui.IsHTMX(r) {
		return writeFragment(w, http.StatusOK, g.Group{
			h.A(h.ID("preview-link"), h.Href(link), h.Target("_blank"), h.Rel("noopener"), g.Text(link)),
			g.Textf(" (until %s)", when(exp))})
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{"url": link, "expires": exp})
	return nil
}

// preview renders the editor's Markdown with the public page's pipeline.
func (m *Module) preview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Body string `json:"body" validate:"max=200000"`
	}
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	return writeFragment(w, http.StatusOK, g.Raw(m.render.Render(in.Body).HTML))
}

// uploadImage saves one uploaded image (the form field "file") into the
// image folder: 201 with {"urn", "url"}.
func (m *Module) uploadImage(w http.ResponseWriter, r *http.Request) error {
	u, err := m.uploadFrom(r)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusCreated, map[string]string{"urn": u.String(), "url": m.render.MediaURL(u.String())})
	return nil
}

func (m *Module) uploadFrom(r *http.Request) (afs.URN, error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return afs.URN{}, fmt.Errorf("%w: an image has at most %d MiB", webos.ErrTooLarge, maxImage>>20)
		}
		return afs.URN{}, webos.Invalid("file", "choose an image file to upload")
	}
	defer f.Close()
	return m.Upload(r.Context(), hdr.Filename, f)
}

// insertImage is the "Select image" control's action: the file chosen in
// the files app's picker (the field "image", one URN) goes into the body
// as Markdown (as=body) or becomes the cover (as=cover). Choosing a file
// needs afs.PermRead, as browsing does. It answers with the field it
// changed, which the editor swaps in (HX-Retarget names it).
func (m *Module) insertImage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := m.editable(ctx, r.PathValue("id")); err != nil {
		return err
	}
	if !m.app.Can(ctx, afs.PermRead) {
		return fmt.Errorf("%w: choosing a file needs the permission %s", webos.ErrForbidden, afs.PermRead)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fmt.Errorf("%w: malformed form", webos.ErrBadRequest)
	}
	as := r.FormValue("as")
	if as != "body" && as != "cover" {
		return webos.Invalid("as", "must be body (insert into the post) or cover")
	}
	urns, err := m.files.Picked(r, "image", imageAccept)
	if err != nil {
		return err
	}
	if len(urns) != 1 {
		return webos.Invalid("image", "choose one image")
	}
	u := urns[0]
	info, err := m.fs.Stat(ctx, u)
	if err != nil {
		return err
	}
	if _, ok := imageTypes[info.ContentType]; !ok {
		return webos.Invalid("image", u.Name()+" is not a PNG, JPEG, GIF or WebP image")
	}
	w.Header().Set("HX-Reswap", "outerHTML")
	if as == "cover" {
		w.Header().Set("HX-Retarget", "#cover")
		return writeFragment(w, http.StatusOK, coverField(u.String()))
	}
	body := r.FormValue("body")
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	alt := strings.TrimSuffix(u.Name(), path.Ext(u.Name()))
	alt = strings.NewReplacer("[", "", "]", "", "\\", "", "\n", " ").Replace(alt)
	body += "\n![" + alt + "](" + markdownURN(u) + ")\n"
	w.Header().Set("HX-Retarget", "#body")
	return writeFragment(w, http.StatusOK, m.bodyField(body))
}

// markdownURN writes u for a Markdown link: its path percent-encoded, so
// that spaces and parentheses in file names do not end the link (the
// pipeline decodes it back to u).
func markdownURN(u afs.URN) string {
	return strings.NewReplacer("(", "%28", ")", "%29").Replace("fs://" + url.PathEscape(u.Source()) + "/" + escapePath(u.Path()))
}

// imageAccept is what the picker offers: the images an upload may be.
var imageAccept = []string{"image/png", "image/jpeg", "image/gif", "image/webp"}

// selectImage is the editor's "Select image" control: the files app's
// picker, limited to images. Choosing a file inserts it at once — into
// the Markdown, or as the cover, as the radio buttons say.
func (m *Module) selectImage(r *http.Request, p *Post) g.Node {
	if !m.app.Can(r.Context(), afs.PermRead) {
		return h.P(h.ID("image-picker"), h.Class("muted"),
			g.Text("Choosing images needs the permission "+afs.PermRead+"; ask an administrator."))
	}
	opts := files.PickerOptions{Name: "image", Label: "Select image", Accept: imageAccept}
	if folder, err := afs.Parse(strings.TrimRight(m.settings.Get(r.Context()).ImageFolder, "/")); err == nil {
		if info, err := m.fs.Stat(r.Context(), folder); err == nil && info.Folder {
			opts.Start = folder
		}
	}
	radio := func(v, label string, checked bool) g.Node {
		return h.Label(h.Input(h.Type("radio"), h.Name("as"), h.Value(v), g.If(checked, h.Checked())), g.Text(" "+label))
	}
	return h.FieldSet(h.ID("image-picker"), h.Class("image-picker"),
		ui.HX("post", m.prefix+"/admin/posts/"+p.ID+"/image"), ui.HX("trigger", "files:pick"),
		ui.HX("include", "#image-picker, #body"), ui.HX("target", "#body"), ui.HX("swap", "outerHTML"),
		h.Legend(g.Text("Select image")),
		h.Div(h.Class("buttons"), radio("body", "Insert into the post", true), radio("cover", "Use as cover", false)),
		m.files.Picker(opts),
	)
}

func coverField(v string) g.Node {
	return h.Input(h.ID("cover"), h.Name("cover"), h.Value(v), h.Placeholder("fs://local/photos/cover.jpg"))
}

// bodyField is the Markdown editor: each change renders the preview.
func (m *Module) bodyField(body string) g.Node {
	return h.Textarea(h.ID("body"), h.Name("body"), h.Rows("24"), h.Class("markdown"), g.Attr("spellcheck", "true"),
		ui.HX("post", m.prefix+"/admin/preview"), ui.HX("trigger", "load, input changed delay:300ms"),
		ui.HX("target", "#preview"), ui.HX("swap", "innerHTML"), g.Text(body))
}

// editor is the page with the Markdown on the left and the live preview
// on the right.
func (m *Module) editor(w http.ResponseWriter, r *http.Request) error {
	p, err := m.editable(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	base := m.prefix + "/admin/posts/" + p.ID
	slugValue := p.Slug
	if p.SlugAuto {
		slugValue = "" // follows the title until set
	}
	publishAt := ""
	if p.Status == Scheduled {
		publishAt = p.PublishedAt.UTC().Format("2006-01-02T15:04")
	}
	form := h.Form(h.ID("editor"), h.Class("blog-editor"), ui.HX("put", base), ui.HX("target", "#save-status"),
		h.Input(h.Type("hidden"), h.Name("save"), h.Value("true")),
		h.Div(h.ID("editor-fields"), h.Class("editor-fields"),
			g.If(p.Status == Draft, g.Group{ui.HX("post", base+"/autosave"), ui.HX("trigger", "input delay:1500ms"),
				ui.HX("include", "#editor"), ui.HX("target", "#save-status")}),
			h.Label(h.For("title"), g.Text("Title")), h.Input(h.ID("title"), h.Name("title"), h.Value(p.Title), h.Required()),
			h.Label(h.For("slug"), g.Text("Slug")), h.Input(h.ID("slug"), h.Name("slug"), h.Value(slugValue), h.Placeholder(p.Slug)),
			h.P(h.Class("muted"), g.Text("Address: "), h.Code(h.ID("post-url"), g.Text(m.prefix+"/"+p.Slug))),
			h.Label(h.For("tags"), g.Text("Tags (comma-separated)")), h.Input(h.ID("tags"), h.Name("tags"), h.Value(strings.Join(p.Tags, ", "))),
			h.Label(h.For("excerpt"), g.Text("Excerpt")), h.Textarea(h.ID("excerpt"), h.Name("excerpt"), h.Rows("2"), g.Text(p.Excerpt)),
			h.Label(h.For("cover"), g.Text("Cover image")), coverField(p.Cover),
			h.Label(h.For("body"), g.Text("Markdown")), m.bodyField(p.Body)),
		ui.FormErrors("editor"),
	)
	actions := h.Div(h.Class("editor-actions"),
		h.Button(h.Type("submit"), g.Attr("form", "editor"), h.Class("button primary"), h.ID("save"), g.Text("Save")),
		g.If(p.Status != Published, h.Button(h.Type("button"), h.Class("button"), h.ID("publish"),
			ui.HX("post", base+"/publish"), ui.HX("include", "#editor"), g.Text("Publish now"))),
		g.If(p.Status != Draft, h.Button(h.Type("button"), h.Class("button"), h.ID("unpublish"),
			ui.HX("post", base+"/unpublish"), g.Text("Back to draft"))),
		h.Label(h.For("publish-at"), g.Text("Publish at (UTC)")),
		h.Input(h.ID("publish-at"), h.Name("publish_at"), h.Type("datetime-local"), h.Value(publishAt)),
		h.Button(h.Type("button"), h.Class("button"), h.ID("schedule"),
			ui.HX("post", base+"/schedule"), ui.HX("include", "#editor, #publish-at"), g.Text("Schedule")),
		h.Button(h.Type("button"), h.Class("button"), h.ID("preview-link-button"), ui.HX("post", base+"/preview-link"),
			ui.HX("target", "#preview-link-out"), g.Text("Preview link")),
		h.Button(h.Type("button"), h.Class("button danger"), h.ID("delete"), ui.HX("delete", base),
			ui.HX("confirm", "Delete this post?"), g.Text("Delete")),
		h.Span(h.ID("preview-link-out")),
		h.Span(h.ID("save-status"), h.Class("muted"), h.Role("status"), g.Attr("aria-live", "polite")),
	)
	status := h.P(h.ID("post-status"), h.Class("status status-"+string(p.Status)), g.Text(string(p.Status)),
		g.If(p.Status == Scheduled, g.Text(" for "+when(p.PublishedAt))),
		g.If(p.Status == Published, g.Group{g.Text(" · "), h.A(h.Href(m.prefix+"/"+p.Slug), h.Target("_blank"), g.Text("view"))}))
	return m.shell.Render(w, r, ui.Page{Title: "Edit · " + p.Title, Active: m.prefix + "/admin/", Content: g.Group{
		m.stylesheet(),
		ui.PageHeader("✍️", p.Title, "By "+p.AuthorName),
		status, actions,
		h.Div(h.Class("editor-split"),
			h.Div(h.Class("editor-left"), form, m.selectImage(r, p), m.assetPicker()),
			h.Div(h.Class("editor-right"), h.H2(g.Text("Preview")),
				h.Div(h.ID("preview"), h.Class("post-body"), g.Raw(p.HTML)))),
	}})
}

// stylesheet links the blog's styles from a page inside the shell, whose
// head the module does not write.
func (m *Module) stylesheet() g.Node {
	return h.Link(h.Rel("stylesheet"), h.Href(m.shell.Assets().URL("blog.css")))
}
