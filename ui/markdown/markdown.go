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

// LinkFunc maps the destination of a link or image, as the Markdown
// wrote it, to the address to write instead; it returns dest to keep it.
// The result is sanitised like any other link.
type LinkFunc func(dest string) string

// Render converts the Markdown src to sanitised HTML (see the package
// documentation for what is kept). link, when not nil, rewrites every link
// and image destination first. Render is safe for concurrent use.
func Render(src string, link LinkFunc) string {
	p := pipeline()
	var buf bytes.Buffer
	ctx := parser.NewContext()
	if link != nil {
		ctx.Set(linkKey, link)
	}
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
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return pipe{md: md, policy: p}
})

var linkKey = parser.NewContextKey()

// links hands link and image destinations to the render's LinkFunc.
type links struct{}

func (links) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	link, _ := pc.Get(linkKey).(LinkFunc)
	if link == nil {
		return
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			n.Destination = []byte(link(string(n.Destination)))
		case *ast.Link:
			n.Destination = []byte(link(string(n.Destination)))
		}
		return ast.WalkContinue, nil
	})
}
