package files

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/ui"
	"github.com/webos-go/webos/ui/markdown"
)

// MaxTextPreview is how much of a text file a preview shows.
const MaxTextPreview = 512 << 10

// DownloadURL returns the address of the file u in the afs HTTP API (the
// afs module mounts it under /api/fs): a download, with afs's hardening
// (never run as part of the site: HTML, SVG and scripts are attachments
// and every response carries "Content-Security-Policy: sandbox").
// Reading it needs afs.PermRead.
func DownloadURL(u afs.URN) string {
	return "/api/fs/files/" + escapePath(u)
}

func escapePath(u afs.URN) string {
	segs := []string{url.PathEscape(u.Source())}
	if p := u.Path(); p != "" {
		for s := range strings.SplitSeq(p, "/") {
			segs = append(segs, url.PathEscape(s))
		}
	}
	return strings.Join(segs, "/")
}

// rawURL is the preview address of u.
func (m *Module) rawURL(u afs.URN) string {
	return m.api("/raw?urn=" + url.QueryEscape(u.String()))
}

// raw serves a file for the viewer: passive types (images but SVG, audio,
// video, PDF, plain text) inline, everything else as an attachment, with
// Range requests. Only a PDF comes without the sandbox policy, which
// would keep the browser's PDF viewer from showing it; it is a PDF
// (nosniff), never HTML.
func (m *Module) raw(w http.ResponseWriter, r *http.Request) error {
	u, err := parseURN("urn", r.URL.Query().Get("urn"))
	if err != nil {
		return err
	}
	f, err := m.fs.Open(r.Context(), u)
	if err != nil {
		return err
	}
	defer f.Close()
	info := f.Info()
	typ, kind := typeOf(info.Name)
	inline := false
	switch kind {
	case "image":
		inline = typ != "image/svg+xml"
	case "audio", "video", "pdf":
		inline = true
	case "text", "code":
		typ, inline = "text/plain; charset=utf-8", true
	}
	if !inline {
		typ = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	hd.Set("Cache-Control", "private, no-cache")
	if kind != "pdf" {
		hd.Set("Content-Security-Policy", "sandbox")
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	hd.Set("Content-Disposition", afs.ContentDisposition(disp, info.Name))
	http.ServeContent(w, r, "", info.ModTime, f)
	return nil
}

// preview renders what the viewer shows of a file, an HTML fragment.
func (m *Module) preview(w http.ResponseWriter, r *http.Request) error {
	u, err := parseURN("urn", r.URL.Query().Get("urn"))
	if err != nil {
		return err
	}
	info, err := m.fs.Stat(r.Context(), u)
	if err != nil {
		return err
	}
	if info.Folder {
		return webos.Invalid("urn", "is a folder")
	}
	typ, kind := typeOf(info.Name)
	src := m.rawURL(u)
	var body g.Node
	switch {
	case kind == "image" && typ != "image/svg+xml":
		body = h.Img(h.Class("fc-preview-image"), h.Src(src), h.Alt(info.Name))
	case kind == "audio":
		body = h.Audio(h.Class("fc-preview-media"), h.Controls(), h.Src(src), g.Attr("preload", "metadata"))
	case kind == "video":
		body = h.Video(h.Class("fc-preview-media"), h.Controls(), h.Src(src), g.Attr("preload", "metadata"))
	case kind == "pdf":
		body = h.IFrame(h.Class("fc-preview-pdf"), h.Src(src), h.Title(info.Name))
	case isMarkdown(info.Name):
		body, err = m.markdownPreview(r, u, info)
		if err != nil {
			return err
		}
	case kind == "text" || kind == "code" || typ == "image/svg+xml" || info.Size <= MaxTextPreview:
		body, err = m.textPreview(r, u, info, kind)
		if err != nil {
			return err
		}
	default:
		body = h.P(h.Class("muted"), g.Text("There is no preview for this type of file."))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ui.SetSecurityHeaders(w.Header())
	return h.Div(h.Class("fc-preview"), g.Attr("data-kind", kind),
		h.Div(h.Class("fc-preview-head"),
			h.Strong(g.Text(info.Name)),
			h.Span(h.Class("muted"), g.Textf(" %s · %s", humanBytes(info.Size), cmpOr(typ, "unknown type"))),
			h.A(h.Class("button"), h.Href(DownloadURL(u)+"?download=true"), g.Attr("download", info.Name), g.Text("Download")),
		),
		body,
	).Render(w)
}

// textPreview shows the start of a text file as text: escaped, never
// interpreted (HTML is shown as its source).
func (m *Module) textPreview(r *http.Request, u afs.URN, info afs.Info, kind string) (g.Node, error) {
	b, cut, err := m.readText(r, u, info)
	if err != nil || b == nil {
		return noPreview(), err
	}
	return g.Group{
		h.Pre(h.Class("fc-preview-text"), g.Attr("data-kind", kind), h.Code(g.Text(string(b)))),
		cutNote(cut, len(b), info.Size),
	}, nil
}

// markdownPreview shows the start of a Markdown file rendered, through
// package markdown's pipeline: goldmark, then bluemonday as the last
// step, so that nothing in it runs — no script, handler, style, frame or
// form, links only to http, https, mailto and the site. Images and links
// to other files (relative to the file's folder, or afs URNs) point to
// those files' preview addresses, which serve them with the same
// hardening as every other preview.
func (m *Module) markdownPreview(r *http.Request, u afs.URN, info afs.Info) (g.Node, error) {
	b, cut, err := m.readText(r, u, info)
	if err != nil || b == nil {
		return noPreview(), err
	}
	html := markdown.Render(string(b), markdown.Options{Link: func(dest string) string { return m.markdownLink(u, dest) }})
	return g.Group{
		h.Div(h.Class("fc-preview-markdown"), g.Raw(html)),
		cutNote(cut, len(b), info.Size),
	}, nil
}

// markdownLink maps a link or image destination of the Markdown file u:
// an afs URN or a path relative to u's folder becomes the preview
// address of that file; anything else is kept for the sanitiser to judge.
func (m *Module) markdownLink(u afs.URN, dest string) string {
	if strings.HasPrefix(dest, "fs://") {
		if t, err := afs.Parse(dest); err == nil {
			return m.rawURL(t)
		}
		return dest
	}
	if dest == "" || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "?") {
		return dest
	}
	if i := strings.IndexAny(dest, ":/?#"); i >= 0 && dest[i] == ':' {
		return dest // has a scheme
	}
	p, _, _ := strings.Cut(dest, "#")
	p, _, _ = strings.Cut(p, "?")
	p, err := url.PathUnescape(p)
	if err != nil {
		return dest
	}
	p = path.Join(u.Parent().Path(), p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return dest
	}
	t, err := afs.NewURN(u.Source(), p)
	if err != nil {
		return dest
	}
	return m.rawURL(t)
}

// readText reads the start of the text file u, at most MaxTextPreview
// bytes, never half a character; nil when it is not text.
func (m *Module) readText(r *http.Request, u afs.URN, info afs.Info) (b []byte, cut bool, err error) {
	rc, err := m.fs.OpenRange(r.Context(), u, 0, MaxTextPreview)
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	b, err = io.ReadAll(io.LimitReader(rc, MaxTextPreview))
	if err != nil {
		return nil, false, fmt.Errorf("files: preview %s: %w", u, err)
	}
	cut = int64(len(b)) < info.Size
	if cut {
		// Do not show half a character at the cut.
		for len(b) > 0 && !utf8.Valid(b[len(b)-min(len(b), 3):]) {
			b = b[:len(b)-1]
		}
	}
	if !utf8.Valid(b) || strings.ContainsRune(string(b), 0) {
		return nil, false, nil
	}
	return b, cut, nil
}

func noPreview() g.Node {
	return h.P(h.Class("muted"), g.Text("There is no preview for this type of file."))
}

func cutNote(cut bool, shown int, size int64) g.Node {
	return g.If(cut, h.P(h.Class("muted"), g.Textf("The first %s of %s are shown.", humanBytes(int64(shown)), humanBytes(size))))
}

// isMarkdown reports whether the file name is a Markdown file's.
func isMarkdown(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown":
		return true
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
