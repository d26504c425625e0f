package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/webos-go/webos/store"
)

// Bound is a document with a field derived from its id, set by
// PrepareInsert.
type Bound struct {
	store.Doc `bson:",inline"`
	Title     string `bson:"title"`
	Tag       string `bson:"tag"`
	fail      error
}

func (b *Bound) PrepareInsert(context.Context) error {
	if b.fail != nil {
		return b.fail
	}
	b.Tag = "for " + b.ID + " by " + b.CreatedBy
	return nil
}

func TestPrepareInsertSeesTheStoredID(t *testing.T) {
	each(t, func(t *testing.T, e engine) {
		db := e.open(t)
		owned := store.NewOwned[Bound](db, "bound")
		ctx := as("alice")
		b := &Bound{Doc: store.Doc{ID: "chosen"}, Title: "x"}
		if err := owned.Insert(ctx, b); err != nil {
			t.Fatal(err)
		}
		got, err := owned.Get(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == "chosen" || got.Tag != "for "+b.ID+" by alice" {
			t.Fatalf("stored tag %q for id %q", got.Tag, b.ID)
		}
		// An error of PrepareInsert stops the insert and leaves Doc alone.
		boom := errors.New("boom")
		f := &Bound{Title: "y", fail: boom}
		if err := owned.Insert(ctx, f); !errors.Is(err, boom) {
			t.Fatalf("insert: %v", err)
		}
		if f.ID != "" || !f.CreatedAt.IsZero() {
			t.Fatalf("doc after a failed prepare: %+v", f.Doc)
		}
		if n, err := owned.Count(ctx, store.Filter{}); err != nil || n != 1 {
			t.Fatalf("count %d, %v", n, err)
		}
	})
}
