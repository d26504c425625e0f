package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// Post is the document type of the examples.
type Post struct {
	store.Doc `bson:",inline"`
	Slug      string `bson:"slug" json:"slug"`
	Title     string `bson:"title" json:"title"`
	Views     int    `bson:"views" json:"views"`
}

// A typical use: open the database, declare a collection with its indexes,
// and work on it as the user in the context. The same code runs on MongoDB
// with ConnectMongo.
func ExampleCollection() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := store.OpenSQLite(filepath.Join(dir, "app.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close(ctx)

	posts := store.NewCollection[Post](db, "posts",
		store.Index{Keys: []string{"slug"}, Unique: true},
		store.Index{Keys: []string{"-created_at"}})
	if err := db.EnsureIndexes(ctx); err != nil {
		fmt.Println(err)
		return
	}

	ctx = identity.With(ctx, identity.Subject("alice"))
	for _, slug := range []string{"hello", "world", "again"} {
		if err := posts.Insert(ctx, &Post{Slug: slug, Title: slug}); err != nil {
			fmt.Println(err)
			return
		}
	}
	err = posts.Insert(ctx, &Post{Slug: "hello"})
	fmt.Println(errors.Is(err, store.ErrConflict), webos.StatusOf(err))

	p, _ := posts.FindOne(ctx, store.Eq("slug", "world"))
	p, _ = posts.Update(ctx, p.ID, store.Inc("views", 1))
	fmt.Println(p.Slug, p.Views, p.CreatedBy)

	page, _ := posts.Page(ctx, store.Query{Where: store.Ne("slug", "again"), Sort: []string{"-created_at"}, Limit: 1})
	fmt.Println(page.Items[0].Slug, page.Next != "")
	page, _ = posts.Page(ctx, store.Query{Where: store.Ne("slug", "again"), Sort: []string{"-created_at"}, Limit: 1, After: page.Next})
	fmt.Println(page.Items[0].Slug, page.Next != "")
	// Output:
	// true 409
	// world 1 alice
	// world true
	// hello false
}

// An owner-scoped collection refuses every call that has no user in its
// context, before it touches the database.
func ExampleOwned_noUser() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	db, _ := store.OpenSQLite(filepath.Join(dir, "app.db"))
	defer db.Close(context.Background())
	secrets := store.NewOwned[Post](db, "secrets")

	_, err := secrets.Find(context.Background(), store.Query{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, store.ErrNoUser), webos.StatusOf(err))
	// Output:
	// store: find secrets: unauthorized: no user in context
	// true 401
}

// Filters are built from functions, never from user-supplied query
// documents; a malformed one is a 400 when it is used.
func ExampleFilter() {
	f := store.And(
		store.Eq("status", "published"),
		store.Or(store.Prefix("slug", "go-"), store.Contains("title", "golang")),
		store.Gte("published_at", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
	)
	fmt.Println(f.Err())
	fmt.Println(store.Eq("title", struct{}{}).Err())
	// Output:
	// <nil>
	// title: a struct {} cannot be compared: use strings, numbers, booleans or times
}

// Errors carry the kernel's kinds, so a handler just passes them on and the
// client gets the matching status.
func ExampleError() {
	for _, err := range []error{store.ErrNotFound, store.ErrConflict, store.ErrNoUser, store.ErrUnavailable} {
		fmt.Println(webos.StatusOf(err), err)
	}
	// Output:
	// 404 store: not found
	// 409 store: conflict: duplicate key
	// 401 store: unauthorized: no user in context
	// 503 store: service unavailable: database unreachable
}
