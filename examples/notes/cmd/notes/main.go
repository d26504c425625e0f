package main

import (
	"log"
	"os"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/notes"
	"github.com/webos-go/webos/stack"
)

func main() {
	cfg, err := webos.LoadConfig() // WEBOS_* variables and an optional .env file
	if err != nil {
		log.Fatal(err)
	}
	webos.SetDefaultLogger(webos.NewLogger(cfg, os.Stderr))
	std, err := stack.Standard(cfg) // database, auth, shell, settings, files, tasks: embedded without services
	if err != nil {
		log.Fatal(err)
	}
	webos.Main(webos.New(cfg, append(std.List(), notes.New())...)) // serve | modules list | user create | help
}
