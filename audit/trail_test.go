package audit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// engines runs fn on the embedded SQLite store and, in integration runs, on
// the MongoDB-wire server. open returns another connection to the same
// database, as a second instance of an application has.
func engines(t *testing.T, fn func(t *testing.T, open func() *store.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.db")
		fn(t, func() *store.DB {
			db, err := store.OpenSQLite(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = db.Close(context.Background()) })
			return db
		})
	})
	t.Run("mongodb", func(t *testing.T) {
		url := testenv.MongoURL(t)
		name := testenv.DatabaseName("audittest")
		var first *store.DB
		fn(t, func() *store.DB {
			db, err := store.OpenMongo(url, name)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = db
				t.Cleanup(func() { _ = first.Drop(context.Background()); _ = first.Close(context.Background()) })
			} else {
				t.Cleanup(func() { _ = db.Close(context.Background()) })
			}
			return db
		})
	})
}

func newTrail(t *testing.T, db *store.DB) *audit.Trail {
	t.Helper()
	tr, err := audit.NewTrail(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func eventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func envelope(action, target, user string, before, after any) bus.Envelope {
	return bus.Envelope{ID: eventID(), Topic: audit.Topic, Time: time.Now(), TraceID: "trace-" + target, UserID: user,
		Payload: audit.Change{Action: action, Target: target, Before: before, After: after, Client: "192.0.2.7"}}
}

func all(t *testing.T, tr *audit.Trail) []audit.Entry {
	t.Helper()
	es, err := tr.Entries().Find(t.Context(), store.Query{Sort: []string{"seq"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestRecordChainsEntries(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		tr := newTrail(t, open())
		ctx := t.Context()
		e1 := envelope("auth.user.create", "user:1", "admin", nil, map[string]any{"email": "a@example.com"})
		e2 := envelope("auth.user.update", "user:1", "admin", map[string]any{"active": true}, map[string]any{"active": false})
		for _, e := range []bus.Envelope{e1, e2, e1} { // e1 twice: every instance records each event
			if err := tr.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		es := all(t, tr)
		if len(es) != 2 {
			t.Fatalf("%d entries, want 2 (the repeated event is recorded once)", len(es))
		}
		first, second := es[0], es[1]
		if first.Seq != 1 || first.Prev != "" || second.Seq != 2 || second.Prev != first.Hash || first.ID != e1.ID {
			t.Fatalf("chain: %+v / %+v", first, second)
		}
		if second.Actor != "admin" || second.Action != "auth.user.update" || second.Target != "user:1" ||
			second.Before != `{"active":true}` || second.After != `{"active":false}` ||
			second.TraceID != "trace-user:1" || second.Client != "192.0.2.7" || first.Before != "" {
			t.Fatalf("entry: %+v", second)
		}
		if n, err := tr.Verify(ctx); n != 2 || err != nil {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}

func TestConcurrentWritersKeepOneChain(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		// Two instances of an application, each with its own connection,
		// both recording every event, at the same time.
		a, b := newTrail(t, open()), newTrail(t, open())
		const events = 40
		evs := make([]bus.Envelope, events)
		for i := range evs {
			evs[i] = envelope("settings.set", "setting:x", "u", i, i+1)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*events)
		for _, tr := range []*audit.Trail{a, b} {
			wg.Go(func() {
				for _, e := range evs {
					errs <- tr.Record(t.Context(), e)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		es := all(t, a)
		if len(es) != events {
			t.Fatalf("%d entries for %d events", len(es), events)
		}
		if n, err := b.Verify(t.Context()); n != events || err != nil {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}

func TestVerifyFindsTampering(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		tr := newTrail(t, open())
		ctx := t.Context()
		for i := range 5 {
			if err := tr.Record(ctx, envelope("auth.role.save", "role:r", "admin", nil, map[string]int{"n": i})); err != nil {
				t.Fatal(err)
			}
		}
		es := all(t, tr)
		check := func(wantSeq int64) {
			t.Helper()
			_, err := tr.Verify(ctx)
			var br *audit.Broken
			if !errors.As(err, &br) || !errors.Is(err, audit.ErrBroken) || br.Seq != wantSeq {
				t.Fatalf("verify after tampering: %v, want a break at %d", err, wantSeq)
			}
		}

		// Someone with database access rewrites what an entry says.
		if _, err := tr.Entries().Update(ctx, es[2].ID, store.Set("after", `{"n":99}`)); err != nil {
			t.Fatal(err)
		}
		check(3)
		// ... and recomputing that entry's hash is not enough: the next
		// entry names the old one.
		if _, err := tr.Entries().Update(ctx, es[2].ID, store.Set("after", es[2].After)); err != nil {
			t.Fatal(err)
		}
		if n, err := tr.Verify(ctx); n != 5 || err != nil {
			t.Fatalf("restored: %d, %v", n, err)
		}
		// Removing an entry leaves a gap.
		if err := tr.Entries().Delete(ctx, es[1].ID); err != nil {
			t.Fatal(err)
		}
		check(2)
	})
}

func TestRecordRefusesWhatIsNoChange(t *testing.T) {
	tr := newTrail(t, func() *store.DB {
		db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "a.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close(context.Background()) })
		return db
	}())
	bad := []bus.Envelope{
		{ID: eventID(), Topic: audit.Topic, Payload: audit.Change{Action: "x"}},
		{ID: eventID(), Topic: audit.Topic, Payload: "not a change"},
	}
	for _, e := range bad {
		if err := tr.Record(t.Context(), e); err == nil {
			t.Fatalf("recorded %+v", e)
		}
	}
	for _, c := range []audit.Change{{Target: "t"}, {Action: "a"}, {Action: "a b", Target: "t"}} {
		if err := audit.Emit(t.Context(), bus.New(bus.Options{}), c); !errors.Is(err, audit.ErrInvalid) {
			t.Fatalf("emit %+v: %v", c, err)
		}
	}
	if n, err := tr.Verify(t.Context()); n != 0 || err != nil {
		t.Fatalf("verify: %d, %v", n, err)
	}
}
