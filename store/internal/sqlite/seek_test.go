package sqlite

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// goValue returns the normalised Go value of a field of r (nil when missing
// or null).
func goValue(r bson.Raw, field string) any {
	v, err := r.LookupErr(strings.Split(field, ".")...)
	if err != nil {
		return nil
	}
	switch v.Type {
	case bson.TypeInt32:
		return v.Int32()
	case bson.TypeInt64:
		return v.Int64()
	case bson.TypeDouble:
		return v.Double()
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeBoolean:
		return v.Boolean()
	case bson.TypeDateTime:
		return bson.DateTime(v.DateTime())
	case bson.TypeObjectID:
		return v.ObjectID()
	}
	return nil
}

func seekDocs(n int, r *rand.Rand) []bson.D {
	docs := make([]bson.D, 0, n)
	for i := 0; i < n; i++ {
		d := D("_id", fmt.Sprintf("id%05d", r.Intn(1000000)))
		switch x := r.Intn(10); {
		case x == 0: // missing
		case x == 1:
			d = append(d, bson.E{Key: "a", Value: nil})
		case x < 5:
			d = append(d, bson.E{Key: "a", Value: int32(r.Intn(20))})
		default:
			d = append(d, bson.E{Key: "a", Value: float64(r.Intn(40)) / 2})
		}
		if r.Intn(8) != 0 {
			d = append(d, bson.E{Key: "b", Value: string(rune('a' + r.Intn(5)))})
		}
		d = append(d, bson.E{Key: "t", Value: bson.DateTime(1_700_000_000_000 + int64(r.Intn(500))*1000)})
		d = append(d, bson.E{Key: "g", Value: int32(r.Intn(3))})
		docs = append(docs, d)
	}
	return docs
}

func TestSeek(t *testing.T) {
	e := openTest(t)
	r := rand.New(rand.NewSource(7))
	c := coll(t, e, "seek",
		query.Index{Name: "a", Keys: []query.SortKey{{Field: "a", Desc: true}}},
		query.Index{Name: "ab", Keys: []query.SortKey{{Field: "a"}, {Field: "b", Desc: true}}},
		query.Index{Name: "t", Keys: []query.SortKey{{Field: "t", Desc: true}}},
	)
	n := 2000
	if raceEnabled {
		n = 300
	}
	seen := map[string]bool{}
	for _, d := range seekDocs(n, r) {
		if id := d[0].Value.(string); !seen[id] {
			seen[id] = true
			insert(t, c, d)
		}
	}
	k := func(f string, desc bool) query.SortKey { return query.SortKey{Field: f, Desc: desc} }
	orders := [][]query.SortKey{
		{k("_id", false)},
		{k("_id", true)},
		{k("a", false), k("_id", false)},
		{k("a", true), k("_id", true)},
		{k("a", true), k("_id", false)},
		{k("a", false), k("_id", true)},
		{k("a", false), k("b", true), k("_id", false)},
		{k("a", true), k("b", true), k("_id", true)},
		{k("b", true), k("a", false), k("_id", true)},
		{k("a", false), k("b", false), k("_id", false)},
		{k("t", true), k("_id", true)},
		{k("t", false), k("_id", false)},
	}
	filters := []query.Node{{}, leaf(query.Eq, "g", int32(1))}
	for oi, sort := range orders {
		for fi, filter := range filters {
			name := fmt.Sprintf("%v/filter%d", sort, fi)
			full := ids(t, c, query.Find{Filter: filter, Sort: sort})
			checkOrder(t, name, c, full, sort)
			pages := []int64{29, 500}
			if fi == 1 {
				pages = []int64{4, 29} // a third of the documents: small pages split tie groups
			}
			if oi == 8 || oi == 9 {
				pages = pages[1:] // no index serves the order: every page sorts
			}
			for _, page := range pages {
				var got []string
				var last bson.Raw
				for round := 0; ; round++ {
					f := filter
					if last != nil {
						seek := query.Node{Op: query.Seek, Keys: sort}
						for _, key := range sort {
							seek.Values = append(seek.Values, goValue(last, key.Field))
						}
						f = query.Node{Op: query.And, Children: []query.Node{filter, seek}}
						// The count of what remains uses the one-condition form.
						if round%16 != 1 {
							goto find
						}
						if n, err := c.Count(ctx, f, 0); err != nil || int(n) != len(full)-len(got) {
							t.Fatalf("%s: count after %d: %d, %v; want %d", name, len(got), n, err, len(full)-len(got))
						}
					}
				find:
					var batch []string
					err := c.Find(ctx, query.Find{Filter: f, Sort: sort, Limit: page}, func(r bson.Raw) error {
						batch = append(batch, r.Lookup("_id").StringValue())
						last = append(bson.Raw(nil), r...)
						return nil
					})
					if err != nil {
						t.Fatal(name, err)
					}
					got = append(got, batch...)
					if int64(len(batch)) < page {
						break
					}
					if round > len(full)+1 {
						t.Fatalf("%s: paging does not end", name)
					}
				}
				if !slices.Equal(got, full) {
					t.Fatalf("%s page %d: paged %d documents, want %d in the same order", name, page, len(got), len(full))
				}
			}
		}
	}
}

// checkOrder checks that full (the ids of c in sort order) is ordered as
// MongoDB orders: null and missing first ascending, numbers by value.
func checkOrder(t *testing.T, name string, c query.Collection, full []string, sort []query.SortKey) {
	t.Helper()
	docs := map[string]bson.Raw{}
	c.Find(ctx, query.Find{}, func(r bson.Raw) error {
		docs[r.Lookup("_id").StringValue()] = append(bson.Raw(nil), r...)
		return nil
	})
	cmp := func(x, y any) int {
		rank := func(v any) int {
			switch v.(type) {
			case nil:
				return 0
			case int32, int64, float64:
				return 1
			}
			return 2
		}
		if rx, ry := rank(x), rank(y); rx != ry {
			return rx - ry
		}
		switch a := x.(type) {
		case nil:
			return 0
		case string:
			return strings.Compare(a, y.(string))
		case bson.DateTime:
			return int(a - y.(bson.DateTime))
		default:
			fa, fb := num(x), num(y)
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	for i := 1; i < len(full); i++ {
		a, b := docs[full[i-1]], docs[full[i]]
		for _, k := range sort {
			c := cmp(goValue(a, k.Field), goValue(b, k.Field))
			if k.Desc {
				c = -c
			}
			if c < 0 {
				break
			}
			if c > 0 {
				t.Fatalf("%s: %s before %s", name, a, b)
			}
		}
	}
}

func num(v any) float64 {
	switch x := v.(type) {
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
