package sqlite

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

var (
	date0 = bson.NewDateTimeFromTime(time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC))
	date1 = bson.NewDateTimeFromTime(time.Date(2024, 2, 29, 12, 0, 0, 123e6, time.UTC))
	oid   = bson.NewObjectID()
)

// filterDocs is the data set of the operator tests; each comment says what
// the document stands for.
func filterDocs() []bson.D {
	return []bson.D{
		D("_id", "a", "n", int32(1), "s", "apple", "b", true, "t", date1, "arr", bson.A{int32(1), "x"}, "m", D("c", "red"), "o", oid, `q'"x`, "odd"),
		D("_id", "b", "n", int64(2), "s", "banana", "b", false, "t", date0, "arr", bson.A{"y", nil}, "m", D("c", "blue")),
		D("_id", "c", "n", 2.5, "s", "Cherry", "nul", nil, "arr", bson.A{}, "m", D("c", nil)),
		D("_id", "d", "n", "3", "s", "Äpfel", "arr", "x"),
		D("_id", "e", "s", int32(5), "b", int32(1), "arr", bson.A{bson.A{int32(1)}, D("k", int32(1))}),
		D("_id", "f", "n", 100.0, "s", "ap", "inf", math.Inf(1), "nan", math.NaN()),
	}
}

func leaf(op query.Op, f string, v any) query.Node { return query.Node{Op: op, Field: f, Value: v} }
func arr(op query.Op, f string, v any) query.Node {
	return query.Node{Op: op, Field: f, Value: v, Array: true}
}
func vals(op query.Op, f string, array bool, vs ...any) query.Node {
	if vs == nil {
		vs = []any{}
	}
	return query.Node{Op: op, Field: f, Values: vs, Array: array}
}

