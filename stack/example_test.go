package stack_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/stack"
)

// The standard modules for a configuration with no service: everything is
// embedded and kept in the data folder.
func ExampleStandard() {
	dir, _ := os.MkdirTemp("", "stack-example")
	defer os.RemoveAll(dir)
	cfg, _ := webos.LoadConfig("/nonexistent/.env")
	cfg.DataDir = dir
	std, err := stack.Standard(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range std.List() {
		fmt.Println(m.ModuleInfo().ID)
	}
	app := webos.New(cfg, std.List()...)
	app.SetLogger(slog.New(slog.DiscardHandler))
	old := os.Stdout
	os.Stdout, _ = os.Open(os.DevNull) // the first run prints the administrator's one-time password
	err = app.Start(context.Background())
	os.Stdout = old
	if err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())
	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/health", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Print(rec.Code, " ", string(body))
	// Output:
	// store
	// auth
	// ui
	// settings
	// afs
	// audit
	// openapi
	// tasks
	// 200 {"status":"ok"}
}
