package explorer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
)

func TestSliceEdit(t *testing.T) {
	testEdit(t, sliceEngine().open(t, map[string]int{"alice": 5}))
}

// testEdit edits and deletes through a grid: validation, permissions,
// optimistic concurrency, owner scoping and the bus events.
func testEdit(t *testing.T, src Source[task]) {
	b := bus.New(bus.Options{})
	defer func() { _ = b.Close(context.Background()) }()
	var mu sync.Mutex
	var events []string
	b.Subscribe("explorer.tasks.*", func(_ context.Context, e bus.Envelope) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Topic)
		return nil
	})
	g, err := New(src, Config{Name: "tasks", Access: perms{"alice": {"tasks.secret"}}, Deletable: true, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := as("alice"), as("bob")
	res, err := g.Page(alice, Request{Sort: []Sort{{Field: "created_at"}}, Limit: 3})
	if err != nil || len(res.Rows) < 2 {
		t.Fatalf("page: %v", err)
	}
	row := res.Rows[0]
	// Invalid values: per-field errors, nothing stored.
	_, err = g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"title": "", "rank": "5000", "due": "soon", "status": "maybe"})
	var ve *webos.ValidationError
	if !errors.As(err, &ve) || webos.StatusOf(err) != 422 || len(ve.Fields) != 4 ||
		ve.Fields["title"] == "" || ve.Fields["rank"] == "" || ve.Fields["due"] == "" || ve.Fields["status"] == "" {
		t.Fatalf("invalid edit: %v", err)
	}
	// Columns that cannot be edited, or do not exist.
	if _, err := g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"score": 2}); webos.StatusOf(err) != 403 {
		t.Errorf("edit of a read-only column: %v", err)
	}
	if _, err := g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"created_by": "bob"}); webos.StatusOf(err) != 403 {
		t.Errorf("edit of an audit column: %v", err)
	}
	if _, err := g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"nope": 1}); webos.StatusOf(err) != 400 {
		t.Errorf("edit of an unknown column: %v", err)
	}
	byTitle := Request{Sort: []Sort{{Field: "title"}}, Limit: 1}
	if _, err := g.Page(alice, byTitle); err != nil { // the order is known before the edit
		t.Fatal(err)
	}
	// A valid edit, from form strings and JSON values.
	time.Sleep(2 * time.Millisecond) // a new updated_at at millisecond precision
	up, err := g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"title": "renamed", "rank": float64(9), "done": "on", "due": "2026-04-01T12:30", "status": "closed"})
	if err != nil {
		t.Fatalf("valid edit: %v", err)
	}
	if up.Title != "renamed" || up.Rank != 9 || !up.Done || !up.Due.Equal(time.Date(2026, 4, 1, 12, 30, 0, 0, time.UTC)) || up.Status != "closed" || up.UpdatedAt.Equal(row.UpdatedAt) {
		t.Fatalf("edited row: %+v", up)
	}
	stored, err := src.(Editor[task]).Get(alice, row.ID)
	if err != nil || stored.Title != "renamed" || stored.CreatedBy != "alice" {
		t.Fatalf("stored: %+v, %v", stored, err)
	}
	if top, err := g.Page(alice, byTitle); err != nil || len(top.Rows) != 1 || top.Rows[0].Title != "renamed" {
		t.Errorf("after the edit the first by title is %+v, %v", top, err)
	}
	// The same base again is stale: 409 with the fresh row.
	_, err = g.Edit(alice, row.ID, row.UpdatedAt, map[string]any{"title": "lost"})
	var se *StaleError[task]
	if !errors.As(err, &se) || webos.StatusOf(err) != 409 || se.Row.Title != "renamed" {
		t.Fatalf("stale edit: %v", err)
	}
	// Another user's row cannot be reached.
	if !isSliceSource(src) {
		if _, err := g.Edit(bob, row.ID, up.UpdatedAt, map[string]any{"title": "bob's"}); !errors.Is(err, webos.ErrNotFound) {
			t.Errorf("bob's edit of alice's row: %v", err)
		}
	}
	// Delete: not alice's rows for bob; alice's own.
	if !isSliceSource(src) {
		if n, err := g.Delete(bob, []string{row.ID}); n != 0 || err != nil {
			t.Errorf("bob's delete: %d, %v", n, err)
		}
	}
	if n, err := g.Delete(alice, []string{row.ID, res.Rows[1].ID, "missing"}); n != 2 || err != nil {
		t.Errorf("delete: %d, %v", n, err)
	}
	if _, err := src.(Editor[task]).Get(alice, row.ID); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("deleted row: %v", err)
	}
	ro, _ := New(src, Config{Name: "ro", Access: perms{}})
	if _, err := ro.Delete(alice, []string{res.Rows[2].ID}); webos.StatusOf(err) != 403 {
		t.Errorf("delete on a grid without Deletable: %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		n := len(events)
		mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(events) // handlers run on a pool: in any order
	if len(events) != 2 || events[0] != "explorer.tasks.deleted" || events[1] != "explorer.tasks.updated" {
		t.Errorf("events %v", events)
	}
}

func isSliceSource(s Source[task]) bool { _, ok := s.(*Slice[task]); return ok }
