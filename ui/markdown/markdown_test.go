package markdown_test

import (
	"strings"
	"testing"

	"github.com/webos-go/webos/internal/xsstest"
	"github.com/webos-go/webos/ui/markdown"
)

func TestRenderIsSafe(t *testing.T) {
	for _, p := range xsstest.Payloads {
		if bad := xsstest.Unsafe(markdown.Render(p, markdown.Options{})); len(bad) > 0 {
			t.Errorf("%q keeps %v", p, bad)
		}
	}
	all := strings.Join(xsstest.Payloads, "\n\n")
	if bad := xsstest.Unsafe(markdown.Render(all, markdown.Options{})); len(bad) > 0 {
		t.Errorf("all payloads together keep %v", bad)
	}
	// A rewritten destination is sanitised too.
	out := markdown.Render("[a](fs://x) ![b](fs://y)", markdown.Options{Link: func(string) string { return "javascript:alert(1)" }})
	if bad := xsstest.Unsafe(out); len(bad) > 0 || strings.Contains(out, "javascript") {
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
