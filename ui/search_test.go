package ui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/ui"
)

func TestMatchRanking(t *testing.T) {
	better := [][3]string{ // query, better text, worse text
		{"blo", "Blog", "Bl-ack owl"},
		{"nb", "New blog post", "Unbound"},
		{"aur", "Aurora borealis", "a fur rug"},
		{"rep", "Sales report", "my prepared"},
		{"sr", "Sales report", "Stars"},
		{"fb", "FooBar", "Fabric"},
	}
	for _, c := range better {
		a, okA := ui.Match(c[0], c[1])
		b, okB := ui.Match(c[0], c[2])
		if !okA || !okB || a <= b {
			t.Errorf("Match(%q): %q scores %d (%v), %q %d (%v): want the first higher", c[0], c[1], a, okA, c[2], b, okB)
		}
	}
	for _, c := range [][2]string{{"xyz", "Blog"}, {"gbl", "Blog"}, {"blogs", "Blog"}} {
		if _, ok := ui.Match(c[0], c[1]); ok {
			t.Errorf("Match(%q, %q) matched", c[0], c[1])
		}
	}
	if s, ok := ui.Match(" ", "anything"); !ok || s != 0 {
		t.Errorf("an empty query: %d %v", s, ok)
	}
	if _, ok := ui.Match("ÉTÉ", "un été chaud"); !ok {
		t.Error("case folding beyond ASCII")
	}
}

func TestSplitScope(t *testing.T) {
	for q, want := range map[string][2]string{
		"> sign out": {">", "sign out"}, "@ada": {"@", "ada"}, "/ report.pdf": {"/", "report.pdf"},
		"#go": {"#", "go"}, "plain words ": {"", "plain words"}, "": {"", ""},
	} {
		if s, text := ui.SplitScope(q); s != want[0] || text != want[1] {
			t.Errorf("SplitScope(%q) = %q, %q; want %q", q, s, text, want)
		}
	}
}

// searcher is a test module with search sources and routes.
type searcher struct {
	contributor
	sources []ui.SearchSource
}

func (s *searcher) SearchSources() []ui.SearchSource { return s.sources }

func staticSource(name, scope string, results ...ui.Result) ui.SearchSource {
	return ui.SearchSource{Name: name, Scope: scope, Search: func(context.Context, ui.SearchQuery) ([]ui.Result, error) {
		return results, nil
	}}
}

func okRoute(w http.ResponseWriter, _ *http.Request) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// searchEnv composes a module "docs" with routes /docs/{id} (module
// permission docs.read) and /docs/{id}/delete (docs.write), and one with
// a slow source.
func searchEnv(t *testing.T, sources []ui.SearchSource) *shellEnv {
	t.Helper()
	docs := &searcher{contributor: contributor{id: "docs", permission: "docs.read", routes: func(r *webos.Router) {
		r.HandleFunc("GET /{id}", okRoute)
		r.Require("docs.write").HandleFunc("POST /{id}/delete", okRoute)
	}}, sources: sources}
	return startShell(t, ui.Config{}, testUsers{}, docs)
}

