package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/webos-go/webos/cache"
	"github.com/webos-go/webos/identity"
)

func ExampleMemoize() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "cache-example")
	defer os.RemoveAll(dir)

	slowSquare := func(_ context.Context, n int) (int, error) {
		fmt.Println("computing", n)
		return n * n, nil
	}
	for run := 1; run <= 2; run++ { // two runs of the program
		c, err := cache.Open(ctx, cache.Config{Dir: filepath.Join(dir, "cache")}, cache.Options{})
		if err != nil {
			panic(err)
		}
		square := cache.Memoize(c, "square", time.Hour, slowSquare)
		v, _ := square.Get(ctx, 12)
		v, _ = square.Get(ctx, 12)
		fmt.Println("run", run, "got", v)
		c.Close()
	}
	// Output:
	// computing 12
	// run 1 got 144
	// run 2 got 144
}

// A function whose result depends on the acting user, such as a read of an
// owner-scoped collection, is memoized per user: each user gets their own
// result, computed as them.
func ExamplePerUser() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "cache-example")
	defer os.RemoveAll(dir)
	c, err := cache.Open(ctx, cache.Config{Dir: dir}, cache.Options{})
	if err != nil {
		panic(err)
	}
	defer c.Close()

	countNotes := func(ctx context.Context, folder string) (string, error) {
		return fmt.Sprintf("%s has notes in %s", identity.ID(ctx), folder), nil
	}
	notes := cache.Memoize(c, "notes.count", time.Minute, countNotes, cache.PerUser())
	for _, user := range []string{"alice", "bob"} {
		v, _ := notes.Get(identity.With(ctx, identity.Subject(user)), "inbox")
		fmt.Println(v)
	}
	// Output:
	// alice has notes in inbox
	// bob has notes in inbox
}
