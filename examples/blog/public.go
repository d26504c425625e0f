package blog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

// PageSize is the number of posts on a page of the public lists and the
// JSON API.
const PageSize = 20

// publicCSP is the policy of the public pages: they run no script at all.
const publicCSP = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' https: data:; " +
	"object-src 'none'; frame-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"

func (m *Module) publicRoutes(r *webos.Router) {
	r.HandleFunc("GET /{$}", m.home)
	r.HandleFunc("GET /{slug}", m.postPage)
	r.HandleFunc("GET /tag/{tag}", m.tagPage)
	r.HandleFunc("GET /author/{id}", m.authorPage)
	r.HandleFunc("GET /feed.atom", m.feed(atomFeed, ""))
	r.HandleFunc("GET /feed.rss", m.feed(rssFeed, ""))
	r.HandleFunc("GET /tag/{tag}/feed.atom", m.feed(atomFeed, "tag"))
	r.HandleFunc("GET /tag/{tag}/feed.rss", m.feed(rssFeed, "tag"))
	r.HandleFunc("GET /sitemap.xml", m.sitemap)
	r.Root().HandleFunc("GET /robots.txt", m.robots) // a site's robots.txt is at its root
	r.HandleFunc("GET /api/posts", m.apiList)
	r.HandleFunc("GET /api/posts/{slug}", m.apiPost)
	r.HandleFunc("GET /media/{source}/{path...}", m.media)
	r.HandleFunc("GET /preview/{token}", m.previewPage)
}

// listFields are the fields a list of posts reads: not the body.
var listFields = []string{"title", "slug", "excerpt", "tags", "cover", "status", "published_at", "author", "author_name", "updated_at"}

// publicPage reads one page of public posts, newest first.
func (m *Module) publicPage(r *http.Request, fields []string, more ...store.Filter) (*store.Page[Post], error) {
	q := r.URL.Query()
	return m.posts.Page(r.Context(), store.Query{Where: publicWhere(m.now(), more...), Sort: []string{"-published_at"},
		Limit: PageSize, After: q.Get("after"), Before: q.Get("before"), Fields: fields})
}

// pageMeta is what the head of a public page says about it.
type pageMeta struct {
	title, description, path, image, kind string
	feeds                                 [2]string // Atom and RSS paths
	noIndex                               bool
}

