package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// Secret is a document of an owner-scoped collection.
type Secret struct {
	store.Doc `bson:",inline"`
	Name      string `bson:"name" json:"name"`
	Value     string `bson:"value" json:"value"`
}

// An owner-scoped collection refuses every call that has no user in its
// context, before it talks to the server.
func ExampleOwned_noUser() {
	db, _ := store.Open("mongodb://127.0.0.1:27017/", "example")
	defer db.Close(context.Background())
	secrets := store.NewOwned[Secret](db, "secrets")

	_, err := secrets.Find(context.Background(), nil, store.FindOptions{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, store.ErrNoUser), webos.StatusOf(err))
	// Output:
	// store: find secrets: unauthorized: no user in context
	// true 401
}

// A typical use: connect, declare a collection with its indexes, and work on
// it as the user in the context.
func ExampleCollection() {
	ctx := context.Background()
	db, err := store.Connect(ctx, "mongodb://127.0.0.1:27017/", "example")
	if err != nil {
		fmt.Println(err) // wraps store.ErrUnavailable when no server answers
		return
	}
	defer db.Close(ctx)

	type Post struct {
		store.Doc `bson:",inline"`
		Slug      string `bson:"slug" json:"slug"`
		Title     string `bson:"title" json:"title"`
		Views     int    `bson:"views" json:"views"`
	}
	posts := store.NewCollection[Post](db, "posts", store.Index{Keys: []string{"slug"}, Unique: true})
	if err := db.EnsureIndexes(ctx); err != nil {
		fmt.Println(err)
		return
	}

	ctx = identity.With(ctx, identity.Subject("alice"))
	p := &Post{Slug: "hello", Title: "Hello"}
	if err := posts.Insert(ctx, p); err != nil {
		fmt.Println(err) // errors.Is(err, webos.ErrConflict) when the slug is taken
		return
	}
	p, _ = posts.Apply(ctx, p.ID, store.Change{Inc: bson.M{"views": 1}})
	recent, _ := posts.Find(ctx, bson.M{"views": bson.M{"$gt": 0}}, store.FindOptions{Sort: []string{"-created_at"}, Limit: 10})
	fmt.Println(p.CreatedBy, p.Views, len(recent))
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

// Tests stamp predictable times with WithClock.
func ExampleWithClock() {
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db, err := store.Open("mongodb://127.0.0.1:27017/", "example", store.WithClock(func() time.Time { return fixed }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close(context.Background())
	fmt.Println(db.Name())
	// Output: example
}
