package demo_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/demo"
)

// ExampleNewApp lists the modules of the reference server without starting
// it.
func ExampleNewApp() {
	cfg, _ := webos.LoadConfig("testdata/none.env")
	cfg.DataDir, _ = os.MkdirTemp("", "webos-demo-example")
	defer os.RemoveAll(cfg.DataDir)
	var out strings.Builder
	app, err := demo.NewApp(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = app.Exec(context.Background(), []string{"modules", "list"}, &out)
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		fmt.Fprintln(os.Stdout, strings.Fields(line)[0])
	}
	// Output:
	// store
	// auth
	// ui
	// settings
	// afs
	// audit
	// openapi
	// tasks
	// admin
	// tasks.monitor
	// notes
	// hello
	// report
	// dashboard
	// vault
	// blog
	// files
	// media
	// ready
}
