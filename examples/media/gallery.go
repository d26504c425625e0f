package media

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/ui"
)

// The gallery: a grid of 256 px thumbnails, newest first, grouped by
// month, loaded a page at a time as it is scrolled (keyset cursors);
// images load lazily; a tile whose derivatives are still being made asks
// for itself again every two seconds until they are there.

func (m *Module) gallery(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	pg, err := m.page(r.Context(), q, pageSize)
	if err != nil {
		return err
	}
	canUpload := m.app.Can(r.Context(), afs.PermWrite)
	opt := func(v, label, cur string) g.Node {
		return h.Option(h.Value(v), g.If(v == cur, h.Selected()), g.Text(label))
	}
	kinds := []g.Node{opt("", "Any type", q.Kind)}
	for _, k := range Kinds {
		kinds = append(kinds, opt(k, kindLabel(k), q.Kind))
	}
	filters := h.Form(h.ID("media-filter"), h.Class("media-filter"), h.Method("get"), h.Action(m.prefix+"/"),
		h.Label(h.For("mf-q"), g.Text("Search")), h.Input(h.ID("mf-q"), h.Name("q"), h.Type("search"), h.Value(q.Q), h.Placeholder("title, tag or file name")),
		h.Label(h.For("mf-kind"), g.Text("Type")), h.Select(h.ID("mf-kind"), h.Name("kind"), g.Group(kinds)),
		h.Label(h.For("mf-album"), g.Text("Album")), h.Input(h.ID("mf-album"), h.Name("album"), h.Value(q.Album), g.Attr("size", "10")),
		h.Label(h.For("mf-camera"), g.Text("Camera")), h.Input(h.ID("mf-camera"), h.Name("camera"), h.Value(q.Camera), g.Attr("size", "12")),
		h.Label(h.For("mf-from"), g.Text("From")), h.Input(h.ID("mf-from"), h.Name("from"), h.Type("date"), h.Value(q.FromS)),
		h.Label(h.For("mf-to"), g.Text("To")), h.Input(h.ID("mf-to"), h.Name("to"), h.Type("date"), h.Value(q.ToS)),
		h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Apply")),
		g.If(!q.empty(), h.A(h.Class("button"), h.Href(m.prefix+"/"), g.Text("Clear"))),
	)
	toolbar := h.Div(h.ID("media-select-bar"), h.Class("media-select-bar"), g.Attr("hidden", ""),
		h.Span(h.ID("media-selected"), g.Text("0 selected")),
		h.Label(h.For("ms-tag"), h.Class("media-hidden"), g.Text("Tag")), h.Input(h.ID("ms-tag"), h.Placeholder("tag"), g.Attr("size", "10")),
		h.Button(h.Type("button"), h.Class("button"), g.Attr("data-bulk", "tag"), g.Text("Add tag")),
		h.Label(h.For("ms-album"), h.Class("media-hidden"), g.Text("Album")), h.Input(h.ID("ms-album"), h.Placeholder("album"), g.Attr("size", "10")),
		h.Button(h.Type("button"), h.Class("button"), g.Attr("data-bulk", "album"), g.Text("Add to album")),
		h.Button(h.Type("button"), h.Class("button danger"), g.Attr("data-bulk", "delete"), g.Text("Delete")),
		h.Button(h.Type("button"), h.Class("button"), g.Attr("data-bulk", "clear"), g.Text("Clear selection")),
	)
	upload := g.If(canUpload, h.Div(h.ID("upload"), h.Class("media-upload"),
		h.Label(h.Class("button primary"), h.For("media-files"), g.Text("Upload…")),
		h.Input(h.ID("media-files"), h.Type("file"), g.Attr("multiple", ""), h.Class("media-hidden")),
		h.Span(h.Class("muted"), g.Text(" or drop files on the gallery")),
		h.Ul(h.ID("media-uploads"), h.Class("media-uploads"), g.Attr("aria-live", "polite")),
	))
	importer := g.If(m.app.Can(r.Context(), afs.PermRead), h.Details(h.Class("media-import"),
		h.Summary(g.Text("Import a folder")),
		h.Form(h.ID("media-import"), h.Class("media-filter"),
			h.Label(h.For("mi-folder"), g.Text("Folder")),
			h.Input(h.ID("mi-folder"), h.Name("folder"), h.Placeholder("fs://local/photos"), g.Attr("size", "30")),
			h.Button(h.Type("submit"), h.Class("button"), g.Text("Import")),
			g.If(m.app.Can(r.Context(), PermAdmin), h.Button(h.Type("button"), h.Class("button"), h.ID("media-regenerate"),
				g.Text("Regenerate missing thumbnails"))),
			h.Span(h.ID("media-import-status"), h.Role("status"), g.Attr("aria-live", "polite")))))
	return m.shell.Render(w, r, ui.Page{Title: "Media", Content: h.Div(h.ID("media"), h.Class("media"),
		g.Attr("data-media", ""), g.Attr("data-api", m.prefix+"/api"),
		ui.PageHeader("🖼️", "Media", "Your photos, videos and documents."),
		upload, importer, filters,
		h.P(h.ID("media-error"), h.Class("form-error"), h.Role("alert")),
		toolbar,
		h.Div(h.ID("media-grid"), h.Class("media-grid"),
			g.If(len(pg.Items) == 0, h.P(h.Class("muted media-empty"), g.Text(emptyText(q)))),
			m.tiles(pg.Items, "", q, pg.Next)),
	)})
}

