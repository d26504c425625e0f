package blog

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// SearchSources gives the palette the user's posts (every author's for a
// holder of blog.admin, as the posts list shows them), found by a part of
// the title or by a tag, under the "#" scope. A result opens the editor
// and offers the public page of a published post and, for a draft,
// publishing it.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "posts", Title: "Blog posts", Scope: ui.ScopePosts, Budget: 500 * time.Millisecond,
		Path: "/admin/", Search: m.searchPosts}}
}

func (m *Module) searchPosts(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	where := []store.Filter{store.Or(store.Contains("title", q.Text), store.Eq("tags", strings.ToLower(q.Text)))}
	if !m.app.Can(ctx, PermAdmin) {
		where = append(where, store.Eq("author", identity.ID(ctx)))
	}
	posts, err := m.posts.Find(ctx, store.Query{Where: store.And(where...), Sort: []string{"-updated_at"}, Limit: q.Limit,
		Fields: []string{"title", "slug", "tags", "status", "published_at", "author_name"}})
	if err != nil {
		return nil, err
	}
	now := m.now()
	out := make([]ui.Result, 0, len(posts))
	for _, p := range posts {
		r := ui.Result{ID: p.ID, Title: p.Title, Detail: string(p.Status), Keywords: strings.Join(p.Tags, " "),
			Href: "/admin/posts/" + url.PathEscape(p.ID) + "/edit"}
		if len(p.Tags) > 0 {
			r.Detail += " · #" + strings.Join(p.Tags, " #")
		}
		switch {
		case p.Public(now):
			r.Actions = append(r.Actions, ui.Action{Label: "Public page", Href: "/" + url.PathEscape(p.Slug)})
		case p.Status == Draft:
			r.Actions = append(r.Actions, ui.Action{Label: "Publish", Post: "/admin/posts/" + url.PathEscape(p.ID) + "/publish"})
		}
		out = append(out, r)
	}
	return out, nil
}
