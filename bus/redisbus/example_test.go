package redisbus_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/bus/redisbus"
)

// Two instances of an application share a Redis server (here an
// in-process stand-in; in production, WEBOS_REDIS_URL). An event emitted on
// one reaches the subscribers of both, once each.
func Example() {
	srv := miniredis.NewMiniRedis()
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	var clients []*redis.Client
	instance := func() *bus.Bus {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		clients = append(clients, client)
		t, err := redisbus.New(ctx, client, redisbus.Options{
			// The same secret on every instance; in production, the
			// application's: redisbus.KeysFrom(cfg.SecretKeys).
			Keys:    [][]byte{[]byte("a secret of at least thirty-two bytes")},
			Channel: "myapp:events",
		})
		if err != nil {
			panic(err)
		}
		return bus.New(bus.Options{Transport: t})
	}
	a, b := instance(), instance()

	type Saved struct{ Name string }
	done := make(chan struct{}, 2)
	for name, inst := range map[string]*bus.Bus{"a": a, "b": b} {
		bus.On(inst, "files.saved", func(ctx context.Context, e bus.Envelope, s Saved) error {
			fmt.Printf("instance %s: %s saved\n", name, s.Name)
			done <- struct{}{}
			return nil
		})
	}

	if err := a.Emit(ctx, "files.saved", Saved{Name: "report.pdf"}); err != nil {
		fmt.Println(err)
	}
	<-done
	<-done
	_ = a.Close(ctx) // closes the transport, not the client
	_ = b.Close(ctx)
	for _, c := range clients {
		_ = c.Close()
	}
	// Unordered output:
	// instance a: report.pdf saved
	// instance b: report.pdf saved
}