func emptyText(q query) string {
	if !q.empty() {
		return "Nothing matches. Try other filters."
	}
	return "No files yet. Upload some photos to start your library."
}

func kindLabel(k string) string {
	switch k {
	case KindImage:
		return "Images"
	case KindVideo:
		return "Videos"
	case KindAudio:
		return "Audio"
	case KindPDF:
		return "PDFs"
	}
	return "Other files"
}

// tiles renders a page of tiles with a month heading wherever the month
// changes (prev is the month of the tile before the page), and the
// sentinel that loads the next page when it scrolls into view.
func (m *Module) tiles(as []Asset, prev string, q query, next string) g.Node {
	nodes := make([]g.Node, 0, len(as)+8)
	for i := range as {
		if mo := month(as[i].Date); mo != prev {
			nodes = append(nodes, h.H2(h.Class("media-month"), g.Attr("data-month", mo), g.Text(as[i].Date.UTC().Format("January 2006"))))
			prev = mo
		}
		nodes = append(nodes, m.tileNode(&as[i]))
	}
	if next != "" {
		v := url.Values{}
		set := func(k, s string) {
			if s != "" {
				v.Set(k, s)
			}
		}
		set("q", q.Q)
		set("kind", q.Kind)
		set("album", q.Album)
		set("camera", q.Camera)
		set("from", q.FromS)
		set("to", q.ToS)
		v.Set("after", next)
		v.Set("month", prev)
		nodes = append(nodes, h.Div(h.Class("media-more"), ui.HX("get", m.prefix+"/more?"+v.Encode()),
			ui.HX("trigger", "revealed"), ui.HX("swap", "outerHTML"), g.Text("Loading more…")))
	}
	return g.Group(nodes)
}

func (m *Module) more(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	prev := r.URL.Query().Get("month")
	if len(prev) > 7 {
		prev = ""
	}
	pg, err := m.page(r.Context(), q, pageSize)
	if err != nil {
		return err
	}
	return writeFragment(w, m.tiles(pg.Items, prev, q, pg.Next))
}

func (m *Module) tile(w http.ResponseWriter, r *http.Request) error {
	a, err := m.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeFragment(w, m.tileNode(a))
}

func writeFragment(w http.ResponseWriter, n g.Node) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "HX-Request")
	ui.SetSecurityHeaders(w.Header())
	return n.Render(w)
}

// tileNode is one asset in the grid.
func (m *Module) tileNode(a *Asset) g.Node {
	label := a.Label()
	return h.Figure(h.Class("media-tile media-"+a.Thumbs), g.Attr("data-id", a.ID), g.Attr("data-thumbs", a.Thumbs),
		g.Attr("data-tags", strings.Join(a.Tags, ",")),
		g.If(a.Thumbs == ThumbsPending, g.Group{ui.HX("get", m.prefix+"/tile/"+url.PathEscape(a.ID)),
			ui.HX("trigger", "every 2s"), ui.HX("swap", "outerHTML")}),
		h.Label(h.Class("media-check"), h.Input(h.Type("checkbox"), h.Class("media-pick"), h.Value(a.ID),
			g.Attr("aria-label", "Select "+label))),
		h.A(h.Href(m.prefix+"/assets/"+url.PathEscape(a.ID)), h.Class("media-link"),
			m.thumbNode(a, 256)),
		h.FigCaption(g.Text(label)),
	)
}

// thumbNode is the asset's picture at ladder size px, or an icon.
func (m *Module) thumbNode(a *Asset, px int) g.Node {
	if d, ok := a.derivative(px); ok {
		return h.Img(h.Src(m.fileURL(a.ID, strconv.Itoa(px))), h.Alt(a.Label()), g.Attr("loading", "lazy"),
			g.Attr("decoding", "async"), h.Width(strconv.Itoa(d.Width)), h.Height(strconv.Itoa(d.Height)))
	}
	switch a.Thumbs {
	case ThumbsPending:
		return h.Span(h.Class("media-icon media-wait"), h.Role("img"), g.Attr("aria-label", "Making the thumbnail"), g.Text("⏳"))
	case ThumbsQuarantined:
		return h.Span(h.Class("media-icon media-bad"), h.Role("img"), h.Title("No thumbnail: "+a.Reason),
			g.Attr("aria-label", "No thumbnail: "+a.Reason), g.Text("⚠️"))
	}
	return h.Span(h.Class("media-icon"), h.Role("img"), g.Attr("aria-label", kindLabel(a.Kind)), g.Text(kindIcon(a.Kind)))
}

