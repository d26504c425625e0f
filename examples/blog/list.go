package blog

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/explorer"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// postRow is a post as the private posts list, an explorer grid, shows
// it: its columns, sorts and filters. Tags are one comma-separated cell;
// the tag filter matches one tag exactly.
type postRow struct {
	ID          string     `json:"id" explorer:"label=ID,hidden"`
	Title       string     `json:"title" explorer:"label=Title,sort,filter=contains,width=320"`
	Status      Status     `json:"status" explorer:"label=Status,sort,filter=eq"`
	Tags        string     `json:"tags" explorer:"label=Tags,filter=eq"`
	AuthorName  string     `json:"author_name" explorer:"label=Author,sort,read=blog.admin"`
	PublishedAt *time.Time `json:"published_at" explorer:"label=Published,sort"`
	UpdatedAt   time.Time  `json:"updated_at" explorer:"label=Updated,sort"`
}

// postKeys map the grid's columns to the posts' fields.
var postKeys = map[string]string{"id": "_id", "title": "title", "status": "status", "tags": "tags",
	"author_name": "author_name", "published_at": "published_at", "updated_at": "updated_at"}

// postSource is the grid's source: the posts collection, each caller
// seeing only their own posts unless they hold blog.admin.
type postSource struct{ m *Module }

func (s postSource) where(ctx context.Context, f explorer.Filter) (store.Filter, error) {
	sf, err := postFilter(f)
	if err != nil {
		return store.Filter{}, err
	}
	if s.m.app.Can(ctx, PermAdmin) {
		return sf, nil
	}
	uid := identity.ID(ctx)
	if uid == "" {
		return store.Filter{}, store.ErrNoUser
	}
	return store.And(sf, store.Eq("author", uid)), nil
}

// postFilter compiles the grid's checked filter: by then it names only
// the filterable columns with their operators (title contains, status
// and tag equal).
func postFilter(f explorer.Filter) (store.Filter, error) {
	switch f.Kind {
	case explorer.All:
		return store.Filter{}, nil
	case explorer.AndKind, explorer.OrKind, explorer.NotKind:
		kids := make([]store.Filter, len(f.Children))
		for i, c := range f.Children {
			k, err := postFilter(c)
			if err != nil {
				return store.Filter{}, err
			}
			kids[i] = k
		}
		switch {
		case f.Kind == explorer.AndKind:
			return store.And(kids...), nil
		case f.Kind == explorer.OrKind:
			return store.Or(kids...), nil
		case len(kids) == 1:
			return store.Not(kids[0]), nil
		}
		return store.Filter{}, fmt.Errorf("%w: a NOT needs one filter", webos.ErrBadRequest)
	}
	key, ok := postKeys[f.Field]
	var v string
	if ok && len(f.Values) == 1 {
		v, ok = f.Values[0].(string)
	} else {
		ok = false
	}
	if !ok {
		return store.Filter{}, fmt.Errorf("%w: the posts list filters by title, status and tag", webos.ErrBadRequest)
	}
	switch {
	case f.Op == explorer.Contains:
		return store.Contains(key, v), nil
	case f.Op == explorer.Eq && f.Field == "tags":
		return store.Eq(key, strings.ToLower(strings.TrimSpace(v))), nil
	case f.Op == explorer.Eq:
		return store.Eq(key, v), nil
	}
	return store.Filter{}, fmt.Errorf("%w: the posts list does not filter with %s", webos.ErrBadRequest, f.Op)
}

// Page reads one page of the caller's posts.
func (s postSource) Page(ctx context.Context, q explorer.Query) (explorer.Page[postRow], error) {
	where, err := s.where(ctx, q.Where)
	if err != nil {
		return explorer.Page[postRow]{}, err
	}
	sort := make([]string, len(q.Sort))
	for i, k := range q.Sort {
		sort[i] = postKeys[k.Field]
		if k.Desc {
			sort[i] = "-" + sort[i]
		}
	}
	p, err := s.m.posts.Page(ctx, store.Query{Where: where, Sort: sort, Limit: q.Limit, After: q.After, Before: q.Before,
		Fields: []string{"title", "status", "tags", "author_name", "published_at", "updated_at"}})
	if err != nil {
		return explorer.Page[postRow]{}, err
	}
	rows := make([]postRow, len(p.Items))
	for i, it := range p.Items {
		rows[i] = postRow{ID: it.ID, Title: it.Title, Status: it.Status, Tags: strings.Join(it.Tags, ", "),
			AuthorName: it.AuthorName, UpdatedAt: it.UpdatedAt}
		if !it.PublishedAt.IsZero() {
			at := it.PublishedAt
			rows[i].PublishedAt = &at
		}
	}
	return explorer.Page[postRow]{Items: rows, Next: p.Next, Prev: p.Prev}, nil
}

// Count counts the caller's posts f matches, up to limit.
func (s postSource) Count(ctx context.Context, f explorer.Filter, limit int64) (int64, error) {
	where, err := s.where(ctx, f)
	if err != nil {
		return 0, err
	}
	if limit > 0 {
		return s.m.posts.CountUpTo(ctx, where, limit)
	}
	return s.m.posts.Count(ctx, where)
}

// newGrid makes the private posts list: newest change first, each row
// opening the post's editor.
func (m *Module) newGrid(app *webos.App, db *store.DB) (*explorer.Grid[postRow], error) {
	return explorer.New[postRow](postSource{m}, explorer.Config{Name: "blog-posts", Title: "Blog posts", Access: app,
		Key: explorer.KeyFrom(app.Config()), ReadPerm: PermWrite, Sort: []string{"-updated_at"}, PageSize: 25, Prefs: db,
		Header: m.listHeader, RowLink: func(id string) string { return m.prefix + "/admin/posts/" + id + "/edit" }})
}

// listHeader is the top of the posts list: its title and the buttons to
// start a post and to see the public blog.
func (m *Module) listHeader(*http.Request) g.Node {
	return g.Group{
		m.stylesheet(),
		ui.PageHeader("✍️", "Blog posts", "Drafts, scheduled and published posts. Filter by status or tag, search the titles."),
		h.Div(h.Class("blog-actions"),
			h.Form(h.Method("post"), h.Action(m.prefix+"/admin/posts"),
				h.Button(h.Type("submit"), h.Class("button primary"), h.ID("new-post"), g.Text("New post"))),
			h.A(h.Class("button"), h.Href(m.prefix+"/"), h.Target("_blank"), g.Text("View the blog"))),
	}
}
