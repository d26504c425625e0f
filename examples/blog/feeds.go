package blog

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/webos-go/webos/store"
)

// feedSize is the number of entries of a feed.
const feedSize = 20

type feedKind int

const (
	atomFeed feedKind = iota
	rssFeed
)

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Title     string    `xml:"title"`
	ID        string    `xml:"id"`
	Link      atomLink  `xml:"link"`
	Published string    `xml:"published"`
	Updated   string    `xml:"updated"`
	Author    string    `xml:"author>name"`
	Category  []atomCat `xml:"category"`
	Summary   *atomText `xml:"summary,omitempty"`
	Content   atomText  `xml:"content"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

type atomDoc struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Author      string   `xml:"dc:creator"`
	Category    []string `xml:"category"`
	Description string   `xml:"description"`
}

type rssGUID struct {
	Perma string `xml:"isPermaLink,attr"`
	ID    string `xml:",chardata"`
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Atom    string   `xml:"xmlns:atom,attr"`
	DC      string   `xml:"xmlns:dc,attr"`
	Channel struct {
		Title       string    `xml:"title"`
		Link        string    `xml:"link"`
		Description string    `xml:"description"`
		Self        atomLink  `xml:"atom:link"`
		BuildDate   string    `xml:"lastBuildDate,omitempty"`
		Items       []rssItem `xml:"item"`
	} `xml:"channel"`
}

// feed serves the Atom or RSS 2.0 feed of the newest posts, of the whole
// blog or (by "tag") of the tag in the path.
func (m *Module) feed(kind feedKind, by string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var more []store.Filter
		s := m.settings.Get(r.Context())
		base := m.baseURL(r, s)
		title, page := s.Title, m.prefix+"/"
		if by == "tag" {
			tag := r.PathValue("tag")
			more = append(more, store.Eq("tags", tag))
			title, page = s.Title+" · #"+tag, m.prefix+"/tag/"+url.PathEscape(tag)
		}
		posts, err := m.posts.Find(r.Context(), store.Query{Where: publicWhere(m.now(), more...),
			Sort: []string{"-published_at"}, Limit: feedSize})
		if err != nil {
			return err
		}
		if by == "tag" && len(posts) == 0 {
			return notFound("tag")
		}
		updated := newest(posts)
		if updated.IsZero() {
			updated = time.Unix(0, 0).UTC()
		}
		self := base + r.URL.Path
		var doc any
		ctype := "application/atom+xml; charset=utf-8"
		if kind == atomFeed {
			d := atomDoc{Title: title, Subtitle: s.Description, ID: base + page, Updated: updated.UTC().Format(time.RFC3339),
				Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: base + page}}}
			for _, p := range posts {
				e := atomEntry{Title: p.Title, ID: base + m.prefix + "/" + p.Slug, Link: atomLink{Rel: "alternate", Type: "text/html", Href: base + m.prefix + "/" + p.Slug},
					Published: p.PublishedAt.UTC().Format(time.RFC3339), Updated: p.UpdatedAt.UTC().Format(time.RFC3339),
					Author: p.AuthorName, Content: atomText{Type: "html", Body: absolutize(p.HTML, base)}}
				if p.Excerpt != "" {
					e.Summary = &atomText{Type: "text", Body: p.Excerpt}
				}
				for _, t := range p.Tags {
					e.Category = append(e.Category, atomCat{Term: t})
				}
				d.Entries = append(d.Entries, e)
			}
			doc = d
		} else {
			ctype = "application/rss+xml; charset=utf-8"
			d := rssDoc{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", DC: "http://purl.org/dc/elements/1.1/"}
			d.Channel.Title, d.Channel.Link, d.Channel.Description = title, base+page, orDefault(s.Description, title)
			d.Channel.Self = atomLink{Rel: "self", Type: "application/rss+xml", Href: self}
			if len(posts) > 0 {
				d.Channel.BuildDate = updated.UTC().Format(time.RFC1123Z)
			}
			for _, p := range posts {
				link := base + m.prefix + "/" + p.Slug
				d.Channel.Items = append(d.Channel.Items, rssItem{Title: p.Title, Link: link, GUID: rssGUID{Perma: "true", ID: link},
					PubDate: p.PublishedAt.UTC().Format(time.RFC1123Z), Author: p.AuthorName, Category: p.Tags,
					Description: absolutize(p.HTML, base)})
			}
			doc = d
		}
		return writeXML(w, r, ctype, newest(posts), doc)
	}
}

func writeXML(w http.ResponseWriter, r *http.Request, ctype string, modified time.Time, doc any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("blog: encoding XML: %w", err)
	}
	buf.WriteByte('\n')
	return writeCached(w, r, ctype, modified, buf.Bytes())
}

// absolutize makes the site's own links in a post's HTML absolute, for
// feed readers that show it elsewhere.
func absolutize(html, base string) string {
	html = strings.ReplaceAll(html, `src="/`, `src="`+base+`/`)
	return strings.ReplaceAll(html, `href="/`, `href="`+base+`/`)
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapDoc struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

// maxSitemap is the most URLs one sitemap may list.
const maxSitemap = 50000

// sitemap lists the home page, every public post and every tag page.
func (m *Module) sitemap(w http.ResponseWriter, r *http.Request) error {
	posts, err := m.posts.Find(r.Context(), store.Query{Where: publicWhere(m.now()), Sort: []string{"-published_at"},
		Limit: maxSitemap - 100, Fields: []string{"slug", "tags", "updated_at", "published_at"}})
	if err != nil {
		return err
	}
	s := m.settings.Get(r.Context())
	base := m.baseURL(r, s)
	last := newest(posts)
	doc := sitemapDoc{URLs: []sitemapURL{{Loc: base + m.prefix + "/", LastMod: lastmod(last)}}}
	tags := map[string]time.Time{}
	for _, p := range posts {
		doc.URLs = append(doc.URLs, sitemapURL{Loc: base + m.prefix + "/" + p.Slug, LastMod: lastmod(p.UpdatedAt)})
		for _, t := range p.Tags {
			if p.UpdatedAt.After(tags[t]) {
				tags[t] = p.UpdatedAt
			}
		}
	}
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names[:min(len(names), 100)] {
		doc.URLs = append(doc.URLs, sitemapURL{Loc: base + m.prefix + "/tag/" + url.PathEscape(t), LastMod: lastmod(tags[t])})
	}
	return writeXML(w, r, "application/xml; charset=utf-8", last, doc)
}

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// robots is the site's /robots.txt: it allows the blog's public pages,
// keeps crawlers out of the editor and the preview links, and names the
// sitemap. It is served at the root, where crawlers look, whatever the
// blog's prefix.
func (m *Module) robots(w http.ResponseWriter, r *http.Request) error {
	base := m.baseURL(r, m.settings.Get(r.Context()))
	body := fmt.Sprintf("User-agent: *\nAllow: %s/\nDisallow: %s/admin/\nDisallow: %s/preview/\n\nSitemap: %s%s/sitemap.xml\n",
		m.prefix, m.prefix, m.prefix, base, m.prefix)
	return writeCached(w, r, "text/plain; charset=utf-8", time.Time{}, []byte(body))
}
