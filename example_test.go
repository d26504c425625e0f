package webos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/webos-go/webos"
)

// Greeter is a module with one route.
type Greeter struct{}

func (Greeter) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "greeter", Name: "Greeter", Version: "1.0.0"}
}

func (Greeter) Routes(r *webos.Router) {
	r.HandleFunc("GET /{name}", func(w http.ResponseWriter, r *http.Request) error {
		if r.PathValue("name") == "nobody" {
			return fmt.Errorf("greeting %q: %w", "nobody", webos.ErrNotFound)
		}
		webos.WriteJSON(w, http.StatusOK, map[string]string{"hello": r.PathValue("name")})
		return nil
	})
}

func Example() {
	cfg, _ := webos.LoadConfig("testdata/none.env")
	app := webos.New(cfg, Greeter{})
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	for _, path := range []string{"/greeter/ada", "/greeter/nobody", "/nowhere"} {
		w := httptest.NewRecorder()
		app.Handler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		var body map[string]string
		_ = json.NewDecoder(w.Body).Decode(&body)
		fmt.Println(w.Code, body["hello"]+body["error"])
	}
	// Output:
	// 200 ada
	// 404 greeting "nobody": not found
	// 404 not found: no route for GET /nowhere
}

func ExampleApp_Exec() {
	cfg, _ := webos.LoadConfig("testdata/none.env")
	app := webos.New(cfg, Greeter{})
	_ = app.Exec(context.Background(), []string{"modules", "list"}, printer{})
	// Output:
	// ID       NAME     VERSION  CAPABILITIES  STATE
	// greeter  Greeter  1.0.0    routes        registered
}

type printer struct{}

func (printer) Write(b []byte) (int, error) { fmt.Print(string(b)); return len(b), nil }
