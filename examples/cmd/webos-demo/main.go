package main

import (
	"fmt"
	"os"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/demo"
)

func main() {
	cfg, err := webos.LoadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "webos-demo:", err)
		os.Exit(2)
	}
	webos.SetDefaultLogger(webos.NewLogger(cfg, os.Stderr))
	app, err := demo.NewApp(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webos-demo:", err)
		os.Exit(2)
	}
	webos.Main(app)
}
