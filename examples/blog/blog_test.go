package blog_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/examples/blog"
)

// post creates a post through the API and returns it.
func (e *env) post(t *testing.T, token string, in map[string]any) blog.Post {
	t.Helper()
	b, _ := json.Marshal(in)
	r := e.do(t, "POST", "/blog/admin/posts", token, jsonCT, string(b))
	if r.code != 201 {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	var p blog.Post
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) act(t *testing.T, token, id, what, body string) blog.Post {
	t.Helper()
	r := e.do(t, "POST", "/blog/admin/posts/"+id+"/"+what, token, jsonCT, body)
	if r.code != 200 {
		t.Fatalf("%s: %d %s", what, r.code, r.body)
	}
	var p blog.Post
	_ = json.Unmarshal([]byte(r.body), &p)
	return p
}

// postBody is the pipeline's output inside a public post page.
func postBody(t *testing.T, page string) string {
	t.Helper()
	const open, end = `<div class="post-body">`, `</div></article>`
	i, j := strings.Index(page, open), strings.LastIndex(page, end)
	if i < 0 || j < i {
		t.Fatalf("no post body in %s", page)
	}
	return page[i+len(open) : j]
}

func TestGuestsReadPublishedPostsOnly(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	title := "Guests " + randHex()
	draft := e.post(t, ada, map[string]any{"title": title + " draft", "body": "secret *draft*"})
	pub := e.post(t, ada, map[string]any{"title": title + " public", "body": "Hello **world**", "tags": []string{"Go, News"}, "excerpt": "A hello."})
	future := e.post(t, ada, map[string]any{"title": title + " future", "body": "later"})
	e.act(t, ada, pub.ID, "publish", "")
	e.act(t, ada, future.ID, "schedule", fmt.Sprintf(`{"publish_at":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))

	r := e.do(t, "GET", "/blog/"+pub.Slug, "", "", "")
	if r.code != 200 || !strings.Contains(r.body, "<strong>world</strong>") || !strings.Contains(r.body, `<meta name="description" content="A hello.">`) ||
		!strings.Contains(r.body, `property="og:title" content="`+title+` public"`) || !strings.Contains(r.body, `href="/blog/tag/go"`) {
		t.Fatalf("published post: %d %s", r.code, r.body)
	}
	if r.hdr.Get("Content-Security-Policy") == "" || r.hdr.Get("ETag") == "" || r.hdr.Get("Last-Modified") == "" {
		t.Errorf("headers: %v", r.hdr)
	}
	for _, p := range []blog.Post{draft, future} {
		for _, path := range []string{"/blog/" + p.Slug, "/blog/api/posts/" + p.Slug} {
			if r := e.do(t, "GET", path, "", "", "", "Accept", "application/json"); r.code != 404 {
				t.Errorf("guest GET %s (%s): %d, want 404", path, p.Status, r.code)
			}
			// Not even its author sees it on the public side.
			if r := e.do(t, "GET", path, ada, "", ""); r.code != 404 {
				t.Errorf("author GET %s: %d, want 404", path, r.code)
			}
		}
	}
	for _, path := range []string{"/blog/", "/blog/feed.atom", "/blog/feed.rss", "/blog/sitemap.xml", "/blog/api/posts", "/blog/author/" + pub.Author} {
		r := e.do(t, "GET", path, "", "", "")
		if r.code != 200 || !strings.Contains(r.body, pub.Slug) || strings.Contains(r.body, draft.Slug) || strings.Contains(r.body, future.Slug) {
			t.Errorf("GET %s: %d; lists the public post only? %s", path, r.code, r.body)
		}
	}
	if r := e.do(t, "GET", "/blog/api/posts/"+pub.Slug, "", "", ""); r.code != 200 || !strings.Contains(r.body, `"html":"\u003cp\u003eHello`) {
		t.Errorf("JSON post: %d %s", r.code, r.body)
	}
	if r := e.do(t, "GET", "/blog/no-such-post-"+randHex(), "", "", ""); r.code != 404 {
		t.Errorf("missing post: %d", r.code)
	}
	// Unpublished, it is gone again.
	e.act(t, ada, pub.ID, "unpublish", "")
	if r := e.do(t, "GET", "/blog/"+pub.Slug, "", "", ""); r.code != 404 {
		t.Errorf("unpublished post: %d", r.code)
	}
}

// TestPreviewIsThePublicPage: the editor's live preview and the public
// page come out of one pipeline, byte for byte.
func TestPreviewIsThePublicPage(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	md := "# Title\n\nSome *text* with `code`, a [link](https://example.com/a?b=1&c=2) and <kbd>raw</kbd> HTML.\n\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n```go\nfunc main() {}\n```\n\n> quote ~~struck~~ https://auto.link/x\n\n" +
		"![pic](fs://local/blog/x.png) and <img src=x onerror=alert(1)> <script>alert(1)</script>\n"
	p := e.post(t, ada, map[string]any{"title": "Pipeline " + randHex(), "body": md})
	e.act(t, ada, p.ID, "publish", "")
	prev := e.do(t, "POST", "/blog/admin/preview", ada, formCT, form("body", md))
	if prev.code != 200 {
		t.Fatalf("preview: %d %s", prev.code, prev.body)
	}
	page := e.do(t, "GET", "/blog/"+p.Slug, "", "", "")
	if got := postBody(t, page.body); got != prev.body {
		t.Fatalf("preview and page differ:\npreview: %q\npage:    %q", prev.body, got)
	}
	for _, want := range []string{"<table>", `<code class="language-go">`, "<del>struck</del>", `src="/blog/media/local/blog/x.png"`, `<input checked="" disabled="" type="checkbox"`} {
		if !strings.Contains(prev.body, want) {
			t.Errorf("preview lacks %s: %s", want, prev.body)
		}
	}
	for _, bad := range []string{"<script", "onerror", "alert(1)</script>"} {
		if strings.Contains(prev.body, bad) {
			t.Errorf("preview keeps %s: %s", bad, prev.body)
		}
	}
	// The JSON preview (for API clients) is the same fragment.
	if j := e.do(t, "POST", "/blog/admin/preview", ada, jsonCT, mustJSON(map[string]string{"body": md})); j.body != prev.body {
		t.Errorf("JSON preview differs: %q", j.body)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// privateRoutes are every route of the private side, with a body.
func privateRoutes(id string) [][3]string {
	return [][3]string{
		{"GET", "/blog/admin/", ""},
		{"GET", "/blog/admin/rows", ""},
		{"GET", "/blog/admin/export.csv", ""},
		{"POST", "/blog/admin/posts", `{"title":"x"}`},
		{"GET", "/blog/admin/posts/" + id, ""},
		{"GET", "/blog/admin/posts/" + id + "/edit", ""},
		{"PUT", "/blog/admin/posts/" + id, `{"title":"taken over"}`},
		{"POST", "/blog/admin/posts/" + id + "/autosave", `{"title":"taken over"}`},
		{"POST", "/blog/admin/posts/" + id + "/publish", ""},
		{"POST", "/blog/admin/posts/" + id + "/unpublish", ""},
		{"POST", "/blog/admin/posts/" + id + "/schedule", `{"publish_at":"2099-01-01T00:00:00Z"}`},
		{"POST", "/blog/admin/posts/" + id + "/preview-link", ""},
		{"POST", "/blog/admin/posts/" + id + "/image", `{"image":"fs://local/x.png"}`},
		{"DELETE", "/blog/admin/posts/" + id, ""},
		{"POST", "/blog/admin/preview", `{"body":"x"}`},
		{"POST", "/blog/admin/images", ""},
	}
}

func TestPrivateRoutesNeedBlogWrite(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	_, carol := e.user(t, "Carol", "user")
	p := e.post(t, ada, map[string]any{"title": "Mine " + randHex()})
	for _, rt := range privateRoutes(p.ID) {
		if r := e.do(t, rt[0], rt[1], carol, jsonCT, rt[2]); r.code != 403 || !strings.Contains(r.body, `"error"`) {
			t.Errorf("%s %s without blog.write: %d %s, want 403 JSON", rt[0], rt[1], r.code, r.body)
		}
		if r := e.do(t, rt[0], rt[1], "", jsonCT, rt[2]); r.code != 401 {
			t.Errorf("%s %s anonymous: %d, want 401", rt[0], rt[1], r.code)
		}
	}
	if r := e.do(t, "GET", "/blog/admin/posts/"+p.ID, ada, "", ""); r.code != 200 {
		t.Errorf("the author's own post: %d", r.code)
	}
}

func TestAuthorsChangeOnlyTheirOwnPosts(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	_, bob := e.user(t, "Bob", "writer")
	_, eve := e.user(t, "Eve", "blog-editor")
	p := e.post(t, ada, map[string]any{"title": "Ada's " + randHex(), "body": "mine"})
	for _, rt := range privateRoutes(p.ID) {
		if !strings.Contains(rt[1], "/posts/"+p.ID) {
			continue
		}
		if r := e.do(t, rt[0], rt[1], bob, jsonCT, rt[2]); r.code != 403 {
			t.Errorf("%s %s by another author: %d %s, want 403", rt[0], rt[1], r.code, r.body)
		}
	}
	// Bob's list does not show Ada's post; Eve's (blog.admin) does.
	if r := e.do(t, "GET", "/blog/admin/rows", bob, "", ""); r.code != 200 || strings.Contains(r.body, p.ID) {
		t.Errorf("Bob's list shows Ada's post: %s", r.body)
	}
	if r := e.do(t, "GET", "/blog/admin/rows?f.title="+strings.Split(p.Title, " ")[1], eve, "", ""); !strings.Contains(r.body, p.ID) {
		t.Errorf("Eve's list lacks Ada's post: %s", r.body)
	}
	if r := e.do(t, "PUT", "/blog/admin/posts/"+p.ID, eve, jsonCT, `{"title":"Edited by Eve","body":"theirs"}`); r.code != 200 || !strings.Contains(r.body, `"updated_by"`) {
		t.Fatalf("blog.admin edits: %d %s", r.code, r.body)
	}
	e.act(t, eve, p.ID, "publish", "")
	if r := e.do(t, "DELETE", "/blog/admin/posts/"+p.ID, eve, "", ""); r.code != 204 {
		t.Errorf("blog.admin deletes: %d %s", r.code, r.body)
	}
}

func TestSlugsAreUniqueAndOldOnesRedirect(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	title := "Héllo Wörld " + randHex()
	a := e.post(t, ada, map[string]any{"title": title})
	b := e.post(t, ada, map[string]any{"title": title})
	if want := blog.Slugify(title); a.Slug != want || b.Slug != want+"-2" {
		t.Fatalf("slugs %q and %q, want %q and %q-2", a.Slug, b.Slug, want, want)
	}
	// A draft's generated slug follows its title.
	r := e.do(t, "PUT", "/blog/admin/posts/"+b.ID, ada, jsonCT, `{"title":"Second `+randHex()+` post"}`)
	var nb blog.Post
	_ = json.Unmarshal([]byte(r.body), &nb)
	if r.code != 200 || !strings.HasPrefix(nb.Slug, "second-") {
		t.Fatalf("title change of a draft: %d %s", r.code, r.body)
	}
	// Someone else's slug, a reserved word and a malformed slug are refused.
	for _, s := range []string{a.Slug, "admin", "Bad Slug", "-x", "a--b", strings.Repeat("a", 101)} {
		r := e.do(t, "PUT", "/blog/admin/posts/"+nb.ID, ada, jsonCT, mustJSON(map[string]string{"title": "x", "slug": s}))
		if r.code != 422 || !strings.Contains(r.body, `"slug"`) {
			t.Errorf("slug %q: %d %s, want 422", s, r.code, r.body)
		}
	}
	if r := e.do(t, "POST", "/blog/admin/posts", ada, jsonCT, mustJSON(map[string]string{"title": "x", "slug": a.Slug})); r.code != 422 {
		t.Errorf("new post with a taken slug: %d %s", r.code, r.body)
	}
	// A draft's slug typed halfway is free again once the author goes on.
	half := "half-" + randHex()
	for _, s := range []string{half, half + "-typed"} {
		if r := e.do(t, "PUT", "/blog/admin/posts/"+nb.ID, ada, jsonCT, mustJSON(map[string]string{"title": "x", "slug": s})); r.code != 200 {
			t.Fatalf("slug %s: %d %s", s, r.code, r.body)
		}
	}
	if r := e.do(t, "POST", "/blog/admin/posts", ada, jsonCT, mustJSON(map[string]string{"title": "x", "slug": half})); r.code != 201 {
		t.Errorf("a draft's earlier slug is not free: %d %s", r.code, r.body)
	}
	// Published, then renamed: the old slug redirects to the new one.
	e.act(t, ada, a.ID, "publish", "")
	renamed := "renamed-" + randHex()
	if r := e.do(t, "PUT", "/blog/admin/posts/"+a.ID, ada, jsonCT, mustJSON(map[string]string{"title": title, "slug": renamed})); r.code != 200 {
		t.Fatalf("rename: %d %s", r.code, r.body)
	}
	r = e.do(t, "GET", "/blog/"+a.Slug, "", "", "")
	if r.code != 301 || r.hdr.Get("Location") != "/blog/"+renamed {
		t.Fatalf("old slug: %d %s", r.code, r.hdr.Get("Location"))
	}
	if r := e.do(t, "GET", "/blog/api/posts/"+a.Slug, "", "", ""); r.code != 301 {
		t.Errorf("old slug in the API: %d", r.code)
	}
	if r := e.do(t, "GET", "/blog/"+renamed, "", "", ""); r.code != 200 {
		t.Errorf("new slug: %d", r.code)
	}
	// The old slug stays the post's: no other post can take it.
	if r := e.do(t, "POST", "/blog/admin/posts", ada, jsonCT, mustJSON(map[string]string{"title": "x", "slug": a.Slug})); r.code != 422 {
		t.Errorf("taking a post's old slug: %d %s", r.code, r.body)
	}
	// Unpublished, the old slug is 404 too, not a redirect to a draft.
	e.act(t, ada, a.ID, "unpublish", "")
	if r := e.do(t, "GET", "/blog/"+a.Slug, "", "", ""); r.code != 404 {
		t.Errorf("old slug of a draft: %d", r.code)
	}
}

type atomFeedDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		Title   string `xml:"title"`
		ID      string `xml:"id"`
		Content string `xml:"content"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type rssFeedDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Items   []struct {
		Title string `xml:"title"`
		Link  string `xml:"link"`
		GUID  string `xml:"guid"`
	} `xml:"channel>item"`
}

type sitemapDoc struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

func parseXML(t *testing.T, body string, v any) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = true
	if err := d.Decode(v); err != nil {
		t.Fatalf("not XML: %v\n%s", err, body)
	}
}

func TestFeedsAndSitemap(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	tag := "feedtag" + randHex()
	var posts []blog.Post
	for i := range 3 {
		p := e.post(t, ada, map[string]any{"title": fmt.Sprintf("Feed %d <&> %s", i, tag), "body": "Body & <b>bold</b> ![i](fs://local/blog/i.png)", "tags": []string{tag}})
		e.act(t, ada, p.ID, "publish", "")
		posts = append(posts, p)
	}
	var atom atomFeedDoc
	r := e.do(t, "GET", "/blog/tag/"+tag+"/feed.atom", "", "", "")
	if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("atom content type %q", ct)
	}
	parseXML(t, r.body, &atom)
	if len(atom.Entries) != 3 || atom.Entries[0].Title != posts[2].Title || !strings.HasSuffix(atom.Entries[0].Link.Href, "/blog/"+posts[2].Slug) ||
		!strings.Contains(atom.Entries[0].Content, `src="`+e.srv.URL+`/blog/media/local/blog/i.png"`) {
		t.Fatalf("tag atom feed: %+v", atom)
	}
	var rss rssFeedDoc
	parseXML(t, e.do(t, "GET", "/blog/tag/"+tag+"/feed.rss", "", "", "").body, &rss)
	if rss.Version != "2.0" || len(rss.Items) != 3 || rss.Items[2].Title != posts[0].Title || rss.Items[0].GUID != e.srv.URL+"/blog/"+posts[2].Slug {
		t.Fatalf("tag rss feed: %+v", rss)
	}
	parseXML(t, e.do(t, "GET", "/blog/feed.atom", "", "", "").body, &atom)
	if len(atom.Entries) == 0 || atom.Entries[0].Title != posts[2].Title {
		t.Errorf("site atom feed starts with %+v", atom.Entries)
	}
	parseXML(t, e.do(t, "GET", "/blog/feed.rss", "", "", "").body, &rss)
	var sm sitemapDoc
	parseXML(t, e.do(t, "GET", "/blog/sitemap.xml", "", "", "").body, &sm)
	locs := map[string]bool{}
	for _, u := range sm.URLs {
		locs[u.Loc] = true
	}
	for _, want := range []string{"/blog/", "/blog/" + posts[0].Slug, "/blog/" + posts[2].Slug, "/blog/tag/" + tag} {
		if !locs[e.srv.URL+want] {
			t.Errorf("sitemap lacks %s", want)
		}
	}
	if r := e.do(t, "GET", "/blog/tag/nosuchtag"+randHex()+"/feed.atom", "", "", ""); r.code != 404 {
		t.Errorf("feed of an unknown tag: %d", r.code)
	}
	// robots.txt is at the site's root, where crawlers look for it.
	rb := e.do(t, "GET", "/robots.txt", "", "", "")
	if rb.code != 200 || !strings.HasPrefix(rb.hdr.Get("Content-Type"), "text/plain") ||
		!strings.Contains(rb.body, "Sitemap: "+e.srv.URL+"/blog/sitemap.xml") || !strings.Contains(rb.body, "Disallow: /blog/admin/") {
		t.Errorf("robots.txt: %d %s", rb.code, rb.body)
	}
	if r := e.do(t, "GET", "/blog/robots.txt", "", "", ""); r.code != 404 {
		t.Errorf("/blog/robots.txt: %d, want 404 (it is at the root)", r.code)
	}
}

func TestConditionalRequests(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	p := e.post(t, ada, map[string]any{"title": "Cached " + randHex(), "body": "v1", "tags": []string{"cache"}})
	e.act(t, ada, p.ID, "publish", "")
	for _, path := range []string{"/blog/" + p.Slug, "/blog/", "/blog/feed.atom", "/blog/tag/cache/feed.rss", "/blog/sitemap.xml", "/blog/tag/cache"} {
		first := e.do(t, "GET", path, "", "", "")
		etag, lm := first.hdr.Get("ETag"), first.hdr.Get("Last-Modified")
		if first.code != 200 || etag == "" || lm == "" {
			t.Fatalf("GET %s: %d etag %q last-modified %q", path, first.code, etag, lm)
		}
		if r := e.do(t, "GET", path, "", "", "", "If-None-Match", etag); r.code != 304 || r.body != "" {
			t.Errorf("GET %s If-None-Match: %d", path, r.code)
		}
		if r := e.do(t, "GET", path, "", "", "", "If-Modified-Since", lm); r.code != 304 {
			t.Errorf("GET %s If-Modified-Since: %d", path, r.code)
		}
		if r := e.do(t, "GET", path, "", "", "", "If-None-Match", `"stale"`); r.code != 200 {
			t.Errorf("GET %s stale ETag: %d", path, r.code)
		}
	}
	// A change makes a new ETag.
	first := e.do(t, "GET", "/blog/"+p.Slug, "", "", "")
	time.Sleep(5 * time.Millisecond)
	if r := e.do(t, "PUT", "/blog/admin/posts/"+p.ID, ada, jsonCT, `{"title":"Cached again","body":"v2"}`); r.code != 200 {
		t.Fatal(r.body)
	}
	if r := e.do(t, "GET", "/blog/"+p.Slug, "", "", "", "If-None-Match", first.hdr.Get("ETag")); r.code != 200 || !strings.Contains(r.body, "v2") {
		t.Errorf("after a change: %d", r.code)
	}
}

func TestPagingOfThePublicList(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	tag := "page" + randHex()
	for i := range 25 {
		p := e.post(t, ada, map[string]any{"title": fmt.Sprintf("Paged %02d", i), "tags": []string{tag}})
		e.act(t, ada, p.ID, "publish", "")
	}
	type page struct {
		Items []blog.PublicPost `json:"items"`
		Next  string            `json:"next"`
	}
	var p1, p2 page
	_ = json.Unmarshal([]byte(e.do(t, "GET", "/blog/api/posts?tag="+tag, "", "", "").body), &p1)
	if len(p1.Items) != 20 || p1.Items[0].Title != "Paged 24" || p1.Next == "" || p1.Items[0].HTML != "" {
		t.Fatalf("first page: %d items, next %q", len(p1.Items), p1.Next)
	}
	_ = json.Unmarshal([]byte(e.do(t, "GET", "/blog/api/posts?tag="+tag+"&after="+p1.Next, "", "", "").body), &p2)
	if len(p2.Items) != 5 || p2.Items[4].Title != "Paged 00" || p2.Next != "" {
		t.Fatalf("second page: %+v", p2)
	}
	html := e.do(t, "GET", "/blog/tag/"+tag, "", "", "")
	if strings.Count(html.body, `class="post-summary"`) != 20 || !strings.Contains(html.body, `rel="next"`) {
		t.Errorf("tag page paging: %s", html.body)
	}
	if r := e.do(t, "GET", "/blog/api/posts?after=garbage", "", "", ""); r.code != 400 || !strings.Contains(r.body, `"error"`) {
		t.Errorf("bad cursor: %d %s", r.code, r.body)
	}
}

func TestAutosaveAndPreviewLinks(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	p := e.post(t, ada, map[string]any{"title": "Autosaved " + randHex()})
	r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/autosave", ada, formCT, form("title", p.Title, "body", "typing…", "tags", "a, b"), "HX-Request", "true")
	if r.code != 200 || !strings.Contains(r.body, "Draft saved automatically") {
		t.Fatalf("autosave: %d %s", r.code, r.body)
	}
	got := e.do(t, "GET", "/blog/admin/posts/"+p.ID, ada, "", "")
	if !strings.Contains(got.body, `"body":"typing…"`) || !strings.Contains(got.body, `"tags":["a","b"]`) {
		t.Errorf("autosaved post: %s", got.body)
	}
	// A signed link shows the draft to a guest; a changed one does not.
	r = e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/preview-link", ada, "", "")
	var link struct {
		URL string `json:"url"`
	}
	_ = json.Unmarshal([]byte(r.body), &link)
	if r.code != 200 || !strings.HasPrefix(link.URL, "/blog/preview/") {
		t.Fatalf("preview link: %d %s", r.code, r.body)
	}
	pv := e.do(t, "GET", link.URL, "", "", "")
	if pv.code != 200 || !strings.Contains(pv.body, "typing…") || !strings.Contains(pv.body, "noindex") || pv.hdr.Get("Cache-Control") != "private, no-store" {
		t.Errorf("preview page: %d %s", pv.code, pv.body)
	}
	tampered := link.URL[:len(link.URL)-2] + "xx"
	if r := e.do(t, "GET", tampered, "", "", ""); r.code != 404 {
		t.Errorf("tampered link: %d", r.code)
	}
	other := e.post(t, ada, map[string]any{"title": "Other"})
	forged := strings.Replace(link.URL, p.ID, other.ID, 1)
	if r := e.do(t, "GET", forged, "", "", ""); r.code != 404 {
		t.Errorf("link for another post: %d", r.code)
	}
	// Expired: the clock moves past the link's time.
	blog.SetClock(e.blog, func() time.Time { return time.Now().Add(49 * time.Hour) })
	r = e.do(t, "GET", link.URL, "", "", "")
	blog.SetClock(e.blog, time.Now)
	if r.code != 404 {
		t.Errorf("expired link: %d", r.code)
	}
	// The editor's Publish saves the form's fields first.
	r = e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/publish", ada, formCT, form("save", "true", "title", "Final title", "body", "final *body*", "tags", "x"))
	if r.code != 200 || !strings.Contains(r.body, `"title":"Final title"`) || !strings.Contains(r.body, `"status":"published"`) {
		t.Fatalf("publish with save: %d %s", r.code, r.body)
	}
	// A published post is not saved automatically.
	if r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/autosave", ada, formCT, form("title", "half")); r.code != 409 {
		t.Errorf("autosave of a published post: %d %s", r.code, r.body)
	}
	// The editor page renders for its author.
	if r := e.do(t, "GET", "/blog/admin/posts/"+p.ID+"/edit", ada, "", ""); r.code != 200 || !strings.Contains(r.body, `id="preview"`) || !strings.Contains(r.body, `id="image-picker"`) {
		t.Errorf("editor: %d", r.code)
	}
}

func TestScheduleNeedsAFutureTime(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	p := e.post(t, ada, map[string]any{"title": "Sched " + randHex()})
	for _, body := range []string{``, `{"publish_at":"2001-01-01T00:00:00Z"}`, `{"publish_at":"soon"}`} {
		r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/schedule", ada, jsonCT, body)
		if r.code != 422 && r.code != 400 {
			t.Errorf("schedule %q: %d %s", body, r.code, r.body)
		}
	}
}

// TestPermissionDeclaredOnce: blog.write, written once in ModuleInfo,
// shows or hides the card, the menu entry and the palette commands with
// the private routes, while the public side stays open.
func TestPermissionDeclaredOnce(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	_, carol := e.user(t, "Carol", "user")
	marks := []string{`class="app-card" href="/blog/admin/" data-app="blog"`, `href="/blog/admin/"`, `New blog post`, `Blog posts`}
	for _, c := range []struct {
		token string
		want  bool
	}{{ada, true}, {carol, false}} {
		r := e.do(t, "GET", "/", c.token, "", "", "Accept", "text/html")
		if r.code != 200 {
			t.Fatalf("launchpad: %d", r.code)
		}
		for _, m := range marks {
			if strings.Contains(r.body, m) != c.want {
				t.Errorf("launchpad shows %s: %v, want %v", m, !c.want, c.want)
			}
		}
		if r := e.do(t, "GET", "/blog/", c.token, "", ""); r.code != 200 {
			t.Errorf("public home: %d", r.code)
		}
	}
}