// collect runs a query as the user holding perms and returns each
// source's final state.
func collect(t *testing.T, env *shellEnv, perms []string, query string) map[string]ui.SourceResults {
	t.Helper()
	u := &auth.User{Email: "ada@example.com", Permissions: perms}
	u.ID = "u-ada"
	out := map[string]ui.SourceResults{}
	err := env.shell.Search(auth.WithUser(context.Background(), u), query, func(sr ui.SourceResults) error {
		if sr.State != "pending" {
			out[sr.Source] = sr
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSearchActionsFollowPermissions(t *testing.T) {
	env := searchEnv(t, []ui.SearchSource{staticSource("pages", "",
		ui.Result{ID: "1", Title: "Annual report", Detail: "finance", Href: "/1", Actions: []ui.Action{{Label: "Delete", Post: "/1/delete"}}},
		ui.Result{ID: "2", Title: "Nowhere", Href: "/1/unknown/route"},
		ui.Result{ID: "3", Title: "Reported bug", Href: "/3"},
	)})
	reader := collect(t, env, []string{"docs.read"}, "rep")
	got := reader["docs.pages"]
	if got.State != "ok" || len(got.Results) != 2 {
		t.Fatalf("reader: %+v", got)
	}
	first := got.Results[0]
	if first.ID != "docs.pages:3" && first.ID != "docs.pages:1" {
		t.Fatalf("first %+v", first)
	}
	for _, hit := range got.Results {
		if hit.ID == "docs.pages:2" {
			t.Error("a result leading nowhere the user may go is listed")
		}
		kinds := []string{}
		for _, a := range hit.Actions {
			kinds = append(kinds, a.Kind+" "+a.URL)
		}
		if k := strings.Join(kinds, ", "); k != "open /docs/"+hit.ID[len("docs.pages:"):]+", copy /docs/"+hit.ID[len("docs.pages:"):] {
			t.Errorf("reader's actions of %s: %s", hit.ID, k)
		}
	}
	writer := collect(t, env, []string{"docs.read", "docs.write"}, "annual")["docs.pages"]
	if len(writer.Results) != 2 || writer.Results[0].ID != "docs.pages:1" || len(writer.Results[0].Actions) != 3 || writer.Results[0].Actions[2] != (ui.HitAction{Kind: "run", Label: "Delete", URL: "/docs/1/delete"}) {
		t.Errorf("writer: %+v", writer.Results)
	}
	if none := collect(t, env, nil, "annual"); len(none) != 0 {
		t.Errorf("a user without the module's permission was answered: %+v", none)
	}
}

func TestSearchScopesAndShortQueries(t *testing.T) {
	var asked atomic.Int32
	count := func(name, scope string) ui.SearchSource {
		return ui.SearchSource{Name: name, Scope: scope, Search: func(context.Context, ui.SearchQuery) ([]ui.Result, error) {
			asked.Add(1)
			return []ui.Result{{ID: name, Title: name + " result", Href: "/" + name}}, nil
		}}
	}
	env := searchEnv(t, []ui.SearchSource{count("people", ui.ScopePeople), count("files", ui.ScopeFiles), count("posts", ui.ScopePosts), count("misc", "")})
	perms := []string{"docs.read"}
	for q, want := range map[string]string{
		"res": "docs.files docs.misc docs.people docs.posts", "@res": "docs.people", "/res": "docs.files", "#res": "docs.posts",
		">res": "", "r": "", "@ r": "",
	} {
		got := collect(t, env, perms, q)
		var names []string
		for _, n := range []string{"docs.files", "docs.misc", "docs.people", "docs.posts"} {
			if _, ok := got[n]; ok {
				names = append(names, n)
			}
		}
		if strings.Join(names, " ") != want {
			t.Errorf("%q asked %q, want %q", q, names, want)
		}
	}
}

func TestSearchSlowSourceDoesNotHoldOthers(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := ui.SearchSource{Name: "slow", Budget: 150 * time.Millisecond, Search: func(context.Context, ui.SearchQuery) ([]ui.Result, error) {
		<-release // ignores its context on purpose
		return []ui.Result{{ID: "late", Title: "Too late", Href: "/late"}}, nil
	}}
	failing := ui.SearchSource{Name: "broken", Search: func(context.Context, ui.SearchQuery) ([]ui.Result, error) { panic("boom") }}
	env := searchEnv(t, []ui.SearchSource{slow, failing, staticSource("fast", "", ui.Result{ID: "a", Title: "Apple", Href: "/a"})})
	u := &auth.User{Permissions: []string{"docs.read"}}
	u.ID = "u-ada"
	start := time.Now()
	var order []string
	err := env.shell.Search(auth.WithUser(context.Background(), u), "app", func(sr ui.SourceResults) error {
		order = append(order, sr.Source+"="+sr.State)
		if sr.Source == "docs.fast" && time.Since(start) > 100*time.Millisecond {
			t.Errorf("the fast source came after %v", time.Since(start))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the query took %v with a source stalled past its 150 ms budget", d)
	}
	got := strings.Join(order, " ")
	for _, want := range []string{"docs.fast=ok", "docs.slow=timeout", "docs.broken=error"} {
		if !strings.Contains(got, want) {
			t.Errorf("states %s: no %s", got, want)
		}
	}
	if !strings.HasPrefix(got, "docs.slow=pending docs.broken=pending docs.fast=pending") {
		t.Errorf("the pending states do not come first, in order: %s", got)
	}
}

// searchEvent is one parsed Server-Sent Event.
type searchEvent struct {
	name string
	data map[string]any
}

// readSearchEvents reads events from an open stream until "done" or EOF,
// sending each on the channel.
func readSearchEvents(resp *http.Response, out chan<- searchEvent) {
	defer close(out)
	sc := bufio.NewScanner(resp.Body)
	ev := searchEvent{}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
		case line == "":
			if ev.name != "" {
				out <- ev
				if ev.name == "done" {
					return
				}
			}
			ev = searchEvent{}
		}
	}
}

func openStream(t *testing.T, env *shellEnv, query, palette string, headers ...string) (*http.Response, chan searchEvent) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.srv.URL+ui.SearchPath+"?palette="+palette+"&q="+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Test-Perms", "docs.read")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	ch := make(chan searchEvent, 16)
	go readSearchEvents(resp, ch)
	return resp, ch
}

func TestSearchStreamAndCancel(t *testing.T) {
	started := make(chan string, 4)
	cancelled := make(chan string, 4)
	blocking := ui.SearchSource{Name: "wait", Budget: 3 * time.Second, Search: func(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
		started <- q.Text
		if q.Text == "first" {
			<-ctx.Done()
			cancelled <- q.Text
			return nil, ctx.Err()
		}
		return []ui.Result{{ID: "x", Title: "Second <b>result</b>", Href: "/x"}}, nil
	}}
	env := searchEnv(t, []ui.SearchSource{blocking})

	resp, first := openStream(t, env, "first", "tab1")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, ct)
	}
	if ev := <-first; ev.name != "source" || ev.data["state"] != "pending" || ev.data["source"] != "docs.wait" {
		t.Fatalf("first event %+v", ev)
	}
	<-started
	// Another user's palette with the same id does not cancel it.
	_, other := openStream(t, env, "second", "tab1", "X-Test-User", "u-bob")
	for range other {
	}
	select {
	case q := <-cancelled:
		t.Fatalf("another user's query cancelled %q", q)
	case <-time.After(50 * time.Millisecond):
	}
	// The same palette's next query cancels the first at once.
	_, second := openStream(t, env, "second", "tab1")
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("the first query's source was not cancelled by the second")
	}
	var got []searchEvent
	for ev := range second {
		got = append(got, ev)
	}
	if len(got) != 3 || got[1].data["state"] != "ok" || got[2].name != "done" {
		t.Fatalf("second stream: %+v", got)
	}
	html, _ := got[1].data["html"].(string)
	if !strings.Contains(html, `href="/docs/x"`) || !strings.Contains(html, "Second &lt;b&gt;result&lt;/b&gt;") || !strings.Contains(html, `data-recent-id="docs.wait:x"`) {
		t.Errorf("result html %s", html)
	}
	for range first { // the first stream ends
	}
}

func TestSearchBadInput(t *testing.T) {
	env := searchEnv(t, nil)
	for _, q := range []string{"?palette=bad%20id&q=abc", "?q=abc", "?palette=p&q=" + strings.Repeat("x", ui.MaxSearchQuery+1)} {
		resp, body := get(t, env.srv.URL+ui.SearchPath+q, "X-Test-Perms", "docs.read")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s %s", q, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, _ := get(t, env.srv.URL+ui.SearchPath+"?palette=p&q=abc"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous search: %d", resp.StatusCode)
	}
}

func TestSearchSourceDeclarations(t *testing.T) {
	for name, s := range map[string]ui.SearchSource{
		"bad name":  staticSource("Bad Name", ""),
		"bad scope": staticSource("x", "!"),
		"no func":   {Name: "x"},
		"bad path":  {Name: "x", Path: "relative", Search: staticSource("x", "").Search},
	} {
		shell := ui.New(ui.Config{})
		app := webos.New(webos.Config{}, shell, webos.AllowAll(), &searcher{contributor: contributor{id: "docs"}, sources: []ui.SearchSource{s}})
		if err := app.Start(context.Background()); err == nil {
			_ = app.Stop(context.Background())
			t.Errorf("%s: the application started", name)
		}
	}
}