func kindIcon(k string) string {
	switch k {
	case KindImage:
		return "🖼️"
	case KindVideo:
		return "🎬"
	case KindAudio:
		return "🎵"
	case KindPDF:
		return "📄"
	}
	return "📦"
}

// detail is one asset: the preview, its metadata and the edit form.
func (m *Module) detail(w http.ResponseWriter, r *http.Request) error {
	a, err := m.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var view g.Node
	switch {
	case len(a.Derivatives) > 0:
		view = h.A(h.Href(m.fileURL(a.ID, "original")), h.Target("_blank"), m.thumbNode(a, 1280))
	case a.Kind == KindVideo && servable(a.Type):
		view = h.Video(g.Attr("controls", ""), g.Attr("preload", "metadata"), h.Src(m.fileURL(a.ID, "original")))
	case a.Kind == KindAudio && servable(a.Type):
		view = h.Audio(g.Attr("controls", ""), h.Src(m.fileURL(a.ID, "original")))
	default:
		view = h.Div(m.thumbNode(a, 1280), h.P(h.A(h.Href(m.fileURL(a.ID, "original")), g.Text("Open the file"))))
	}
	row := func(k string, v string) g.Node {
		if v == "" {
			return nil
		}
		return g.Group{h.Dt(g.Text(k)), h.Dd(g.Text(v))}
	}
	meta := h.Dl(h.ID("media-meta"), h.Class("media-meta"),
		row("File", a.Name), row("Type", a.Type), row("Size", humanBytes(a.Size)),
		row("Pixels", dims(a)), row("Taken", takenText(a)), row("Camera", a.Camera), row("Place", gpsText(a.EXIF.GPS)),
		row("Added", a.CreatedAt.UTC().Format("2 Jan 2006 15:04 UTC")), row("Thumbnails", thumbsText(a)),
		row("SHA-256", a.SHA256))
	form := h.Form(h.ID("media-edit"), h.Class("media-edit"), ui.HX("post", m.prefix+"/assets/"+url.PathEscape(a.ID)),
		ui.HX("target", "#media-edit-status"), ui.HX("swap", "innerHTML"),
		h.Label(h.For("me-title"), g.Text("Title")), h.Input(h.ID("me-title"), h.Name("title"), h.Value(a.Title), h.MaxLength("200")),
		h.Label(h.For("me-description"), g.Text("Description")), h.Textarea(h.ID("me-description"), h.Name("description"), h.Rows("3"), g.Text(a.Description)),
		h.Label(h.For("me-tags"), g.Text("Tags (comma-separated)")), h.Input(h.ID("me-tags"), h.Name("tags"), h.Value(strings.Join(a.Tags, ", "))),
		h.Label(h.For("me-albums"), g.Text("Albums (comma-separated)")), h.Input(h.ID("me-albums"), h.Name("albums"), h.Value(strings.Join(a.Albums, ", "))),
		h.Div(h.Class("buttons"),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Save")),
			h.Button(h.Type("button"), h.Class("button danger"), h.ID("media-delete"), g.Attr("data-id", a.ID), g.Text("Delete")),
			h.Span(h.ID("media-edit-status"), h.Role("status"), g.Attr("aria-live", "polite"))),
		ui.FormErrors("media-edit"),
	)
	return m.shell.Render(w, r, ui.Page{Title: a.Label() + " · Media", Active: m.prefix + "/", Content: h.Div(h.Class("media media-detail"),
		g.Attr("data-media", ""), g.Attr("data-api", m.prefix+"/api"), g.Attr("data-home", m.prefix+"/"),
		h.P(h.A(h.Href(m.prefix+"/"), g.Text("← Gallery"))),
		h.H1(g.Text(a.Label())),
		h.P(h.ID("media-error"), h.Class("form-error"), h.Role("alert")),
		h.Div(h.Class("media-detail-split"), h.Div(h.Class("media-view"), view), h.Div(h.Class("media-side"), meta, form)),
	)})
}

func savedNote(a *Asset) g.Node {
	return g.Textf("Saved %s.", time.Now().UTC().Format("15:04:05"))
}

func dims(a *Asset) string {
	if a.Width == 0 {
		return ""
	}
	return fmt.Sprintf("%d × %d", a.Width, a.Height)
}

func takenText(a *Asset) string {
	if a.EXIF.TakenAt.IsZero() {
		return ""
	}
	return a.EXIF.TakenAt.UTC().Format("2 Jan 2006 15:04")
}

func gpsText(p *GPS) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%.5f, %.5f", p.Lat, p.Lon)
}

func thumbsText(a *Asset) string {
	switch a.Thumbs {
	case ThumbsReady:
		return "made at " + ladderText() + " px"
	case ThumbsPending:
		return "being made"
	case ThumbsQuarantined:
		return "quarantined: " + a.Reason
	}
	return "none (not an image)"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
