package ui_test

import (
	"net/http"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// TestDocumentTitleNamesTheApp: a page of an app's module is titled
// "Page · App · Brand", unless the page's own title names the app; the
// shell's own pages carry the brand alone.
func TestDocumentTitleNamesTheApp(t *testing.T) {
	var shell *ui.Module
	page := func(title string) webos.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error { return shell.Render(w, r, ui.Page{Title: title}) }
	}
	vault := &contributor{
		id:   "vault",
		apps: []ui.App{{Name: "Vault", Path: "/"}},
		menu: []ui.MenuItem{{Name: "Generator", Path: "/generator"}},
		routes: func(r *webos.Router) {
			r.Handle("GET /{$}", page("All vault entries"))
			r.Handle("GET /generator", page("Password generator"))
			r.Handle("GET /generator/history", page("History"))
		},
	}
	docs := &contributor{ // no app, only a menu entry: its module's name
		id:     "docs",
		menu:   []ui.MenuItem{{Name: "Reference", Path: "/ref"}},
		routes: func(r *webos.Router) { r.Handle("GET /ref", page("Reference")) },
	}
	env := startShell(t, ui.Config{}, vault, docs)
	shell = env.shell
	for path, want := range map[string]string{
		"/vault/":                  "All vault entries · WebOS",
		"/vault/generator":         "Password generator · Vault · WebOS",
		"/vault/generator/history": "History · Vault · WebOS",
		"/docs/ref":                "Reference · Docs · WebOS",
		"/":                        "Launchpad · WebOS",
	} {
		for _, headers := range [][]string{browserHeaders, htmxHeaders} {
			resp, body := get(t, env.srv.URL+path, headers...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.StatusCode)
			}
			if got := text(one(t, parse(t, body), "title")); got != want {
				t.Errorf("%s (%s): title %q, want %q", path, headers[0], got, want)
			}
		}
	}
}

// TestAppPageLinksOnlyAServedAPI: the shell's page for an app links the
// module's HTTP API only when a GET route answers at its prefix.
func TestAppPageLinksOnlyAServedAPI(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) error { w.WriteHeader(http.StatusNoContent); return nil }
	served := &contributor{id: "hello", routes: func(r *webos.Router) { r.HandleFunc("GET /{$}", ok) }}
	postOnly := &contributor{id: "report", routes: func(r *webos.Router) { r.HandleFunc("POST /runs", ok) }}
	env := startShell(t, ui.Config{Apps: []string{"hello", "report"}}, served, postOnly)
	for id, want := range map[string]int{"hello": 1, "report": 0} {
		resp, body := get(t, env.srv.URL+"/apps/"+id, browserHeaders...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/apps/%s: status %d", id, resp.StatusCode)
		}
		if got := len(query(parse(t, body), `.app-page a[href="/`+id+`/"]`)); got != want {
			t.Errorf("/apps/%s links its API %d times, want %d", id, got, want)
		}
	}
}