func TestFilters(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "f", query.Index{Name: "n", Keys: []query.SortKey{{Field: "n"}}})
	insert(t, c, filterDocs()...)
	all := "a b c d e f"
	cases := []struct {
		name string
		f    query.Node
		want string
	}{
		{"all", query.Node{}, all},
		{"none", query.Node{Op: query.None}, ""},
		{"eq int64", leaf(query.Eq, "n", int64(2)), "b"},
		{"eq double equals int", leaf(query.Eq, "n", 2.0), "b"},
		{"eq int32", leaf(query.Eq, "n", int32(1)), "a"},
		{"eq string no number", leaf(query.Eq, "n", "3"), "d"},
		{"eq number no string", leaf(query.Eq, "n", int64(3)), ""},
		{"eq nil missing", leaf(query.Eq, "n", nil), "e"},
		{"eq nil null or missing", leaf(query.Eq, "nul", nil), all},
		{"ne", leaf(query.Ne, "n", int64(2)), "a c d e f"},
		{"ne nil", leaf(query.Ne, "n", nil), "a b c d f"},
		{"ne nil null", leaf(query.Ne, "nul", nil), ""},
		{"gt number brackets", leaf(query.Gt, "n", int64(1)), "b c f"},
		{"gte number", leaf(query.Gte, "n", 2.5), "c f"},
		{"lt number", leaf(query.Lt, "n", int64(2)), "a"},
		{"lte number", leaf(query.Lte, "n", int32(2)), "a b"},
		{"lt string brackets", leaf(query.Lt, "n", "4"), "d"},
		{"gt string", leaf(query.Gt, "s", "b"), "b d"},
		{"lte nil", leaf(query.Lte, "n", nil), "e"},
		{"gt nil", leaf(query.Gt, "n", nil), ""},
		{"gt inf", leaf(query.Gt, "inf", 1e308), "f"},
		{"in mixed", vals(query.In, "n", false, int32(1), "3", nil), "a d e"},
		{"in numbers", vals(query.In, "n", false, int64(2), 100.0), "b f"},
		{"in empty", vals(query.In, "n", false), ""},
		{"nin", vals(query.Nin, "n", false, int32(1), int64(2)), "c d e f"},
		{"nin empty", vals(query.Nin, "n", false), all},
		{"nin nil", vals(query.Nin, "n", false, nil), "a b c d f"},
		{"exists", leaf(query.Exists, "n", true), "a b c d f"},
		{"not exists", leaf(query.Exists, "n", false), "e"},
		{"exists null", leaf(query.Exists, "nul", true), "c"},
		{"eq true not 1", leaf(query.Eq, "b", true), "a"},
		{"eq false not 0", leaf(query.Eq, "b", false), "b"},
		{"eq 1 not true", leaf(query.Eq, "b", int64(1)), "e"},
		{"ne true", leaf(query.Ne, "b", true), "b c d e f"},
		{"in bools", vals(query.In, "b", false, true, int32(1)), "a e"},
		{"lt true", leaf(query.Lt, "b", true), "b"},
		{"eq date", leaf(query.Eq, "t", date1), "a"},
		{"gt date", leaf(query.Gt, "t", date0), "a"},
		{"lte date", leaf(query.Lte, "t", date1), "a b"},
		{"eq objectid", leaf(query.Eq, "o", oid), "a"},
		{"prefix", leaf(query.Prefix, "s", "ap"), "a f"},
		{"prefix case", leaf(query.Prefix, "s", "Ap"), ""},
		{"prefix unicode", leaf(query.Prefix, "s", "Äp"), "d"},
		{"prefix empty strings only", leaf(query.Prefix, "s", ""), "a b c d f"},
		{"prefix no number", leaf(query.Prefix, "n", "3"), "d"},
		{"contains fold", leaf(query.Contains, "s", "PP"), "a"},
		{"contains unicode fold", leaf(query.Contains, "s", "äPF"), "d"},
		{"contains empty", leaf(query.Contains, "s", ""), "a b c d f"},
		{"contains percent", leaf(query.Contains, "s", "%"), ""},
		{"nested eq", leaf(query.Eq, "m.c", "red"), "a"},
		{"nested nil", leaf(query.Eq, "m.c", nil), "c d e f"},
		{"odd field name", leaf(query.Eq, `q'"x`, "odd"), "a"},
		{"array eq", arr(query.Eq, "arr", int64(1)), "a"},
		{"array eq scalar field", arr(query.Eq, "arr", "x"), "a d"},
		{"array eq nil", arr(query.Eq, "arr", nil), "b f"},
		{"array ne", arr(query.Ne, "arr", "x"), "b c e f"},
		{"array ne nil", arr(query.Ne, "arr", nil), "a c d e"},
		{"array gt", arr(query.Gt, "arr", int64(0)), "a"},
		{"array gte string", arr(query.Gte, "arr", "x"), "a b d"},
		{"array in", vals(query.In, "arr", true, "y", int64(1)), "a b"},
		{"array in nil", vals(query.In, "arr", true, nil), "b f"},
		{"array nin", vals(query.Nin, "arr", true, "y", int64(1)), "c d e f"},
		{"array exists", arr(query.Exists, "arr", true), "a b c d e"},
		{"array prefix", arr(query.Prefix, "arr", "x"), "a d"},
		{"array contains", arr(query.Contains, "arr", "Y"), "b"},
		{"not", query.Node{Op: query.Not, Children: []query.Node{leaf(query.Gt, "n", int64(1))}}, "a d e"},
		{"not not", query.Node{Op: query.Not, Children: []query.Node{{Op: query.Not, Children: []query.Node{leaf(query.Gt, "n", int64(1))}}}}, "b c f"},
		{"and empty", query.Node{Op: query.And}, all},
		{"or empty", query.Node{Op: query.Or}, ""},
		{"and", query.Node{Op: query.And, Children: []query.Node{leaf(query.Gt, "n", int64(1)), leaf(query.Lt, "n", int64(50))}}, "b c"},
		{"or", query.Node{Op: query.Or, Children: []query.Node{leaf(query.Eq, "n", int32(1)), leaf(query.Exists, "nul", true)}}, "a c"},
		{"id eq", leaf(query.Eq, "_id", "a"), "a"},
		{"id eq number", leaf(query.Eq, "_id", int64(1)), ""},
		{"id ne number", leaf(query.Ne, "_id", int64(1)), all},
		{"id ne", leaf(query.Ne, "_id", "a"), "b c d e f"},
		{"id gt", leaf(query.Gt, "_id", "d"), "e f"},
		{"id in", vals(query.In, "_id", false, "a", "z", int64(1)), "a"},
		{"id nin", vals(query.Nin, "_id", false, "a"), "b c d e f"},
		{"id prefix", leaf(query.Prefix, "_id", "c"), "c"},
		{"id exists", leaf(query.Exists, "_id", true), all},
		{"id contains", leaf(query.Contains, "_id", "E"), "e"},
	}
	for _, tc := range cases {
		got := strings.Join(sortedIDs(t, c, tc.f), " ")
		if got != tc.want {
			t.Errorf("%s: got [%s], want [%s]", tc.name, got, tc.want)
		}
		n, err := c.Count(ctx, tc.f, 0)
		if err != nil || int(n) != len(strings.Fields(tc.want)) {
			t.Errorf("%s: count %d, %v", tc.name, n, err)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "f")
	bad := []query.Node{
		leaf(query.Eq, "n", struct{}{}),
		leaf(query.Exists, "n", "yes"),
		leaf(query.Prefix, "n", int64(1)),
		leaf(query.Contains, "n", nil),
		leaf(query.Eq, "", "x"),
		leaf(query.Eq, "a..b", "x"),
		{Op: query.Not},
		{Op: query.Op(99), Field: "n"},
		{Op: query.Seek, Keys: []query.SortKey{{Field: "n"}}},
	}
	for _, f := range bad {
		err := c.Find(ctx, query.Find{Filter: f}, func(bson.Raw) error { return nil })
		if !errors.Is(err, query.ErrBadRequest) {
			t.Errorf("%+v: %v, want ErrBadRequest", f, err)
		}
		if _, err := c.Count(ctx, f, 0); !errors.Is(err, query.ErrBadRequest) {
			t.Errorf("count %+v: %v, want ErrBadRequest", f, err)
		}
	}
}
