package markdown

import (
	"bytes"
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options are a render's hooks; the zero value renders the Markdown as it
// is written.
type Options struct {
	// Link maps the destination of a link or image, as the Markdown wrote
	// it, to the address to write instead; it returns dest to keep it. The
	// result is sanitised like any other link.
	Link func(dest string) string
	// Srcset gives an image, by its destination as the Markdown wrote it,
	// a srcset and sizes ("" for none): the other sizes of the same image.
	// Only site-relative candidates ("/path 640w, /path 1280w") survive the
	// sanitiser, so neither a hook nor raw HTML in the Markdown can point
	// an image at another site or a data: URL that way.
	Srcset func(dest string) (srcset, sizes string)
}

// Render converts the Markdown src to sanitised HTML (see the package
// documentation for what is kept), calling o's hooks on its links and
// images first. Render is safe for concurrent use.
func Render(src string, o Options) string {
	p := pipeline()
	var buf bytes.Buffer
	ctx := parser.NewContext()
	ctx.Set(optionsKey, o)
	if err := p.md.Convert([]byte(src), &buf, parser.WithContext(ctx)); err != nil {
		// goldmark fails only when the writer does; a bytes.Buffer does not.
		return ""
	}
	return p.policy.Sanitize(buf.String())
}

type pipe struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// pipeline is built once: both halves are safe for concurrent use.
var pipeline = sync.OnceValue(func() pipe {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(links{}, 100))),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$|^checked$|^disabled$`)).OnElements("input")
	// bluemonday checks src, not srcset: only site-relative candidates.
	p.AllowAttrs("srcset").Matching(regexp.MustCompile(`^/[^\s,:]+ \d{1,5}w(, /[^\s,:]+ \d{1,5}w)*$`)).OnElements("img")
	p.AllowAttrs("sizes").Matching(regexp.MustCompile(`^[\w\s().,:%-]{1,200}$`)).OnElements("img")
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return pipe{md: md, policy: p}
})

var optionsKey = parser.NewContextKey()

// links hands link and image destinations to the render's hooks.
type links struct{}

func (links) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	o, _ := pc.Get(optionsKey).(Options)
	if o.Link == nil && o.Srcset == nil {
		return
	}
	link := o.Link
	if link == nil {
		link = func(dest string) string { return dest }
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			dest := string(n.Destination)
			n.Destination = []byte(link(dest))
			if o.Srcset != nil {
				if set, sizes := o.Srcset(dest); set != "" {
					n.SetAttributeString("srcset", []byte(set))
					if sizes != "" {
						n.SetAttributeString("sizes", []byte(sizes))
					}
				}
			}
		case *ast.Link:
			n.Destination = []byte(link(string(n.Destination)))
		}
		return ast.WalkContinue, nil
	})
}
