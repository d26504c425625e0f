// Command webos-demo is the WebOS reference server: the shell with every
// demo app. With no configuration it runs entirely in-process (an embedded
// MongoDB-wire server over SQLite in ./data) and prints its URL.
//
//	webos-demo                 serve (the default)
//	webos-demo modules list    list the modules
//	webos-demo version
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
	webos.Main(demo.NewApp(cfg))
}