// baseURL is the blog's public address without a trailing slash: the
// site_url setting, or the request's host.
func (m *Module) baseURL(r *http.Request, s Settings) string {
	if s.SiteURL != "" {
		return strings.TrimRight(s.SiteURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// document is a public page: outside the shell's chrome, in its theme.
func (m *Module) document(r *http.Request, s Settings, pm pageMeta, content g.Node) g.Node {
	base := m.baseURL(r, s)
	title := s.Title
	if pm.title != "" {
		title = pm.title + " · " + s.Title
	}
	desc := pm.description
	if desc == "" {
		desc = s.Description
	}
	kind := pm.kind
	if kind == "" {
		kind = "website"
	}
	a := m.shell.Assets()
	head := g.Group{
		h.Meta(h.Charset("utf-8")),
		h.Meta(h.Name("viewport"), h.Content("width=device-width, initial-scale=1")),
		h.Meta(h.Name("color-scheme"), h.Content("light dark")),
		h.TitleEl(g.Text(title)),
		g.If(desc != "", h.Meta(h.Name("description"), h.Content(desc))),
		g.If(pm.noIndex, h.Meta(h.Name("robots"), h.Content("noindex, nofollow"))),
		h.Link(h.Rel("canonical"), h.Href(base+pm.path)),
		meta("og:site_name", s.Title), meta("og:title", orDefault(pm.title, s.Title)), meta("og:type", kind),
		meta("og:url", base+pm.path), g.If(desc != "", meta("og:description", desc)),
		g.If(pm.image != "", meta("og:image", base+pm.image)),
		h.Meta(h.Name("twitter:card"), h.Content(map[bool]string{true: "summary_large_image", false: "summary"}[pm.image != ""])),
		h.Link(h.Rel("alternate"), h.Type("application/atom+xml"), g.Attr("title", s.Title+" (Atom)"), h.Href(orDefault(pm.feeds[0], m.prefix+"/feed.atom"))),
		h.Link(h.Rel("alternate"), h.Type("application/rss+xml"), g.Attr("title", s.Title+" (RSS)"), h.Href(orDefault(pm.feeds[1], m.prefix+"/feed.rss"))),
		h.Link(h.Rel("icon"), h.Href(a.URL("favicon.svg"))),
		h.Link(h.Rel("stylesheet"), h.Href(a.URL("theme.css"))),
		h.Link(h.Rel("stylesheet"), h.Href(a.URL("blog.css"))),
	}
	return h.Doctype(h.HTML(h.Lang("en"), h.Head(head), h.Body(h.Class("blog"),
		h.Header(h.Class("blog-header"), h.A(h.Class("blog-title"), h.Href(m.prefix+"/"), g.Text(s.Title)),
			g.If(s.Description != "", h.P(h.Class("blog-tagline"), g.Text(s.Description))),
			h.Nav(h.A(h.Href(m.prefix+"/"), g.Text("Home")), h.A(h.Href(m.prefix+"/feed.atom"), g.Text("Feed")))),
		h.Main(h.ID("main"), h.Class("blog-main"), content),
		h.Footer(h.Class("blog-footer"), h.P(g.Text(s.Title+" · "), h.A(h.Href(m.prefix+"/feed.atom"), g.Text("Atom")),
			g.Text(" · "), h.A(h.Href(m.prefix+"/feed.rss"), g.Text("RSS")), g.Text(" · "), h.A(h.Href(m.prefix+"/sitemap.xml"), g.Text("Sitemap")))),
	)))
}

func meta(property, content string) g.Node {
	return h.Meta(g.Attr("property", property), h.Content(content))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeCached answers with body, its ETag and Last-Modified, or with 304
// when the client has it. Public pages are the same for everyone.
func writeCached(w http.ResponseWriter, r *http.Request, ctype string, modified time.Time, body []byte) error {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", "public, no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(ctype, "text/html") {
		hd.Set("Content-Security-Policy", publicCSP)
		hd.Set("X-Frame-Options", "SAMEORIGIN")
	}
	if !modified.IsZero() {
		hd.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		hd.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// notModified applies If-None-Match, or, without it, If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for part := range strings.SplitSeq(inm, ",") {
			part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
			if part == etag || part == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

// writeHTML renders a public page and answers with it.
func writeHTML(w http.ResponseWriter, r *http.Request, modified time.Time, n g.Node) error {
	var buf bytes.Buffer
	if err := n.Render(&buf); err != nil {
		return err
	}
	return writeCached(w, r, "text/html; charset=utf-8", modified, buf.Bytes())
}

func newest(posts []Post) time.Time {
	var t time.Time
	for _, p := range posts {
		if p.UpdatedAt.After(t) {
			t = p.UpdatedAt
		}
	}
	return t
}

func (m *Module) home(w http.ResponseWriter, r *http.Request) error {
	pg, err := m.publicPage(r, listFields)
	if err != nil {
		return err
	}
	s := m.settings.Get(r.Context())
	return writeHTML(w, r, newest(pg.Items), m.document(r, s, pageMeta{path: m.prefix + "/"},
		m.postList(r, pg, "", "There are no posts yet.")))
}

func (m *Module) tagPage(w http.ResponseWriter, r *http.Request) error {
	tag := r.PathValue("tag")
	pg, err := m.publicPage(r, listFields, store.Eq("tags", tag))
	if err != nil {
		return err
	}
	if len(pg.Items) == 0 && r.URL.RawQuery == "" {
		return notFound("tag")
	}
	s := m.settings.Get(r.Context())
	path := m.prefix + "/tag/" + url.PathEscape(tag)
	return writeHTML(w, r, newest(pg.Items), m.document(r, s,
		pageMeta{title: "#" + tag, description: "Posts tagged " + tag + " on " + s.Title, path: path,
			feeds: [2]string{path + "/feed.atom", path + "/feed.rss"}},
		m.postList(r, pg, "Posts tagged #"+tag, "No more posts.")))
}

func (m *Module) authorPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	pg, err := m.publicPage(r, listFields, store.Eq("author", id))
	if err != nil {
		return err
	}
	if len(pg.Items) == 0 {
		if r.URL.RawQuery == "" {
			return notFound("author")
		}
	}
	name := "this author"
	if len(pg.Items) > 0 {
		name = pg.Items[0].AuthorName
	}
	s := m.settings.Get(r.Context())
	return writeHTML(w, r, newest(pg.Items), m.document(r, s,
		pageMeta{title: name, description: "Posts by " + name + " on " + s.Title, path: m.prefix + "/author/" + url.PathEscape(id)},
		m.postList(r, pg, "Posts by "+name, "No more posts.")))
}

// postList is a page of post summaries with links to the older and newer
// pages.
func (m *Module) postList(r *http.Request, pg *store.Page[Post], heading, empty string) g.Node {
	link := func(k, v, text, rel string) g.Node {
		q := url.Values{k: {v}}
		return h.A(h.Href(r.URL.Path+"?"+q.Encode()), h.Rel(rel), g.Text(text))
	}
	return g.Group{
		g.If(heading != "", h.H1(h.Class("blog-heading"), g.Text(heading))),
		g.If(len(pg.Items) == 0, h.P(h.Class("muted"), g.Text(empty))),
		h.Div(h.Class("post-list"), g.Map(pg.Items, func(p Post) g.Node {
			return h.Article(h.Class("post-summary"),
				h.H2(h.A(h.Href(m.prefix+"/"+p.Slug), g.Text(p.Title))),
				m.byline(p),
				g.If(p.Excerpt != "", h.P(g.Text(p.Excerpt))))
		})),
		h.Nav(h.Class("pager"), g.Attr("aria-label", "Pages"),
			g.If(pg.Prev != "", link("before", pg.Prev, "← Newer posts", "prev")),
			g.If(pg.Next != "", link("after", pg.Next, "Older posts →", "next"))),
	}
}

// byline is a post's date, author and tags.
func (m *Module) byline(p Post) g.Node {
	return h.P(h.Class("byline"),
		g.If(!p.PublishedAt.IsZero(), h.Time(h.DateTime(p.PublishedAt.Format(time.RFC3339)), g.Text(p.PublishedAt.Format("2 January 2006")))),
		g.Text(" · "), h.A(h.Href(m.prefix+"/author/"+url.PathEscape(p.Author)), g.Text(p.AuthorName)),
		g.Map(p.Tags, func(t string) g.Node {
			return g.Group{g.Text(" "), h.A(h.Class("tag"), h.Href(m.prefix+"/tag/"+url.PathEscape(t)), g.Text("#"+t))}
		}))
}

// article is a whole post; its body is the stored output of the pipeline.
func (m *Module) article(p *Post) g.Node {
	return h.Article(h.Class("post"),
		h.H1(g.Text(p.Title)),
		m.byline(*p),
		g.If(p.Cover != "", h.Img(h.Class("cover"), h.Src(m.render.MediaURL(p.Cover)), h.Alt(""))),
		h.Div(h.Class("post-body"), g.Raw(p.HTML)))
}

func (m *Module) postPage(w http.ResponseWriter, r *http.Request) error {
	p, err := m.BySlug(r.Context(), r.PathValue("slug"))
	var moved *MovedError
	if errors.As(err, &moved) {
		http.Redirect(w, r, m.prefix+"/"+moved.Slug, http.StatusMovedPermanently)
		return nil
	}
	if err != nil {
		return err
	}
	s := m.settings.Get(r.Context())
	key := fmt.Sprintf("%s|%d|%s|%v", p.ID, p.UpdatedAt.UnixNano(), m.baseURL(r, s), s)
	body, ok := m.pages.get(key)
	if !ok {
		var buf bytes.Buffer
		if err := m.document(r, s, m.postMeta(p, false), m.article(p)).Render(&buf); err != nil {
			return err
		}
		body = buf.Bytes()
		m.pages.put(key, body)
	}
	return writeCached(w, r, "text/html; charset=utf-8", p.UpdatedAt, body)
}

// pageCache keeps rendered post pages by the post's id and version and
// the settings and address they were rendered with, so that a post is
// rendered once per change. It holds at most maxPages pages.
type pageCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

const maxPages = 1024

func (c *pageCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *pageCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxPages {
		c.m = make(map[string][]byte, 64) // start again: old versions go too
	}
	c.m[key] = body
}

func (m *Module) postMeta(p *Post, noIndex bool) pageMeta {
	pm := pageMeta{title: p.Title, description: p.Excerpt, path: m.prefix + "/" + p.Slug, kind: "article", noIndex: noIndex}
	if p.Cover != "" {
		pm.image = m.render.MediaURL(p.Cover)
	}
	return pm
}

// PublicPost is a post as the public JSON API shows it.
type PublicPost struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Slug        string    `json:"slug"`
	URL         string    `json:"url"`
	Excerpt     string    `json:"excerpt"`
	Tags        []string  `json:"tags"`
	Cover       string    `json:"cover,omitempty"`
	AuthorID    string    `json:"author_id"`
	AuthorName  string    `json:"author_name"`
	PublishedAt time.Time `json:"published_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	HTML        string    `json:"html,omitempty"`
}

func (m *Module) public(p *Post, html bool) PublicPost {
	pp := PublicPost{ID: p.ID, Title: p.Title, Slug: p.Slug, URL: m.prefix + "/" + p.Slug, Excerpt: p.Excerpt, Tags: p.Tags,
		AuthorID: p.Author, AuthorName: p.AuthorName, PublishedAt: p.PublishedAt, UpdatedAt: p.UpdatedAt}
	if p.Cover != "" {
		pp.Cover = m.render.MediaURL(p.Cover)
	}
	if pp.Tags == nil {
		pp.Tags = []string{}
	}
	if html {
		pp.HTML = p.HTML
	}
	return pp
}

// apiList is GET /blog/api/posts: 20 public posts a page, newest first,
// optionally of one tag or author; ?after= and ?before= take the page's
// next and prev cursors.
func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	var more []store.Filter
	q := r.URL.Query()
	if t := q.Get("tag"); t != "" {
		more = append(more, store.Eq("tags", t))
	}
	if a := q.Get("author"); a != "" {
		more = append(more, store.Eq("author", a))
	}
	pg, err := m.publicPage(r, listFields, more...)
	if err != nil {
		return err
	}
	out := struct {
		Items []PublicPost `json:"items"`
		Next  string       `json:"next,omitempty"`
		Prev  string       `json:"prev,omitempty"`
	}{Items: make([]PublicPost, len(pg.Items)), Next: pg.Next, Prev: pg.Prev}
	for i := range pg.Items {
		out.Items[i] = m.public(&pg.Items[i], false)
	}
	webos.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiPost is GET /blog/api/posts/{slug}: one public post with its HTML.
func (m *Module) apiPost(w http.ResponseWriter, r *http.Request) error {
	p, err := m.BySlug(r.Context(), r.PathValue("slug"))
	var moved *MovedError
	if errors.As(err, &moved) {
		http.Redirect(w, r, m.prefix+"/api/posts/"+moved.Slug, http.StatusMovedPermanently)
		return nil
	}
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, m.public(p, true))
	return nil
}
