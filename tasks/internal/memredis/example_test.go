package memredis_test

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/tasks/internal/memredis"
)

func Example() {
	s, err := memredis.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	opts := s.ClientOptions()
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	c.Set(ctx, "greeting", "hello", 0)
	fmt.Println(c.Get(ctx, "greeting").Val())
	// Output: hello
}
