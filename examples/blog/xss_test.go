package blog_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/webos-go/webos/internal/xsstest"
)

// TestXSSPayloads sends every payload through the editor's preview, and
// all of them together through the public page, and finds nothing that
// runs.
func TestXSSPayloads(t *testing.T) {
	if len(xsstest.Payloads) < 50 {
		t.Fatalf("only %d payloads", len(xsstest.Payloads))
	}
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	for i, p := range xsstest.Payloads {
		r := e.do(t, "POST", "/blog/admin/preview", ada, jsonCT, mustJSON(map[string]string{"body": p}))
		if r.code != 200 {
			t.Fatalf("payload %d: %d %s", i, r.code, r.body)
		}
		if bad := xsstest.Unsafe(r.body); len(bad) > 0 {
			t.Errorf("payload %d %q: the preview keeps %v in %q", i, p, bad, r.body)
		}
	}
	all := strings.Join(xsstest.Payloads, "\n\n")
	post := e.post(t, ada, map[string]any{"title": `<script>alert("title")</script>` + randHex(), "body": all,
		"excerpt": `"><script>alert(1)</script>`, "tags": []string{"xss"}})
	e.act(t, ada, post.ID, "publish", "")
	page := e.do(t, "GET", "/blog/"+post.Slug, "", "", "")
	if page.code != 200 {
		t.Fatalf("public page: %d", page.code)
	}
	body := postBody(t, page.body)
	if bad := xsstest.Unsafe(body); len(bad) > 0 {
		t.Errorf("the public page keeps %v", bad)
	}
	// The whole page, title and excerpt included, has no script at all.
	doc := strings.NewReader(page.body)
	root, _ := html.Parse(doc)
	var scripts int
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "iframe") {
			scripts++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if scripts > 0 {
		t.Errorf("%d script or iframe elements on the public page", scripts)
	}
	prev := e.do(t, "POST", "/blog/admin/preview", ada, jsonCT, mustJSON(map[string]string{"body": all}))
	if prev.body != body {
		t.Errorf("preview and public page differ for the payloads")
	}
	if !strings.Contains(page.hdr.Get("Content-Security-Policy"), "script-src 'none'") {
		t.Errorf("CSP %q", page.hdr.Get("Content-Security-Policy"))
	}
	t.Logf("%d payloads", len(xsstest.Payloads))
}
