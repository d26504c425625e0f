package notes

import (
	"context"
	"time"

	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// SearchSources gives the palette the user's own notes by a part of the
// title; the collection is owner-scoped, so nobody finds another's.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "notes", Title: "Notes", Budget: 300 * time.Millisecond, Search: m.searchNotes}}
}

func (m *Module) searchNotes(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	found, err := m.notes.Find(ctx, store.Query{Where: store.Contains("title", q.Text), Sort: []string{"-created_at"}, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]ui.Result, 0, len(found))
	for _, n := range found {
		out = append(out, ui.Result{ID: n.ID, Title: n.Title, Detail: n.CreatedAt.Format("2 Jan 2006"), Href: "/"})
	}
	return out, nil
}
