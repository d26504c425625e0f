package sqlite

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

func key(f string) query.SortKey { return query.SortKey{Field: f} }

// expectInserts inserts each document in turn and checks which conflict.
func expectInserts(t *testing.T, c query.Collection, cases []struct {
	doc      bson.D
	conflict bool
}) {
	t.Helper()
	for _, tc := range cases {
		err := c.Insert(ctx, raw(t, tc.doc))
		switch {
		case tc.conflict && !errors.Is(err, query.ErrConflict):
			t.Errorf("insert %v: %v, want a conflict", tc.doc, err)
		case !tc.conflict && err != nil:
			t.Errorf("insert %v: %v", tc.doc, err)
		}
	}
}

type ins = struct {
	doc      bson.D
	conflict bool
}

func TestUniqueIndex(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "u", query.Index{Name: "email", Keys: []query.SortKey{key("email")}, Unique: true})
	expectInserts(t, c, []ins{
		{D("_id", "1", "email", "a"), false},
		{D("_id", "1", "email", "b"), true}, // duplicate _id
		{D("_id", "2", "email", "a"), true},
		{D("_id", "3", "email", "b"), false},
		{D("_id", "4"), false},
		{D("_id", "5"), true},               // missing counts as null, once
		{D("_id", "6", "email", nil), true}, // null equals missing
		{D("_id", "7", "email", int32(1)), false},
		{D("_id", "8", "email", 1.0), true}, // 1 == 1.0
	})
}

func TestUniqueSparseIndex(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "u", query.Index{Name: "email", Keys: []query.SortKey{key("email")}, Unique: true, Sparse: true})
	expectInserts(t, c, []ins{
		{D("_id", "1", "email", "a"), false},
		{D("_id", "2", "email", "a"), true},
		{D("_id", "3"), false},
		{D("_id", "4"), false}, // documents lacking the field are left out
		{D("_id", "5", "email", nil), false},
		{D("_id", "6", "email", nil), true}, // an explicit null is indexed
	})
}

func TestCompoundUniqueIndex(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "u", query.Index{Name: "ab", Keys: []query.SortKey{key("a"), {Field: "b", Desc: true}}, Unique: true})
	expectInserts(t, c, []ins{
		{D("_id", "1", "a", int32(1), "b", int32(1)), false},
		{D("_id", "2", "a", int32(1), "b", int32(2)), false},
		{D("_id", "3", "a", int32(1), "b", int32(1)), true},
		{D("_id", "4", "a", int32(1)), false},
		{D("_id", "5", "a", int32(1)), true},
		{D("_id", "6", "a", int32(1), "b", nil), true},
		{D("_id", "7", "b", int32(1)), false},
		{D("_id", "8", "b", int32(1)), true},
		{D("_id", "9"), false},
		{D("_id", "10", "a", nil), true},
	})
	s := coll(t, e, "s", query.Index{Name: "ab", Keys: []query.SortKey{key("a"), key("b")}, Unique: true, Sparse: true})
	expectInserts(t, s, []ins{
		{D("_id", "1"), false},
		{D("_id", "2"), false},
		{D("_id", "3", "a", "x"), false},
		{D("_id", "4", "a", "x"), true}, // has one of the fields: indexed with b null
		{D("_id", "5", "a", "x", "b", "y"), false},
	})
}

func TestConflictLeavesDocument(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "u", query.Index{Name: "email", Keys: []query.SortKey{key("email")}, Unique: true})
	insert(t, c, D("_id", "1", "email", "a", "n", int32(1)), D("_id", "2", "email", "b", "n", int32(1)))
	byID := leaf(query.Eq, "_id", "2")
	_, err := c.Update(ctx, byID, []query.Update{{Kind: query.Inc, Path: "n", Value: int32(1)}, {Kind: query.Set, Path: "email", Value: "a"}})
	if !errors.Is(err, query.ErrConflict) {
		t.Fatalf("update: %v, want a conflict", err)
	}
	_, err = c.Replace(ctx, byID, raw(t, D("_id", "2", "email", "a")))
	if !errors.Is(err, query.ErrConflict) {
		t.Fatalf("replace: %v, want a conflict", err)
	}
	var got bson.Raw
	c.Find(ctx, query.Find{Filter: byID}, func(r bson.Raw) error { got = append(got, r...); return nil })
	if want := raw(t, D("_id", "2", "email", "b", "n", int32(1))); string(got) != string(want) {
		t.Fatalf("after conflicts: %v, want %v", got, want)
	}
	// The index still finds it under its old value.
	if got := sortedIDs(t, c, leaf(query.Eq, "email", "b")); !eqIDs(got, []string{"2"}) {
		t.Fatalf("by email: %v", got)
	}
}

func TestIndexDeclarations(t *testing.T) {
	e := openTest(t)
	_, err := e.Collection("x", []query.Index{{Name: "tags", Keys: []query.SortKey{key("tags")}, Array: []bool{true}, Unique: true}})
	if !errors.Is(err, query.ErrBadRequest) {
		t.Fatalf("unique array index: %v", err)
	}
	for _, bad := range []query.Index{{Name: "", Keys: []query.SortKey{key("a")}}, {Name: "x"}, {Name: "x", Keys: []query.SortKey{key("a")}, Array: []bool{true, false}}, {Name: "x", Keys: []query.SortKey{key("a..b")}}} {
		if _, err := e.Collection("x", []query.Index{bad}); !errors.Is(err, query.ErrBadRequest) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	for _, name := range []string{"", "sqlite_master", "a\x00b"} {
		if _, err := e.Collection(name, nil); !errors.Is(err, query.ErrBadRequest) {
			t.Errorf("collection %q: %v", name, err)
		}
	}
	// A non-unique index on an array field is not created (the key prefix
	// before it is), and is no error; EnsureIndexes runs twice.
	c := coll(t, e, `we"ird`,
		query.Index{Name: "tags", Keys: []query.SortKey{key("tags")}, Array: []bool{true}},
		query.Index{Name: "owner_tags", Keys: []query.SortKey{key("owner"), key("tags")}, Array: []bool{false, true}},
	)
	if err := c.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, err := e.r.Query(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'we"ird' AND sql IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if !eqIDs(names, []string{`we"ird__owner_tags`}) {
		t.Fatalf("indexes %v", names)
	}
	insert(t, c, D("_id", "1", "owner", "o", "tags", bson.A{"a", "b"}))
	if got := sortedIDs(t, c, arr(query.Eq, "tags", "b")); !eqIDs(got, []string{"1"}) {
		t.Fatal(got)
	}
	// A unique index over duplicates that are already there fails.
	d := coll(t, e, "dups")
	insert(t, d, D("_id", "1", "k", "x"), D("_id", "2", "k", "x"))
	d2, _ := e.Collection("dups", []query.Index{{Name: "k", Keys: []query.SortKey{key("k")}, Unique: true}})
	if err := d2.EnsureIndexes(ctx); !errors.Is(err, query.ErrConflict) {
		t.Fatalf("unique index over duplicates: %v", err)
	}
}
