package settings_test

import (
	"context"
	"testing"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/settings"
)

// TestMissedChangeArrivesWithinResync: two instances share a database but
// not a bus, so the second never sees the first one's change events; it
// still picks each change up within its resync interval.
func TestMissedChangeArrivesWithinResync(t *testing.T) {
	const every = 200 * time.Millisecond
	run := func(t *testing.T, url, db, dir string) {
		a := start(t, url, db, options{resync: every, dir: dir})
		b := start(t, url, db, options{resync: every, dir: dir})
		for i, size := range []int{42, 43} {
			if err := a.set.Set(context.Background(), "blog", map[string]any{"page_size": size}); err != nil {
				t.Fatal(err)
			}
			begun := time.Now()
			// The interval, the query and the reload, with room for a
			// loaded machine.
			deadline := begun.Add(every + 3*time.Second)
			for get(t, b).PageSize != size {
				if time.Now().After(deadline) {
					t.Fatalf("change %d never reached the other instance: %+v", i, get(t, b))
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("change %d arrived after %s", i, time.Since(begun))
		}
		// A reset, which leaves the stored document with fewer values.
		if err := a.set.Set(context.Background(), "blog", map[string]any{"page_size": nil}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(every + 3*time.Second)
		for get(t, b).PageSize != 20 {
			if time.Now().After(deadline) {
				t.Fatalf("reset never reached the other instance: %+v", get(t, b))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, "", "", t.TempDir()) })
	t.Run("mongo", func(t *testing.T) {
		url, db := newDB(t)
		run(t, url, db, "")
	})
}

// TestChangedEventCarriesVersion: each change increments the version of
// the module's document, and the event says which version it made.
func TestChangedEventCarriesVersion(t *testing.T) {
	in := start(t, "", "", options{dir: t.TempDir()})
	got := make(chan settings.Changed, 4)
	defer bus.On(in.app.Bus(), settings.TopicChanged, func(_ context.Context, _ bus.Envelope, c settings.Changed) error {
		got <- c
		return nil
	})()
	for want := int64(1); want <= 3; want++ {
		if err := in.set.Set(context.Background(), "blog", map[string]any{"page_size": 10 + want}); err != nil {
			t.Fatal(err)
		}
		select {
		case c := <-got:
			if c.Version != want {
				t.Fatalf("change %d: event version %d", want, c.Version)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no settings.changed event")
		}
	}
}
