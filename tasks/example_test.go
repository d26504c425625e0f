package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
)

type Greeting struct {
	Name string `json:"name" validate:"required"`
}

func Example() {
	hello := tasks.Define("example.hello", func(ctx context.Context, g Greeting) (any, error) {
		_ = tasks.Progress(ctx, 50, "thinking")
		return "Hello, " + g.Name + "!", nil
	})

	// No Redis URL: an in-process Redis, as in the zero-setup demo.
	tm := tasks.New(tasks.Options{Tasks: []tasks.Definition{hello}, PollInterval: 50 * time.Millisecond})
	app := webos.New(webos.Config{}, tm)
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(ctx)

	ctx = identity.With(ctx, identity.Subject("ada")) // as a signed-in request's
	id, err := hello.Enqueue(ctx, Greeting{Name: "Ada"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		st, err := tm.Status(ctx, id)
		if err != nil {
			fmt.Println(err)
			return
		}
		if st.Done() {
			fmt.Println(st.State, st.Percent, string(st.Result), "owner:", st.Owner)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Output: succeeded 100 "Hello, Ada!" owner: ada
}

func ExamplePermanent() {
	check := func(g Greeting) error {
		if g.Name == "" {
			// Retrying cannot fix a missing name: fail the task at once.
			return tasks.Permanent(errors.New("a name is required"))
		}
		return nil
	}
	err := check(Greeting{})
	fmt.Println(err, tasks.IsPermanent(err))
	// Output: a name is required true
}
