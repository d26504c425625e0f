package cache_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/webos-go/webos/cache"
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
