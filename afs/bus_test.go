package afs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
)

var _ afs.Emitter = (*bus.Bus)(nil)

// TestBusEvents: the events reach bus subscribers with the acting user.
func TestBusEvents(t *testing.T) {
	b := bus.New(bus.Options{})
	got := make(chan afs.Event, 4)
	topics := make(chan string, 4)
	bus.On(b, "afs.*", func(_ context.Context, e bus.Envelope, ev afs.Event) error {
		topics <- e.Topic
		got <- ev
		return nil
	})
	f := afs.New(afs.Options{Emitter: b})
	if err := f.Mount("mem", memSource(t)); err != nil {
		t.Fatal(err)
	}
	ctx := identity.With(t.Context(), identity.Subject("ada"))
	u := afs.MustParse("fs://mem/notes/today.txt")
	if _, err := f.Save(ctx, u, strings.NewReader("hello"), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if topic, ev := <-topics, <-got; topic != afs.TopicSaved || ev.URN != u || ev.User != "ada" || ev.Size != 5 {
		t.Fatalf("%s %+v", topic, ev)
	}
}
