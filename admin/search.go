package admin

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// SearchSources give the palette what the console administers: users by
// name or e-mail address (scope "@", for holders of auth.users.read),
// settings keys of every module (for holders of settings.read) and the
// tasks in the queues (for holders of tasks.admin). Each is asked only of
// users who may open the console's page it leads to.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{
		{Name: "users", Title: "People", Scope: ui.ScopePeople, Path: "/roles", Budget: 400 * time.Millisecond, Search: m.searchUsers},
		{Name: "settings", Title: "Settings", Path: "/settings", Budget: 200 * time.Millisecond, Search: m.searchSettings},
		{Name: "tasks", Title: "Tasks", Path: "/tasks", Budget: 600 * time.Millisecond, Search: m.searchTasks},
	}
}

func (m *Module) searchUsers(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	users := store.NewCollection[auth.User](m.db, auth.UsersCollection)
	found, err := users.Find(ctx, store.Query{Where: store.Or(store.Contains("display_name", q.Text), store.Contains("email", q.Text)),
		Sort: []string{"email"}, Limit: q.Limit, Fields: []string{"email", "display_name", "active", "roles"}})
	if err != nil {
		return nil, err
	}
	out := make([]ui.Result, 0, len(found))
	for _, u := range found {
		detail := u.Email
		if !u.Active {
			detail += " · inactive"
		}
		href := "/user/" + url.PathEscape(u.ID)
		out = append(out, ui.Result{ID: u.ID, Title: strings.TrimSpace(u.DisplayName + " <" + u.Email + ">"), Detail: detail, Icon: "user",
			Keywords: strings.Join(u.Roles, " "), Href: href,
			Actions: []ui.Action{{Label: "Why can / can't", Href: href + "/why"}}})
	}
	return out, nil
}

func (m *Module) searchSettings(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	views, err := m.settings.Views()
	if err != nil {
		return nil, err
	}
	var out []ui.Result
	for _, v := range views {
		for _, f := range v.Fields {
			key := v.Module + "." + f.Key
			if _, ok := ui.Match(q.Text, key+" "+v.Name); !ok {
				if !strings.Contains(strings.ToLower(f.Description), strings.ToLower(q.Text)) {
					continue
				}
			}
			out = append(out, ui.Result{ID: key, Title: key, Detail: v.Name + " · " + f.Description, Icon: "⚙️",
				Keywords: f.Description, Href: "/settings#module-" + url.PathEscape(v.Module)})
			if len(out) == 4*q.Limit {
				return out, ctx.Err()
			}
		}
	}
	return out, ctx.Err()
}

func (m *Module) searchTasks(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	tq := m.taskQueue()
	if tq == nil {
		return nil, nil
	}
	qs, err := tq.Queues(ctx)
	if err != nil {
		return nil, err
	}
	text := strings.ToLower(q.Text)
	var out []ui.Result
	for _, qu := range qs {
		for _, state := range tasks.MonitorStates {
			list, err := tq.List(ctx, qu.Queue, state, 1, 100)
			if err != nil {
				return out, err
			}
			for _, st := range list {
				if !strings.Contains(strings.ToLower(st.Type), text) && !strings.HasPrefix(st.ID, q.Text) {
					continue
				}
				href := "/tasks/" + url.PathEscape(st.ID)
				r := ui.Result{ID: st.ID, Title: st.Type + " · " + string(st.State), Detail: st.ID, Icon: "⏱️", Keywords: st.Type, Href: href}
				switch {
				case !st.State.Done():
					r.Actions = []ui.Action{{Label: "Cancel", Post: href + "/cancel"}}
				case st.State == tasks.StateFailed:
					r.Actions = []ui.Action{{Label: "Retry", Post: href + "/retry"}}
				}
				out = append(out, r)
				if len(out) == q.Limit {
					return out, nil
				}
			}
		}
	}
	return out, nil
}
