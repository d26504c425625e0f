package hello_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/store"
)

// Example composes the hello module with an embedded database, the way the
// demo server does, and records a greeting over HTTP.
func Example() {
	dir, _ := os.MkdirTemp("", "hello-example")
	defer os.RemoveAll(dir)

	cfg, _ := webos.LoadConfig("testdata/none.env")
	db := &store.Module{Dir: dir} // no URL: the embedded SQLite store
	app := webos.New(cfg, db, hello.New())
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(ctx)

	req := httptest.NewRequest("POST", "/hello/greetings", strings.NewReader(`{"name":"Ada"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	app.Handler().ServeHTTP(w, req)
	fmt.Println(w.Code, strings.Contains(w.Body.String(), `"message":"Hello, Ada!"`))
	// Output: 201 true
}
