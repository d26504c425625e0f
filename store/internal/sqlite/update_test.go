package sqlite

import (
	"errors"
	"math"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

func get(t *testing.T, c query.Collection, id string) bson.Raw {
	t.Helper()
	var got bson.Raw
	err := c.Find(ctx, query.Find{Filter: leaf(query.Eq, "_id", id)}, func(r bson.Raw) error {
		got = append(bson.Raw(nil), r...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestUpdate(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "u")
	base := D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
		"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D("deep", int32(1))), "null", nil)
	empty := D("_id", "e", "d", D(), "a", bson.A{}, "n", D("d", D()))
	type up = query.Update
	cases := []struct {
		name string
		ups  []up
		want bson.D // nil: ErrBadRequest
	}{
		{"set", []up{{Kind: query.Set, Path: "s", Value: "new"}}, D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "new",
			"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D("deep", int32(1))), "null", nil)},
		{"set creates parents", []up{{Kind: query.Set, Path: "p.q.r", Value: int64(1)}, {Kind: query.Set, Path: "m.n.other", Value: true}},
			append(D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
				"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D("deep", int32(1), "other", true)), "null", nil), bson.E{Key: "p", Value: D("q", D("r", int64(1)))})},
		{"set array element", []up{{Kind: query.Set, Path: "arr.1", Value: "b"}, {Kind: query.Set, Path: "arr.2.k", Value: int32(9)}},
			D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
				"arr", bson.A{int32(1), "b", D("k", int32(9), "j", int32(2))}, "m", D("n", D("deep", int32(1))), "null", nil)},
		{"set through scalar", []up{{Kind: query.Set, Path: "s.x", Value: 1}}, nil},
		{"set through null", []up{{Kind: query.Set, Path: "null.x", Value: 1}}, nil},
		{"unset", []up{{Kind: query.Unset, Path: "s"}, {Kind: query.Unset, Path: "missing.x"}, {Kind: query.Unset, Path: "m.n.deep"}, {Kind: query.Unset, Path: "arr.0"}, {Kind: query.Unset, Path: "s.y"}},
			D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5,
				"arr", bson.A{nil, "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D()), "null", nil)},
		{"inc", []up{{Kind: query.Inc, Path: "i", Value: int32(2)}, {Kind: query.Inc, Path: "big", Value: int32(1)}, {Kind: query.Inc, Path: "l", Value: int32(1)},
			{Kind: query.Inc, Path: "f", Value: int64(1)}, {Kind: query.Inc, Path: "new.n", Value: int32(-3)}},
			D("_id", "x", "i", int32(3), "big", int64(math.MaxInt32)+1, "l", int64(6), "f", 2.5, "s", "str",
				"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D("deep", int32(1))), "null", nil, "new", D("n", int32(-3)))},
		{"inc int by double", []up{{Kind: query.Inc, Path: "i", Value: 0.5}}, D("_id", "x", "i", 1.5, "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
			"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2))}, "m", D("n", D("deep", int32(1))), "null", nil)},
		{"inc string", []up{{Kind: query.Inc, Path: "s", Value: int32(1)}}, nil},
		{"inc null", []up{{Kind: query.Inc, Path: "null", Value: int32(1)}}, nil},
		{"inc by string", []up{{Kind: query.Inc, Path: "i", Value: "1"}}, nil},
		{"inc overflow", []up{{Kind: query.Inc, Path: "l", Value: int64(math.MaxInt64)}}, nil},
		{"push", []up{{Kind: query.Push, Path: "arr", Value: int32(1)}, {Kind: query.Push, Path: "new", Value: bson.A{"x"}}},
			D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
				"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2)), int32(1)}, "m", D("n", D("deep", int32(1))), "null", nil, "new", bson.A{bson.A{"x"}})},
		{"push to scalar", []up{{Kind: query.Push, Path: "s", Value: "x"}}, nil},
		{"add to set", []up{{Kind: query.AddToSet, Path: "arr", Value: 1.0}, {Kind: query.AddToSet, Path: "arr", Value: D("k", int64(1), "j", 2.0)},
			{Kind: query.AddToSet, Path: "arr", Value: D("j", int32(2), "k", int32(1))}, {Kind: query.AddToSet, Path: "arr", Value: "b"}},
			D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
				"arr", bson.A{int32(1), "a", D("k", int32(1), "j", int32(2)), D("j", int32(2), "k", int32(1)), "b"}, "m", D("n", D("deep", int32(1))), "null", nil)},
		{"add to set scalar", []up{{Kind: query.AddToSet, Path: "i", Value: "x"}}, nil},
		{"pull", []up{{Kind: query.Pull, Path: "arr", Value: int64(1)}, {Kind: query.Pull, Path: "arr", Value: D("k", 1.0, "j", int64(2))}, {Kind: query.Pull, Path: "missing", Value: 1}},
			D("_id", "x", "i", int32(1), "big", int32(math.MaxInt32), "l", int64(5), "f", 1.5, "s", "str",
				"arr", bson.A{"a"}, "m", D("n", D("deep", int32(1))), "null", nil)},
		{"pull from scalar", []up{{Kind: query.Pull, Path: "s", Value: "x"}}, nil},
		{"set _id", []up{{Kind: query.Set, Path: "_id", Value: "y"}}, nil},
		{"unset _id", []up{{Kind: query.Unset, Path: "_id"}}, nil},
		{"bad path", []up{{Kind: query.Set, Path: "a..b", Value: 1}}, nil},
		{"bad kind", []up{{Kind: query.UpdateKind(42), Path: "a"}}, nil},
		{"partly bad", []up{{Kind: query.Set, Path: "s", Value: "changed"}, {Kind: query.Inc, Path: "s", Value: int32(1)}}, nil},
	}
	for _, tc := range cases {
		c.Delete(ctx, query.Node{}, false)
		insert(t, c, base)
		got, err := c.Update(ctx, leaf(query.Eq, "_id", "x"), tc.ups)
		stored := get(t, c, "x")
		if tc.want == nil {
			if !errors.Is(err, query.ErrBadRequest) {
				t.Errorf("%s: %v, want ErrBadRequest", tc.name, err)
			}
			if string(stored) != string(raw(t, base)) {
				t.Errorf("%s: failed update changed the document to %v", tc.name, stored)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := raw(t, tc.want)
		if string(got) != string(want) || string(stored) != string(want) {
			t.Errorf("%s:\n got    %v\n stored %v\n want   %v", tc.name, got, stored, bson.Raw(want))
		}
	}
	// Empty documents and arrays stay empty, not null.
	insert(t, c, empty)
	if got, err := c.Update(ctx, leaf(query.Eq, "_id", "e"), []query.Update{{Kind: query.Set, Path: "x", Value: int32(1)}}); err != nil || string(got) != string(raw(t, append(empty, bson.E{Key: "x", Value: int32(1)}))) {
		t.Fatalf("update with empty values: %v %v", got, err)
	}
	// The JSON column follows: the new value is found by a filter.
	if _, err := c.Update(ctx, leaf(query.Eq, "_id", "x"), []query.Update{{Kind: query.Set, Path: "s", Value: "findme"}}); err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(t, c, leaf(query.Eq, "s", "findme")); !eqIDs(got, []string{"x"}) {
		t.Fatal(got)
	}
	if _, err := c.Update(ctx, leaf(query.Eq, "_id", "nope"), nil); !errors.Is(err, query.ErrNotFound) {
		t.Fatalf("no match: %v", err)
	}
}

func TestReplaceDelete(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "r")
	insert(t, c, D("_id", "1", "g", "a"), D("_id", "2", "g", "a"), D("_id", "3", "g", "b"))
	ok, err := c.Replace(ctx, leaf(query.Eq, "_id", "9"), raw(t, D("_id", "9")))
	if ok || err != nil {
		t.Fatalf("replace no match: %v %v", ok, err)
	}
	ok, err = c.Replace(ctx, leaf(query.Eq, "_id", "1"), raw(t, D("x", int32(1))))
	if !ok || err != nil {
		t.Fatalf("replace: %v %v", ok, err)
	}
	if got, want := get(t, c, "1"), raw(t, D("_id", "1", "x", int32(1))); string(got) != string(want) {
		t.Fatalf("replaced without _id: %v", got)
	}
	if _, err := c.Replace(ctx, leaf(query.Eq, "_id", "1"), raw(t, D("_id", "2"))); !errors.Is(err, query.ErrBadRequest) {
		t.Fatalf("replace changing _id: %v", err)
	}
	if _, err := c.Replace(ctx, leaf(query.Eq, "_id", "1"), bson.Raw{1, 2, 3}); !errors.Is(err, query.ErrBadRequest) {
		t.Fatalf("replace with garbage: %v", err)
	}
	if got := sortedIDs(t, c, leaf(query.Eq, "x", int32(1))); !eqIDs(got, []string{"1"}) {
		t.Fatal(got)
	}
	n, err := c.Delete(ctx, leaf(query.Eq, "g", "a"), true)
	if n != 1 || err != nil {
		t.Fatalf("delete single: %d %v", n, err)
	}
	insert(t, c, D("_id", "4", "g", "a"), D("_id", "5", "g", "a"))
	n, err = c.Delete(ctx, leaf(query.Eq, "g", "a"), false)
	if n != 2 || err != nil {
		t.Fatalf("delete many: %d %v", n, err)
	}
	if got := sortedIDs(t, c, query.Node{}); !eqIDs(got, []string{"1", "3"}) {
		t.Fatal(got)
	}
}

func TestFindOptions(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "o")
	for i := 0; i < 10; i++ {
		insert(t, c, D("_id", string(rune('a'+i)), "n", int32(i), "s", "x", "m", D("k", int32(i))))
	}
	byID := []query.SortKey{key("_id")}
	if got := ids(t, c, query.Find{Sort: byID, Skip: 3, Limit: 2}); !eqIDs(got, []string{"d", "e"}) {
		t.Fatal(got)
	}
	if got := ids(t, c, query.Find{Sort: byID, Skip: 8}); !eqIDs(got, []string{"i", "j"}) {
		t.Fatal(got)
	}
	var docs []bson.Raw
	c.Find(ctx, query.Find{Sort: byID, Limit: 1, Fields: []string{"m", "missing", "n"}}, func(r bson.Raw) error {
		docs = append(docs, append(bson.Raw(nil), r...))
		return nil
	})
	if want := raw(t, D("_id", "a", "n", int32(0), "m", D("k", int32(0)))); len(docs) != 1 || string(docs[0]) != string(want) {
		t.Fatalf("projection: %v", docs)
	}
	for _, tc := range []struct{ limit, want int64 }{{0, 7}, {3, 3}, {7, 7}, {100, 7}} {
		n, err := c.Count(ctx, leaf(query.Gte, "n", int32(3)), tc.limit)
		if n != tc.want || err != nil {
			t.Errorf("count limit %d: %d %v", tc.limit, n, err)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := c.Find(ctx, query.Find{Sort: byID}, func(bson.Raw) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("callback error: %v after %d calls", err, calls)
	}
	if err := c.Find(ctx, query.Find{Limit: -1}, func(bson.Raw) error { return nil }); !errors.Is(err, query.ErrBadRequest) {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "rt")
	dec, _ := bson.ParseDecimal128("12.345")
	doc := D("_id", "all", "double", 1.25, "nan", math.NaN(), "ninf", math.Inf(-1), "str", "tab\tquote\"back\\slash\x01é",
		"doc", D("a", bson.A{int32(1), D("b", nil)}), "bin", bson.Binary{Subtype: 4, Data: []byte{1, 2, 3}},
		"undef", bson.Undefined{}, "oid", oid, "bool", true, "date", date1, "null", nil,
		"regex", bson.Regex{Pattern: "^a.*", Options: "i"}, "dbp", bson.DBPointer{DB: "db", Pointer: oid},
		"js", bson.JavaScript("f()"), "sym", bson.Symbol("s"), "cws", bson.CodeWithScope{Code: "g()", Scope: D("x", int32(1))},
		"i32", int32(-7), "ts", bson.Timestamp{T: 1, I: 2}, "i64", int64(math.MinInt64), "dec", dec,
		"min", bson.MinKey{}, "max", bson.MaxKey{}, "", "empty key", "we.ird", int32(1))
	want := raw(t, doc)
	insert(t, c, doc)
	if got := get(t, c, "all"); string(got) != string(want) {
		t.Fatalf("round trip:\n%v\n%v", got, want)
	}
	// Values that have a JSON form are found by filters.
	for _, f := range []query.Node{leaf(query.Eq, "double", 1.25), leaf(query.Lt, "ninf", -1e308), leaf(query.Eq, "str", "tab\tquote\"back\\slash\x01é"),
		leaf(query.Eq, "oid", oid), leaf(query.Eq, "date", date1), leaf(query.Eq, "i64", int64(math.MinInt64)),
		leaf(query.Exists, "undef", true), leaf(query.Eq, "undef", nil), leaf(query.Eq, "nan", nil)} {
		if got := sortedIDs(t, c, f); !eqIDs(got, []string{"all"}) {
			t.Errorf("%+v: %v", f, got)
		}
	}
	for _, d := range []bson.Raw{raw(t, D("x", int32(1))), raw(t, D("_id", int32(1))), {5, 0, 0, 0}, {9, 0, 0, 0, 2, 'a', 0, 0, 0}, nil} {
		if err := c.Insert(ctx, d); !errors.Is(err, query.ErrBadRequest) {
			t.Errorf("insert %v: %v, want ErrBadRequest", d, err)
		}
	}
	deep := D("_id", "deep")
	for i := 0; i < 200; i++ {
		deep = D("_id", "deep", "d", deep)
	}
	if err := c.Insert(ctx, raw(t, deep)); !errors.Is(err, query.ErrBadRequest) {
		t.Errorf("insert deep: %v", err)
	}
}
