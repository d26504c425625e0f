package bus_test

import (
	"context"
	"fmt"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
)

func ExampleBus_Emit() {
	b := bus.New(bus.Options{})
	b.Subscribe("settings.*", func(ctx context.Context, e bus.Envelope) error {
		fmt.Printf("%s by %s: %v\n", e.Topic, identity.ID(ctx), e.Payload)
		return nil
	})

	ctx := identity.With(context.Background(), identity.Subject("u-42"))
	if err := b.Emit(ctx, "settings.changed", "theme=dark"); err != nil {
		fmt.Println(err)
	}
	_ = b.Close(context.Background()) // waits until the handler has run
	// Output: settings.changed by u-42: theme=dark
}

func ExampleOn() {
	type Upload struct {
		Name string
		Size int64
	}
	b := bus.New(bus.Options{})
	done := make(chan struct{})
	cancel := bus.On(b, "files.**", func(ctx context.Context, e bus.Envelope, u Upload) error {
		defer close(done)
		fmt.Printf("%s: %s, %d bytes\n", e.Topic, u.Name, u.Size)
		return nil
	})
	defer cancel()

	_ = b.Emit(context.Background(), "files.uploaded.photo", Upload{Name: "cat.jpg", Size: 5120})
	<-done
	_ = b.Close(context.Background())
	// Output: files.uploaded.photo: cat.jpg, 5120 bytes
}

func ExampleHub() {
	// Two buses standing for two instances of an application.
	hub := bus.NewHub()
	a := bus.New(bus.Options{Transport: hub.Transport()})
	b := bus.New(bus.Options{Transport: hub.Transport()})

	type Greeting struct{ Text string }
	for name, inst := range map[string]*bus.Bus{"a": a, "b": b} {
		bus.On(inst, "greeting", func(ctx context.Context, e bus.Envelope, g Greeting) error {
			_, local := e.Payload.(Greeting) // the emitter's value, or JSON from the other instance
			fmt.Printf("%s got %q (local payload: %v)\n", name, g.Text, local)
			return nil
		})
	}

	_ = a.Emit(context.Background(), "greeting", Greeting{"hello"})
	_ = a.Close(context.Background())
	_ = b.Close(context.Background())
	// Unordered output:
	// a got "hello" (local payload: true)
	// b got "hello" (local payload: false)
}
