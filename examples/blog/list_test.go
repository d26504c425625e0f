package blog_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// gridRows is the JSON of the posts grid's rows route.
type gridRows struct {
	Rows  []map[string]any `json:"rows"`
	Next  string           `json:"next"`
	Total *struct {
		N int64 `json:"n"`
	} `json:"total"`
}

// TestPostsGrid: the private posts list is an explorer grid at
// /blog/admin/: an author's own posts (everyone's for blog.admin, with
// the author column), filtered by status and tag, titles searched, paged
// by cursors, each row opening the editor; the page carries the New post
// button. Bad filters are 400 JSON.
func TestPostsGrid(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	_, bob := e.user(t, "Bob", "writer")
	_, eve := e.user(t, "Eve", "blog-editor")
	word := "grid" + randHex()
	mk := func(token, title string, tags []string, publish bool) string {
		p := e.post(t, token, map[string]any{"title": word + " " + title, "tags": tags})
		if publish {
			e.act(t, token, p.ID, "publish", "")
		}
		return p.ID
	}
	goPub := mk(ada, "Go news", []string{"Go", "news"}, true)
	goDraft := mk(ada, "Go draft", []string{"go"}, false)
	other := mk(ada, "Cooking", []string{"food"}, true)
	bobs := mk(bob, "Bob's Go post", []string{"go"}, true)

	rows := func(token string, q url.Values) (int, gridRows, string) {
		t.Helper()
		if !q.Has("f.title") {
			q.Set("f.title", word) // this test's posts only
		}
		q.Set("count", "1")
		r := e.do(t, "GET", "/blog/admin/rows?"+q.Encode(), token, "", "")
		var out gridRows
		_ = json.Unmarshal([]byte(r.body), &out)
		return r.code, out, r.body
	}
	ids := func(g gridRows) []string {
		var out []string
		for _, r := range g.Rows {
			out = append(out, r["id"].(string))
		}
		return out
	}
	for _, c := range []struct {
		who, token string
		q          url.Values
		want       []string
	}{
		{"Ada, everything", ada, url.Values{}, []string{other, goDraft, goPub}},
		{"Ada, published", ada, url.Values{"f.status": {"published"}}, []string{other, goPub}},
		{"Ada, tag Go", ada, url.Values{"f.tags": {"Go"}}, []string{goDraft, goPub}},
		{"Ada, published with tag go", ada, url.Values{"f.status": {"published"}, "f.tags": {"go"}}, []string{goPub}},
		{"Ada, title search", ada, url.Values{"f.title": {word + " go D"}}, []string{goDraft}},
		{"Bob", bob, url.Values{}, []string{bobs}},
		{"Eve (blog.admin), tag go", eve, url.Values{"f.tags": {"go"}}, []string{bobs, goDraft, goPub}},
	} {
		code, g, body := rows(c.token, c.q)
		if code != 200 || !slices.Equal(ids(g), c.want) {
			t.Errorf("%s: %d %v, want %v (%s)", c.who, code, ids(g), c.want, body)
		}
	}
	// Columns: tags in one cell; the author only for blog.admin.
	_, g, _ := rows(eve, url.Values{"f.tags": {"news"}})
	if len(g.Rows) != 1 || g.Rows[0]["tags"] != "go, news" || g.Rows[0]["author_name"] != "Ada" || g.Rows[0]["status"] != "published" || g.Rows[0]["published_at"] == nil {
		t.Errorf("Eve's row: %v", g.Rows)
	}
	_, g, _ = rows(ada, url.Values{"f.status": {"draft"}})
	if len(g.Rows) != 1 || g.Rows[0]["published_at"] != nil {
		t.Errorf("a draft has no publish time: %v", g.Rows)
	}
	if _, ok := g.Rows[0]["author_name"]; ok {
		t.Errorf("a writer sees the author column: %v", g.Rows[0])
	}
	// Paging by cursor, sorted by title.
	_, g1, _ := rows(ada, url.Values{"limit": {"2"}, "sort": {"title"}})
	if len(g1.Rows) != 2 || g1.Next == "" || g1.Total == nil || g1.Total.N != 3 || g1.Rows[0]["id"] != other {
		t.Fatalf("first page: %+v", g1)
	}
	_, g2, _ := rows(ada, url.Values{"limit": {"2"}, "sort": {"title"}, "after": {g1.Next}})
	if !slices.Equal(ids(g2), []string{goPub}) {
		t.Errorf("second page: %v", ids(g2))
	}
	// Bad input: 400 JSON.
	for _, q := range []string{"f.status=bogus", "filter=body:contains:x", "filter=tags:contains:g", "sort=body", "after=forged"} {
		r := e.do(t, "GET", "/blog/admin/rows?"+q, ada, "", "")
		if r.code != 400 || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") || !strings.Contains(r.body, `"error"`) {
			t.Errorf("%s: %d %s", q, r.code, r.body)
		}
	}
	// The page: the grid with its filter row, the New post button, rows
	// opening the editor.
	page := e.do(t, "GET", "/blog/admin/?f.tags=go&f.title="+word, ada, "", "")
	for _, want := range []string{`id="new-post"`, `id="grid-blog-posts"`, `name="f.status"`, `name="f.tags"`, `name="f.title"`,
		`href="/blog/admin/posts/` + goPub + `/edit"`, `href="/blog/admin/posts/` + goDraft + `/edit"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the posts page lacks %s", want)
		}
	}
	if page.code != 200 || strings.Contains(page.body, other) || strings.Contains(page.body, bobs) {
		t.Errorf("the posts page: %d, shows a post it should not", page.code)
	}
	// The CSV export follows the filter.
	csv := e.do(t, "GET", "/blog/admin/export.csv?f.status=published&f.title="+word, ada, "", "")
	if csv.code != 200 || !strings.Contains(csv.body, word+" Go news") || strings.Contains(csv.body, word+" Go draft") {
		t.Errorf("export: %d %s", csv.code, csv.body)
	}
}
