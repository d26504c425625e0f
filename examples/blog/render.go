package blog

import (
	"net/url"
	"slices"
	"strings"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/ui/markdown"
)

// Renderer turns a post's Markdown into the HTML that the editor's preview
// and the public page both show: package ui/markdown's pipeline —
// goldmark (CommonMark with GitHub's tables, strikethrough, autolinks and
// task lists; raw HTML passed on), then bluemonday as the last step, which
// keeps only safe elements and attributes: no script, event handler,
// style, iframe, form or object, and links and images only to http,
// https, mailto and the site itself. Images and links written as afs URNs
// (![a cat](fs://local/blog/cat.png)) point to the blog's public media
// route. A Renderer is safe for concurrent use; the zero value is not
// usable: make one with [NewRenderer].
type Renderer struct {
	media  string
	srcset func(afs.URN) []srcCandidate // the media library's sizes of an image (assets.go)
}

// NewRenderer returns the pipeline; mediaPrefix is the URL path under
// which the blog serves afs files, such as "/blog/media".
func NewRenderer(mediaPrefix string) *Renderer {
	return &Renderer{media: strings.TrimRight(mediaPrefix, "/")}
}

// Rendered is a post's body as HTML and the afs URNs it shows or links.
type Rendered struct {
	HTML  string
	Files []string
}

// Render converts md to sanitised HTML, recording the afs URNs that its
// links and images name.
func (r *Renderer) Render(md string) Rendered {
	var files []string
	add := func(u string) {
		if !slices.Contains(files, u) {
			files = append(files, u)
		}
	}
	html := markdown.Render(md, markdown.Options{
		Link: func(dest string) string {
			if !strings.HasPrefix(dest, "fs://") {
				return dest
			}
			m := r.MediaURL(dest)
			if m == "" {
				return dest // not a URN: the sanitiser drops the fs: scheme
			}
			urn, _ := afs.Parse(dest)
			add(urn.String())
			return m
		},
		Srcset: func(dest string) (string, string) { return r.srcsetOf(dest, add) },
	})
	return Rendered{HTML: html, Files: files}
}

// MediaURL returns the public URL of an afs URN, or "" when u is not a
// valid URN.
func (r *Renderer) MediaURL(u string) string {
	urn, err := afs.Parse(u)
	if err != nil {
		return ""
	}
	return r.media + "/" + url.PathEscape(urn.Source()) + "/" + escapePath(urn.Path())
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}
