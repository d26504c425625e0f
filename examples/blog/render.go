package blog

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/webos-go/webos/afs"
)

// Renderer turns a post's Markdown into the HTML that the editor's preview
// and the public page both show: goldmark (CommonMark with GitHub's
// tables, strikethrough, autolinks and task lists; raw HTML passed on),
// then bluemonday as the last step, which keeps only safe elements and
// attributes — no script, event handler, style, iframe, form or object,
// and links and images only to http, https, mailto and the site itself.
// Images and links written as afs URNs (![a cat](fs://local/blog/cat.png))
// point to the blog's public media route. A Renderer is safe for
// concurrent use; the zero value is not usable: make one with
// [NewRenderer].
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	media  string
	srcset func(afs.URN) []srcCandidate // the media library's sizes of an image (assets.go)
}

// NewRenderer returns the pipeline; mediaPrefix is the URL path under
// which the blog serves afs files, such as "/blog/media".
func NewRenderer(mediaPrefix string) *Renderer {
	r := &Renderer{media: strings.TrimRight(mediaPrefix, "/")}
	r.md = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(urnLinks{r}, 100))),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$|^checked$|^disabled$`)).OnElements("input")
	p.AllowAttrs("srcset", "sizes").OnElements("img") // media library images (assets.go)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	r.policy = p
	return r
}

// Rendered is a post's body as HTML and the afs URNs it shows or links.
type Rendered struct {
	HTML  string
	Files []string
}

// Render converts md to sanitised HTML.
func (r *Renderer) Render(md string) Rendered {
	var buf bytes.Buffer
	ctx := parser.NewContext()
	if err := r.md.Convert([]byte(md), &buf, parser.WithContext(ctx)); err != nil {
		// goldmark fails only when the writer does; a bytes.Buffer does not.
		return Rendered{}
	}
	files, _ := ctx.Get(filesKey).([]string)
	return Rendered{HTML: r.policy.Sanitize(buf.String()), Files: files}
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

var filesKey = parser.NewContextKey()

// urnLinks rewrites link and image destinations that are afs URNs to the
// media route and records them.
type urnLinks struct{ r *Renderer }

func (t urnLinks) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	var files []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var dest *[]byte
		switch n := n.(type) {
		case *ast.Image:
			dest = &n.Destination
		case *ast.Link:
			dest = &n.Destination
		default:
			return ast.WalkContinue, nil
		}
		if !bytes.HasPrefix(*dest, []byte("fs://")) {
			return ast.WalkContinue, nil
		}
		u := string(*dest)
		if m := t.r.MediaURL(u); m != "" {
			*dest = []byte(m)
			urn, _ := afs.Parse(u)
			if !slices.Contains(files, urn.String()) {
				files = append(files, urn.String())
			}
			if img, ok := n.(*ast.Image); ok {
				files = t.r.addSrcset(img, urn, files)
			}
		}
		return ast.WalkContinue, nil
	})
	pc.Set(filesKey, files)
}
