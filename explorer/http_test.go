package explorer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// headerUsers is the authorizer of the HTTP tests: X-User names the user,
// who holds every permission but tasks.secret, unless X-User is "alice".
type headerUsers struct{}

func (headerUsers) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "headerusers"} }
func (headerUsers) Authorizer() webos.Authorizer { return headerUsers{} }
func (headerUsers) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if u := r.Header.Get("X-User"); u != "" {
		r = r.WithContext(identity.With(r.Context(), identity.Subject(u)))
	}
	return r, nil
}
func (headerUsers) Authorize(ctx context.Context, perm string) error {
	return perms{"alice": {"tasks.secret"}}.Authorize(ctx, perm)
}

// gridModule mounts a grid of tasks at /tasks/grid.
type gridModule struct {
	shell *ui.Module
	db    *store.DB
	grid  *Grid[task]
	src   Source[task]
	cfg   func(*Config) // changes the grid's configuration, when set
}

func (m *gridModule) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "tasks", Name: "Tasks"}
}
func (m *gridModule) Provision(_ context.Context, app *webos.App) (err error) {
	cfg := Config{Name: "tasks", Title: "Tasks", Access: app, Deletable: true, Prefs: m.db, PageSize: 10}
	if m.cfg != nil {
		m.cfg(&cfg)
	}
	m.grid, err = New(m.src, cfg)
	return err
}
func (m *gridModule) Routes(r *webos.Router) { m.grid.Mount(r, "/grid", m.shell) }

func startGrid(t *testing.T, n int) (*httptest.Server, *gridModule) {
	t.Helper()
	return startGridWith(t, n, nil)
}

// startGridWith is startGrid with changes to the grid's configuration.
func startGridWith(t *testing.T, n int, cfg func(*Config)) (*httptest.Server, *gridModule) {
	t.Helper()
	db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "prefs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	shell := ui.New(ui.Config{})
	m := &gridModule{shell: shell, db: db, src: sliceEngine().open(t, map[string]int{"alice": n}), cfg: cfg}
	app := webos.New(webos.Config{MaxBodyBytes: 1 << 20, RequestTimeout: 10 * time.Second, ShutdownTimeout: time.Second},
		headerUsers{}, shell, m)
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() { srv.Close(); _ = app.Stop(context.Background()) })
	return srv, m
}

