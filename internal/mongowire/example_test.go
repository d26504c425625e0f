package mongowire_test

import (
	"context"
	"fmt"
	"os"

	"github.com/webos-go/webos/internal/mongowire"
	"github.com/webos-go/webos/store"
)

// Start a server over SQLite in a folder and use it through package store.
func ExampleStart() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	ctx := context.Background()
	srv, err := mongowire.Start(ctx, mongowire.Options{SQLiteDir: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	db, err := store.ConnectMongo(ctx, srv.URI(), "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close(ctx)

	type Todo struct {
		store.Doc `bson:",inline"`
		Text      string `bson:"text"`
	}
	todos := store.NewCollection[Todo](db, "todos")
	_ = todos.Insert(ctx, &Todo{Text: "water the plants"})
	n, _ := todos.Count(ctx, store.Filter{})
	fmt.Println(srv.Backend(), n)
	// Output: sqlite 1
}
