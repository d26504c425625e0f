package store_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestInsertSetsAuditFields(t *testing.T) {
	clk := newClock()
	db := newDB(t, store.WithClock(clk.Now))
	notes := store.NewCollection[Note](db, "notes")
	ctx := as("alice")

	n := &Note{Title: "first"}
	if err := notes.Insert(ctx, n); err != nil {
		t.Fatal(err)
	}
	if !hexID.MatchString(n.ID) {
		t.Fatalf("id %q is not a hex ObjectID", n.ID)
	}
	t0 := clk.Now()
	if !n.CreatedAt.Equal(t0) || !n.UpdatedAt.Equal(t0) || n.CreatedBy != "alice" || n.UpdatedBy != "alice" {
		t.Fatalf("audit fields after insert: %+v", n.Doc)
	}
	got, err := notes.Get(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Doc != n.Doc || got.Title != "first" {
		t.Fatalf("stored %+v, inserted %+v", got, n)
	}

	// An id given by the caller is kept.
	k := &Note{Doc: store.Doc{ID: "natural-key"}, Title: "k"}
	if err := notes.Insert(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if k.ID != "natural-key" || k.CreatedBy != "" {
		t.Fatalf("insert without user: %+v", k.Doc)
	}
}

func TestUpdateKeepsCreatedFields(t *testing.T) {
	clk := newClock()
	db := newDB(t, store.WithClock(clk.Now))
	notes := store.NewCollection[Note](db, "notes")
	n := &Note{Title: "draft", N: 1}
	if err := notes.Insert(as("alice"), n); err != nil {
		t.Fatal(err)
	}
	t0 := clk.Now()
	t1 := clk.Advance(time.Hour)

	up, err := notes.Update(as("bob"), n.ID, bson.M{"title": "final"})
	if err != nil {
		t.Fatal(err)
	}
	if up.Title != "final" || up.N != 1 {
		t.Fatalf("updated doc %+v", up)
	}
	if !up.CreatedAt.Equal(t0) || up.CreatedBy != "alice" {
		t.Fatalf("created_* changed by update: %+v", up.Doc)
	}
	if !up.UpdatedAt.Equal(t1) || up.UpdatedBy != "bob" {
		t.Fatalf("updated_* not set by update: %+v", up.Doc)
	}
	got, err := notes.Get(context.Background(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Doc != up.Doc || got.Title != "final" {
		t.Fatalf("Get %+v, Update returned %+v", got, up)
	}

	// Replace keeps created_* even when the document given says otherwise.
	t2 := clk.Advance(time.Hour)
	got.Title = "replaced"
	got.CreatedBy = "mallory"
	got.CreatedAt = time.Time{}
	if err := notes.Replace(as("carol"), got); err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(t0) || got.CreatedBy != "alice" || !got.UpdatedAt.Equal(t2) || got.UpdatedBy != "carol" {
		t.Fatalf("after replace: %+v", got.Doc)
	}
	stored, err := notes.Get(context.Background(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Doc != got.Doc || stored.Title != "replaced" {
		t.Fatalf("stored %+v, replaced with %+v", stored, got)
	}

	// The common case: replace what was read.
	t3 := clk.Advance(time.Minute)
	stored.Body = "text"
	if err := notes.Replace(as("dave"), stored); err != nil {
		t.Fatal(err)
	}
	again, _ := notes.Get(context.Background(), n.ID)
	if again.Body != "text" || !again.UpdatedAt.Equal(t3) || again.UpdatedBy != "dave" || !again.CreatedAt.Equal(t0) || again.CreatedBy != "alice" {
		t.Fatalf("after second replace: %+v", again)
	}

	// Managed fields cannot be changed through an update.
	_, err = notes.Update(as("bob"), n.ID, bson.M{"created_by": "bob"})
	if !errors.Is(err, webos.ErrBadRequest) || webos.StatusOf(err) != 400 {
		t.Fatalf("update of created_by: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	db := newDB(t)
	notes := store.NewCollection[Note](db, "notes")
	ctx := as("alice")
	_, errGet := notes.Get(ctx, "nope")
	_, errFindOne := notes.FindOne(ctx, bson.M{"title": "nope"})
	_, errUpdate := notes.Update(ctx, "nope", bson.M{"title": "x"})
	errReplace := notes.Replace(ctx, &Note{Doc: store.Doc{ID: "nope"}})
	errDelete := notes.Delete(ctx, "nope")
	for name, err := range map[string]error{"get": errGet, "find one": errFindOne, "update": errUpdate, "replace": errReplace, "delete": errDelete} {
		if !errors.Is(err, webos.ErrNotFound) || !errors.Is(err, store.ErrNotFound) || webos.StatusOf(err) != 404 {
			t.Errorf("%s: %v (status %d), want not found", name, err, webos.StatusOf(err))
		}
	}

	n := &Note{Title: "x"}
	if err := notes.Insert(ctx, n); err != nil {
		t.Fatal(err)
	}
	if err := notes.Delete(ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	if err := notes.Delete(ctx, n.ID); !errors.Is(err, webos.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	found, err := notes.Find(ctx, nil, store.FindOptions{})
	if err != nil || found == nil || len(found) != 0 {
		t.Fatalf("Find on empty collection = %#v, %v; want empty non-nil", found, err)
	}
}

func TestUniqueIndexConflict(t *testing.T) {
	db := newDB(t)
	notes := store.NewCollection[Note](db, "notes", store.Index{Keys: []string{"title"}, Unique: true})
	ctx := as("alice")
	if err := db.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	a := &Note{Title: "a"}
	b := &Note{Title: "b"}
	for _, n := range []*Note{a, b} {
		if err := notes.Insert(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, webos.ErrConflict) || !errors.Is(err, store.ErrConflict) || webos.StatusOf(err) != 409 {
			t.Errorf("%s: %v (status %d), want conflict", what, err, webos.StatusOf(err))
		}
	}

	dup := &Note{Title: "a"}
	check("insert", notes.Insert(ctx, dup))
	if dup.ID != "" || !dup.CreatedAt.IsZero() {
		t.Errorf("failed insert changed the document: %+v", dup.Doc)
	}
	check("insert with taken id", notes.Insert(ctx, &Note{Doc: store.Doc{ID: a.ID}, Title: "c"}))

	_, err := notes.Update(ctx, b.ID, bson.M{"title": "a"})
	check("update", err)

	b.Title = "a"
	check("replace", notes.Replace(ctx, b))

	got, err := notes.Get(ctx, b.ID)
	if err != nil || got.Title != "b" {
		t.Fatalf("b after failed writes: %+v, %v", got, err)
	}
	if n, err := notes.Count(ctx, nil); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
}

func TestBadInput(t *testing.T) {
	db := newDB(t)
	notes := store.NewCollection[Note](db, "notes")
	ctx := as("alice")
	// FerretDB checks a filter against documents, so there must be one.
	if err := notes.Insert(ctx, &Note{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err := notes.Find(ctx, bson.M{"title": bson.M{"$nosuchop": 1}}, store.FindOptions{})
	if webos.StatusOf(err) != 400 {
		t.Errorf("unknown operator: %v (status %d)", err, webos.StatusOf(err))
	}
	_, err = notes.Find(ctx, nil, store.FindOptions{Sort: []string{"$bad"}})
	if webos.StatusOf(err) != 400 {
		t.Errorf("bad sort: %v", err)
	}
	_, err = notes.Find(ctx, nil, store.FindOptions{Limit: -1})
	if webos.StatusOf(err) != 400 {
		t.Errorf("negative limit: %v", err)
	}
	_, err = notes.Find(ctx, "title", store.FindOptions{})
	if webos.StatusOf(err) != 400 {
		t.Errorf("string filter: %v", err)
	}
	if err := notes.Insert(ctx, nil); webos.StatusOf(err) != 400 {
		t.Errorf("nil insert: %v", err)
	}
	if err := notes.Replace(ctx, &Note{}); webos.StatusOf(err) != 400 {
		t.Errorf("replace without id: %v", err)
	}
}

func TestEnsureIndexes(t *testing.T) {
	db := newDB(t)
	notes := store.NewCollection[Note](db, "notes",
		store.Index{Keys: []string{"-due", "title"}, Name: "due_title"},
		store.Index{Keys: []string{"body"}, Unique: true, Sparse: true},
	)
	secrets := store.NewOwned[Note](db, "secrets")
	ctx := as("alice")
	for range 2 { // idempotent
		if err := db.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	names := func(coll string) map[string]bool {
		specs, err := db.Database().Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, s := range specs {
			m[s.Name] = true
		}
		return m
	}
	if got := names(notes.Name()); !got["due_title"] || !got["body_1"] {
		t.Fatalf("notes indexes: %v", got)
	}
	if got := names(secrets.Name()); !got["created_by_1"] {
		t.Fatalf("owned collection lacks the created_by index: %v", got)
	}
	// Sparse unique: any number of documents without the field.
	for range 3 {
		if err := notes.Insert(ctx, &Note{Title: "no body"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := notes.Insert(ctx, &Note{Body: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := notes.Insert(ctx, &Note{Body: "x"}); !errors.Is(err, webos.ErrConflict) {
		t.Fatalf("sparse unique duplicate: %v", err)
	}
}

func TestNewCollectionPanicsOnMisuse(t *testing.T) {
	db, err := store.Open("mongodb://127.0.0.1:1/", "unused")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	type notInline struct {
		store.Doc
		X int
	}
	type noDoc struct{ X int }
	for name, f := range map[string]func(){
		"not inline": func() { store.NewCollection[notInline](db, "x") },
		"no Doc":     func() { store.NewCollection[noDoc](db, "x") },
		"bad name":   func() { store.NewCollection[Note](db, "system.x") },
		"bad index":  func() { store.NewCollection[Note](db, "x", store.Index{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestConnectUnavailable(t *testing.T) {
	start := time.Now()
	_, err := store.Connect(context.Background(), "mongodb://127.0.0.1:1/", "x", store.WithTimeout(300*time.Millisecond))
	if !errors.Is(err, webos.ErrUnavailable) || !errors.Is(err, store.ErrUnavailable) || webos.StatusOf(err) != 503 {
		t.Fatalf("connect to closed port: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	for _, bad := range []struct{ url, db string }{{"", "x"}, {"mongodb://127.0.0.1:1/", ""}, {"mongodb://127.0.0.1:1/", "a.b"}, {"http://x", "x"}} {
		if _, err := store.Connect(context.Background(), bad.url, bad.db); err == nil {
			t.Errorf("Connect(%q, %q): no error", bad.url, bad.db)
		}
	}
}
