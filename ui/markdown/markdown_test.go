package markdown_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/webos-go/webos/ui/markdown"
)

// payloads try to get script, a foreign page or styles into the result.
var payloads = []string{
	`<script>alert(1)</script>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<iframe srcdoc="<script>alert(1)</script>"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<style>body{display:none}</style>`,
	`<form action="javascript:alert(1)"><button>go</button></form>`,
	`<input autofocus onfocus=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<math href="javascript:alert(1)">CLICK</math>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`,
	`<!--><img src=x onerror=alert(1)>-->`,
	`[click](javascript:alert(1))`,
	`[click](javascript&#58;alert(1))`,
	`[click](<javascript:alert(1)>)`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x"onerror="alert(1)](x.png)`,
	`[x](https://example.com "title\" onmouseover=\"alert(1)")`,
	"[ref]\n\n[ref]: javascript:alert(1)",
	"```\"><script>alert(1)</script>\nx\n```",
	"- [x] <input type=text onfocus=alert(1)> done",
}

// unsafe walks the HTML as a browser parses it and reports what could run
// script, load a page or restyle it.
func unsafe(fragment string) []string {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return []string{"unparsable: " + err.Error()}
	}
	banned := map[string]bool{"script": true, "style": true, "iframe": true, "object": true, "embed": true, "svg": true,
		"math": true, "form": true, "base": true, "meta": true, "link": true, "template": true, "button": true, "noscript": true}
	var bad []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if banned[n.Data] {
				bad = append(bad, "element "+n.Data)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					bad = append(bad, "handler "+k)
				case k == "style" || k == "srcdoc" || k == "formaction":
					bad = append(bad, "attribute "+k)
				case n.Data == "input" && k == "type" && a.Val != "checkbox":
					bad = append(bad, "input of type "+a.Val)
				case k == "href" || k == "src" || k == "action" || k == "data":
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					scheme, _, colon := strings.Cut(v, ":")
					if colon && !strings.ContainsAny(scheme, "/?#") && scheme != "http" && scheme != "https" && scheme != "mailto" {
						bad = append(bad, k+"="+a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

func TestRenderIsSafe(t *testing.T) {
	for _, raw := range []string{`<script>x</script>`, `<img onerror=x>`, `<a href="javascript:x">`, `<p style="x">`, `<input type=text>`} {
		if len(unsafe(raw)) == 0 {
			t.Fatalf("the checker misses %s", raw)
		}
	}
	for _, p := range payloads {
		if bad := unsafe(markdown.Render(p, markdown.Options{})); len(bad) > 0 {
			t.Errorf("%q keeps %v", p, bad)
		}
	}
	all := strings.Join(payloads, "\n\n")
	if bad := unsafe(markdown.Render(all, markdown.Options{})); len(bad) > 0 {
		t.Errorf("all payloads together keep %v", bad)
	}
	// A rewritten destination is sanitised too.
	out := markdown.Render("[a](fs://x) ![b](fs://y)", markdown.Options{Link: func(string) string { return "javascript:alert(1)" }})
	if bad := unsafe(out); len(bad) > 0 || strings.Contains(out, "javascript") {
		t.Errorf("a rewritten link keeps %v: %s", bad, out)
	}
}

func TestRenderKeepsMarkdown(t *testing.T) {
	src := "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ **bold** `code`\n\n```go\nfunc main() {}\n```\n\n" +
		"[site](/files/) [ext](https://example.com) <https://go.dev>\n\n<sub>x</sub>"
	out := markdown.Render(src, markdown.Options{})
	for _, want := range []string{
		"<h1>Title</h1>", "<table>", "<td>1</td>", `<input checked="" disabled="" type="checkbox"`, "<del>old</del>",
		"<strong>bold</strong>", "<code>code</code>", `<code class="language-go">func main() {}`,
		`<a href="/files/" rel="nofollow">site</a>`, `<a href="https://example.com" rel="nofollow noreferrer">ext</a>`,
		`<a href="https://go.dev" rel="nofollow noreferrer">https://go.dev</a>`, "<sub>x</sub>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	// Destinations reach the LinkFunc as written, images and links alike.
	var seen []string
	markdown.Render("[a](fs://local/a.txt) ![b](b.png)", markdown.Options{Link: func(d string) string { seen = append(seen, d); return d }})
	if strings.Join(seen, " ") != "fs://local/a.txt b.png" {
		t.Errorf("destinations %q", seen)
	}
}

// TestSrcset checks that an image gets the srcset its hook gives, and that
// only site-relative candidates survive, from a hook or from raw HTML.
func TestSrcset(t *testing.T) {
	o := markdown.Options{Srcset: func(dest string) (string, string) {
		switch dest {
		case "cat.png":
			return "/m/cat-256.jpg 256w, /m/cat-1280.jpg 1280w", "(max-width: 1280px) 100vw, 1280px"
		case "evil.png":
			return "https://evil.example/x.jpg 256w, data:image/png;base64,AAAA 1280w", "100vw"
		}
		return "", ""
	}}
	out := markdown.Render("![a cat](cat.png) ![evil](evil.png) ![plain](plain.png)\n\n"+
		`<img src="/x.png" srcset="javascript:alert(1) 1x">`+"\n\n"+`<img src="/y.png" srcset="/y-2.png 640w" sizes="100vw">`, o)
	for _, want := range []string{
		`<img src="cat.png" alt="a cat" srcset="/m/cat-256.jpg 256w, /m/cat-1280.jpg 1280w" sizes="(max-width: 1280px) 100vw, 1280px">`,
		`<img src="plain.png" alt="plain">`,
		`<img src="/y.png" srcset="/y-2.png 640w" sizes="100vw">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
	for _, bad := range []string{"evil.example", "data:", "javascript"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s survived: %s", bad, out)
		}
	}
}
