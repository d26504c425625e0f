package vault

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/webos-go/webos/ui"
)

// SearchSources gives the palette the user's own entries, found by a part
// of the title or a URL. It reads the list fields only — title, user
// name, folder — never a sealed field: a result opens the entry, where
// revealing a secret takes the usual steps.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "entries", Title: "Vault", Budget: 400 * time.Millisecond, Search: m.searchEntries}}
}

func (m *Module) searchEntries(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	p, err := m.List(ctx, ListOptions{Query: q.Text, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]ui.Result, 0, len(p.Items))
	for _, e := range p.Items {
		detail := e.Username
		if e.Folder != "" {
			detail = strings.TrimPrefix(detail+" · "+e.Folder, " · ")
		}
		out = append(out, ui.Result{ID: e.ID, Title: e.Title, Detail: detail, Icon: "lock",
			Keywords: strings.Join(e.Tags, " "), Href: "/entries/" + url.PathEscape(e.ID)})
	}
	return out, nil
}