func call(t *testing.T, method, u, user, ct, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if user != "" {
		req.Header.Set("X-User", user)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestHTTP(t *testing.T) {
	srv, _ := startGrid(t, 25)
	base := srv.URL + "/tasks/grid"

	// JSON rows with cursors; the secret column only for alice.
	st, _, body := call(t, "GET", base+"/rows?sort=rank,-title&limit=10&count=1", "alice", "", "")
	var page rowsBody
	if st != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Rows) != 10 || page.Next == "" || page.Total == nil || page.Total.N != 25 {
		t.Fatalf("rows: %d %s", st, body)
	}
	if _, ok := page.Rows[0]["secret"]; !ok {
		t.Errorf("alice's rows lack the secret column")
	}
	st, _, body = call(t, "GET", base+"/rows?sort=rank,-title&limit=10&after="+url.QueryEscape(page.Next), "alice", "", "")
	if st != 200 {
		t.Fatalf("next page: %d %s", st, body)
	}
	// Tampered cursor, refused filter, unknown sort: 400 as JSON.
	for _, q := range []string{"sort=rank,-title&after=" + url.QueryEscape(page.Next[1:]), "filter=secret:eq:s1", "sort=note", "filter=rank:eq:"} {
		st, hd, body := call(t, "GET", base+"/rows?"+q, "bob", "", "")
		if st != 400 || !strings.HasPrefix(hd.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s", q, st, body)
		}
	}
	if st, _, _ := call(t, "GET", base+"/rows", "", "", ""); st != 401 {
		t.Errorf("anonymous: %d", st)
	}
	// AG Grid's getRows.
	st, _, body = call(t, "POST", base+"/rows", "alice", "application/json",
		`{"startRow":0,"endRow":20,"sortModel":[{"colId":"rank","sort":"desc"}],"filterModel":{"done":{"filterType":"text","type":"equals","filter":"true"}}}`)
	var gr GetRowsResponse
	if st != 200 || json.Unmarshal([]byte(body), &gr) != nil || len(gr.RowData) != 13 || gr.LastRow != 13 {
		t.Fatalf("getRows: %d %s", st, body)
	}
	// The next block with the cursor of the first.
	st, _, body = call(t, "POST", base+"/rows", "alice", "application/json",
		`{"startRow":0,"endRow":10,"sortModel":[{"colId":"rank","sort":"desc"}]}`)
	if st != 200 || json.Unmarshal([]byte(body), &gr) != nil || len(gr.RowData) != 10 || gr.LastRow != -1 || gr.After == "" {
		t.Fatalf("getRows, first block: %d %s", st, body)
	}
	st, _, body = call(t, "POST", base+"/rows", "alice", "application/json",
		fmt.Sprintf(`{"startRow":10,"endRow":20,"sortModel":[{"colId":"rank","sort":"desc"}],"after":%q}`, gr.After))
	if st != 200 || json.Unmarshal([]byte(body), &gr) != nil || len(gr.RowData) != 10 || gr.LastRow != -1 {
		t.Fatalf("getRows, second block: %d %s", st, body)
	}
	st, _, body = call(t, "POST", base+"/rows", "alice", "application/json",
		fmt.Sprintf(`{"startRow":20,"endRow":30,"sortModel":[{"colId":"rank","sort":"desc"}],"after":%q}`, gr.After))
	if st != 200 || json.Unmarshal([]byte(body), &gr) != nil || len(gr.RowData) != 5 || gr.LastRow != 25 {
		t.Fatalf("getRows, last block: %d %s", st, body)
	}
	for _, bad := range []string{`{"startRow":10,"endRow":20}`, `{"startRow":0,"endRow":0}`, `{"startRow":0,"endRow":20,"sortModel":[{"colId":"rank","sort":"up"}]}`,
		`{"startRow":0,"endRow":20,"filterModel":{"secret":{"filterType":"text","type":"equals","filter":"s1"}}}`} {
		user := "alice"
		if strings.Contains(bad, "secret") {
			user = "bob"
		}
		if st, _, body := call(t, "POST", base+"/rows", user, "application/json", bad); st/100 != 4 || !strings.Contains(body, `"error"`) {
			t.Errorf("getRows %s: %d %s", bad, st, body)
		}
	}
	// columnDefs.
	st, _, body = call(t, "GET", base+"/columns", "bob", "", "")
	if st != 200 || strings.Contains(body, `"secret"`) || !strings.Contains(body, `"agTextColumnFilter"`) {
		t.Errorf("columns for bob: %d %s", st, body)
	}
	// Edits: 422 with the field, 200, then 409 with the fresh row.
	row := page.Rows[0]
	id, ver := row["id"].(string), row["updated_at"].(string)
	st, _, body = call(t, "PATCH", base+"/rows/"+id, "alice", "application/x-www-form-urlencoded", url.Values{"title": {""}, "version": {ver}}.Encode())
	if st != 422 || !strings.Contains(body, `"title"`) {
		t.Errorf("invalid edit: %d %s", st, body)
	}
	st, _, body = call(t, "PATCH", base+"/rows/"+id, "alice", "application/json", fmt.Sprintf(`{"version":%q,"values":{"title":"new title","rank":5}}`, ver))
	if st != 200 || !strings.Contains(body, `"new title"`) {
		t.Fatalf("edit: %d %s", st, body)
	}
	st, _, body = call(t, "PATCH", base+"/rows/"+id, "alice", "application/json", fmt.Sprintf(`{"version":%q,"values":{"title":"stale"}}`, ver))
	if st != 409 || !strings.Contains(body, `"new title"`) || !strings.Contains(body, `"row"`) {
		t.Errorf("stale edit: %d %s", st, body)
	}
	// The page, the grid fragment and the CSV export.
	rq, _ := http.NewRequest("GET", base+"?sort=rank", nil)
	rq.Header.Set("X-User", "alice")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tasks/grid/?sort=rank" {
		t.Errorf("GET without the slash: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	st, hd, body := call(t, "GET", base+"/?sort=-rank&f.note=tea", "alice", "", "", "Sec-Fetch-Mode", "navigate", "Accept", "text/html")
	if st != 200 || !strings.Contains(body, `id="grid-tasks"`) || !strings.Contains(body, "grid.js") || hd.Get("Content-Security-Policy") == "" {
		t.Errorf("page: %d", st)
	}
	st, _, body = call(t, "GET", base+"/?f.note=nothing-like-this", "alice", "", "", "HX-Request", "true", "HX-Target", "grid-tasks")
	if st != 200 || !strings.HasPrefix(body, `<div id="grid-tasks"`) || !strings.Contains(body, "No rows match.") {
		t.Errorf("fragment: %d %.200s", st, body)
	}
	st, hd, body = call(t, "GET", base+"/export.csv?sort=rank&f.note=tea", "alice", "", "")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if st != 200 || hd.Get("Content-Type") != "text/csv; charset=utf-8" || len(lines) != 1+12 || !strings.HasPrefix(lines[0], "Title,Rank") {
		t.Errorf("csv: %d %d lines: %.300s", st, len(lines), body)
	}
	// Column choices, kept per user.
	st, _, body = call(t, "POST", base+"/columns", "alice", "application/x-www-form-urlencoded", "show=title&show=rank", "HX-Request", "true")
	if st != 200 || strings.Contains(body, `data-field="note"`) || !strings.Contains(body, `data-field="rank"`) {
		t.Errorf("columns: %d", st)
	}
	_, _, body = call(t, "GET", base+"/", "alice", "", "", "HX-Request", "true", "HX-Target", "grid-tasks")
	if strings.Contains(body, `data-field="note"`) {
		t.Errorf("hidden column shown after reload")
	}
	// Delete two rows.
	st, _, body = call(t, "POST", base+"/delete", "alice", "application/json", fmt.Sprintf(`{"ids":[%q,%q]}`, id, page.Rows[1]["id"]))
	if st != 200 || !strings.Contains(body, `"deleted":2`) {
		t.Errorf("delete: %d %s", st, body)
	}
}

// TestTwoGridsShareThePrefs: grids of one application keep their column
// choices in one collection, apart.
// TestHeader: a grid's Header replaces the title heading of its page, and
// is not part of the grid's htmx updates.
func TestHeader(t *testing.T) {
	srv, _ := startGridWith(t, 3, func(c *Config) {
		c.Header = func(r *http.Request) g.Node {
			return h.Div(h.ID("my-header"), h.H1(g.Text("My tasks")), h.A(h.Href("/tasks/new"), g.Text("New task for "+identity.ID(r.Context()))))
		}
	})
	st, _, body := call(t, "GET", srv.URL+"/tasks/grid/", "alice", "", "")
	if st != 200 || !strings.Contains(body, `<div id="my-header"><h1>My tasks</h1><a href="/tasks/new">New task for alice</a></div>`) ||
		!strings.Contains(body, `id="grid-tasks"`) || strings.Contains(body, `<h1>Tasks</h1>`) {
		t.Fatalf("page: %d %s", st, body)
	}
	st, _, body = call(t, "GET", srv.URL+"/tasks/grid/?sort=-rank", "alice", "", "", "HX-Request", "true", "HX-Target", "grid-tasks")
	if st != 200 || strings.Contains(body, "my-header") || !strings.HasPrefix(body, `<div id="grid-tasks"`) {
		t.Errorf("htmx update: %d %s", st, body)
	}
}

func TestTwoGridsShareThePrefs(t *testing.T) {
	db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "prefs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	src := sliceEngine().open(t, map[string]int{"alice": 3})
	a, err := New(src, Config{Name: "a", Access: perms{}, Prefs: db})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(src, Config{Name: "b", Access: perms{}, Prefs: db})
	if err != nil {
		t.Fatal(err)
	}
	ctx := as("alice")
	if err := a.savePrefs(ctx, []string{"rank"}, []string{"title"}); err != nil {
		t.Fatal(err)
	}
	if err := a.savePrefs(ctx, []string{"title"}, nil); err != nil { // the second save updates
		t.Fatal(err)
	}
	cols, _ := a.Columns(ctx)
	if h := a.hiddenFor(ctx, cols); !h["title"] || h["rank"] {
		t.Errorf("grid a hides %v", h)
	}
	if h := b.hiddenFor(ctx, cols); h["title"] {
		t.Errorf("grid b hides %v", h)
	}
	if h := a.hiddenFor(as("bob"), cols); h["title"] {
		t.Errorf("bob sees alice's choice: %v", h)
	}
}
