package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

func TestOwnedIsolatesUsers(t *testing.T) {
	db := newDB(t)
	secrets := store.NewOwned[Note](db, "secrets")
	alice, bob := as("alice"), as("bob")
	if err := db.EnsureIndexes(alice); err != nil {
		t.Fatal(err)
	}

	a1 := &Note{Title: "a1", N: 1}
	a2 := &Note{Title: "a2", N: 2}
	b1 := &Note{Title: "b1", N: 1}
	for _, w := range []struct {
		ctx context.Context
		n   *Note
	}{{alice, a1}, {alice, a2}, {bob, b1}} {
		if err := secrets.Insert(w.ctx, w.n); err != nil {
			t.Fatal(err)
		}
	}
	if a1.CreatedBy != "alice" || b1.CreatedBy != "bob" {
		t.Fatalf("insert did not stamp the owner: %+v %+v", a1.Doc, b1.Doc)
	}

	titles := func(ns []Note) []string {
		var s []string
		for _, n := range ns {
			s = append(s, n.Title)
		}
		slices.Sort(s)
		return s
	}

	// Filters that try to reach alice's documents as bob.
	for name, filter := range map[string]any{
		"nil":                nil,
		"created_by":         bson.M{"created_by": "alice"},
		"created_by $ne":     bson.M{"created_by": bson.M{"$ne": "bob"}},
		"$or":                bson.M{"$or": bson.A{bson.M{"created_by": "alice"}, bson.M{"n": bson.M{"$gte": 0}}}},
		"$and":               bson.M{"$and": bson.A{bson.M{"created_by": "alice"}}},
		"created_by in bson": bson.D{{Key: "n", Value: 1}, {Key: "created_by", Value: "alice"}},
	} {
		got, err := secrets.Find(bob, filter, store.FindOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, n := range got {
			if n.CreatedBy != "bob" {
				t.Errorf("%s: bob sees %+v", name, n)
			}
		}
		n, err := secrets.Count(bob, filter)
		if err != nil || n != int64(len(got)) || n > 1 {
			t.Errorf("%s: count %d, %v; found %d", name, n, err, len(got))
		}
		if one, err := secrets.FindOne(bob, filter); err == nil && one.CreatedBy != "bob" {
			t.Errorf("%s: FindOne gives bob %+v", name, one)
		}
	}
	if got, _ := secrets.Find(alice, nil, store.FindOptions{}); !slices.Equal(titles(got), []string{"a1", "a2"}) {
		t.Fatalf("alice sees %v", titles(got))
	}

	// bob cannot read, update, replace or delete alice's document.
	if _, err := secrets.Get(bob, a1.ID); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("bob Get alice's: %v", err)
	}
	if _, err := secrets.Update(bob, a1.ID, bson.M{"title": "pwned"}); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("bob Update alice's: %v", err)
	}
	if _, err := secrets.Apply(bob, a1.ID, store.Change{Inc: bson.M{"n": 100}}); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("bob Apply alice's: %v", err)
	}
	stolen := *a1
	stolen.Title = "pwned"
	if err := secrets.Replace(bob, &stolen); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("bob Replace alice's: %v", err)
	}
	if err := secrets.Delete(bob, a1.ID); !errors.Is(err, webos.ErrNotFound) {
		t.Errorf("bob Delete alice's: %v", err)
	}
	// Nor hand his own document to alice.
	if _, err := secrets.Update(bob, b1.ID, bson.M{"created_by": "alice"}); !errors.Is(err, webos.ErrBadRequest) {
		t.Errorf("bob moves his document to alice: %v", err)
	}
	moved := *b1
	moved.CreatedBy = "alice"
	if err := secrets.Replace(bob, &moved); err != nil || moved.CreatedBy != "bob" {
		t.Errorf("bob replaces with created_by alice: %v, %q", err, moved.CreatedBy)
	}

	got, err := secrets.Get(alice, a1.ID)
	if err != nil || got.Title != "a1" || got.N != 1 {
		t.Fatalf("alice's document after bob's attempts: %+v, %v", got, err)
	}
	if n, _ := secrets.Count(alice, nil); n != 2 {
		t.Fatalf("alice has %d documents, want 2", n)
	}
	if n, _ := secrets.Count(bob, nil); n != 1 {
		t.Fatalf("bob has %d documents, want 1", n)
	}

	// The owner can do everything.
	if _, err := secrets.Update(alice, a1.ID, bson.M{"title": "a1!"}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Delete(alice, a2.ID); err != nil {
		t.Fatal(err)
	}

	// Unscoped sees all users.
	all, err := secrets.Unscoped().Find(context.Background(), nil, store.FindOptions{Sort: []string{"title"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(titles(all), []string{"a1!", "b1"}) {
		t.Fatalf("unscoped sees %v", titles(all))
	}
}

func TestOwnedFailsClosedWithoutUser(t *testing.T) {
	db := newDB(t)
	secrets := store.NewOwned[Note](db, "secrets")
	n := &Note{Title: "x"}
	if err := secrets.Insert(as("alice"), n); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []context.Context{context.Background(), as("")} {
		_, errGet := secrets.Get(ctx, n.ID)
		_, errFind := secrets.Find(ctx, nil, store.FindOptions{})
		_, errFindOne := secrets.FindOne(ctx, nil)
		_, errCount := secrets.Count(ctx, nil)
		errInsert := secrets.Insert(ctx, &Note{Title: "anon"})
		_, errUpdate := secrets.Update(ctx, n.ID, bson.M{"title": "y"})
		_, errApply := secrets.Apply(ctx, n.ID, store.Change{Inc: bson.M{"n": 1}})
		errReplace := secrets.Replace(ctx, n)
		errDelete := secrets.Delete(ctx, n.ID)
		for name, err := range map[string]error{
			"get": errGet, "find": errFind, "find one": errFindOne, "count": errCount, "insert": errInsert,
			"update": errUpdate, "apply": errApply, "replace": errReplace, "delete": errDelete,
		} {
			if !errors.Is(err, store.ErrNoUser) || !errors.Is(err, webos.ErrUnauthorized) || webos.StatusOf(err) != 401 {
				t.Errorf("%s without user: %v", name, err)
			}
		}
	}
	got, err := secrets.Unscoped().Find(context.Background(), nil, store.FindOptions{})
	if err != nil || len(got) != 1 || got[0].Title != "x" {
		t.Fatalf("documents after calls without user: %+v, %v", got, err)
	}
}

func TestOwnedUniquePerUser(t *testing.T) {
	db := newDB(t)
	secrets := store.NewOwned[Note](db, "secrets", store.Index{Keys: []string{"created_by", "title"}, Unique: true})
	ctx := context.Background()
	if err := secrets.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Insert(as("alice"), &Note{Title: "same"}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Insert(as("bob"), &Note{Title: "same"}); err != nil {
		t.Fatalf("another user's equal title: %v", err)
	}
	if err := secrets.Insert(as("alice"), &Note{Title: "same"}); !errors.Is(err, webos.ErrConflict) {
		t.Fatalf("same user's equal title: %v", err)
	}
}
