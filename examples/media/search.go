package media

import (
	"context"
	"strings"
	"time"

	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// SearchSources gives the palette the user's own assets by a part of the
// title or the original name, or by the start of a tag (scope "#", with
// the blog's posts and tags). The collection is owner-scoped, so nobody
// finds another's assets.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "assets", Title: "Media", Scope: ui.ScopePosts, Budget: 300 * time.Millisecond, Search: m.searchAssets}}
}

func (m *Module) searchAssets(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	text := strings.TrimSpace(q.Text)
	found, err := m.assets.Find(ctx, store.Query{
		Where: store.Or(store.Contains("title", text), store.Contains("name", text), store.Prefix("tags", strings.ToLower(text))),
		Sort:  []string{"-date"}, Limit: q.Limit,
		Fields: []string{"title", "name", "kind", "tags", "date"}})
	if err != nil {
		return nil, err
	}
	out := make([]ui.Result, 0, len(found))
	for _, a := range found {
		title := a.Title
		if title == "" {
			title = a.Name
		}
		detail := a.Kind
		if !a.Date.IsZero() {
			detail += " · " + a.Date.Format("2 Jan 2006")
		}
		out = append(out, ui.Result{ID: a.ID, Title: title, Detail: detail, Keywords: strings.Join(a.Tags, " ") + " " + a.Name,
			Href: "/assets/" + a.ID})
	}
	return out, nil
}
