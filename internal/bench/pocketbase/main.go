// Command pocketbase is PocketBase built as a library, the peer server of
// the load suite (scripts/load.sh). It lives in its own module so that
// PocketBase never becomes a dependency of the SDK. The suite builds it
// once into the shared tools folder:
//
//	pocketbase serve --http 127.0.0.1:18092 --dir DIR
//	pocketbase superuser upsert EMAIL PASSWORD --dir DIR
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	// DefaultDev false: in dev mode PocketBase logs every SQL statement,
	// which would measure the logger, not the server.
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
