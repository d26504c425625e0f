package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// recipes is a module whose recipes the palette finds by title.
type recipes struct{ titles []string }

func (recipes) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "recipes", Name: "Recipes", Icon: "🍲"}
}

func (recipes) Routes(r *webos.Router) {
	r.HandleFunc("GET /{id}", func(w http.ResponseWriter, _ *http.Request) error { return nil })
}

func (m recipes) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "titles", Title: "Recipes", Scope: ui.ScopePosts,
		Search: func(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
			var out []ui.Result
			for i, t := range m.titles {
				if _, ok := ui.Match(q.Text, t); ok {
					out = append(out, ui.Result{ID: fmt.Sprint(i), Title: t, Href: fmt.Sprintf("/%d", i)})
				}
			}
			return out, nil
		}}}
}

// A module contributes content results to the palette with a
// SearchSource; the shell asks it, ranks its results and derives their
// actions from the routes the user may open.
func ExampleModule_Search() {
	shell := ui.New(ui.Config{})
	app := webos.New(webos.Config{}, shell, webos.AllowAll(),
		recipes{titles: []string{"Lentil soup", "Lemon tart", "Grilled leeks"}})
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	_ = shell.Search(context.Background(), "#le", func(sr ui.SourceResults) error {
		fmt.Println(sr.Source, sr.State)
		for _, hit := range sr.Results {
			var acts []string
			for _, a := range hit.Actions {
				acts = append(acts, a.Kind+" "+a.URL)
			}
			fmt.Printf("  %s (%s)\n", hit.Title, strings.Join(acts, ", "))
		}
		return nil
	})
	// Output:
	// recipes.titles pending
	// recipes.titles ok
	//   Lentil soup (open /recipes/0, copy /recipes/0)
	//   Lemon tart (open /recipes/1, copy /recipes/1)
	//   Grilled leeks (open /recipes/2, copy /recipes/2)
}

// Match ranks contiguous matches and matches at word starts first.
func ExampleMatch() {
	for _, title := range []string{"New blog post", "Unbound", "Nebula"} {
		score, ok := ui.Match("nb", title)
		fmt.Println(title, ok, score)
	}
	// Output:
	// New blog post true 69
	// Unbound true 55
	// Nebula true 51
}
