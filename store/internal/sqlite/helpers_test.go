package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

var ctx = context.Background()

// openTest opens an engine on a fresh file, closed at the end of the test.
func openTest(t testing.TB) *Engine {
	t.Helper()
	e, err := Open(filepath.Join(t.TempDir(), "sub", "db.sqlite"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(ctx) })
	return e
}

func coll(t testing.TB, e *Engine, name string, idx ...query.Index) *collection {
	t.Helper()
	c, err := e.Collection(name, idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return c.(*collection)
}

func raw(t testing.TB, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func insert(t testing.TB, c query.Collection, docs ...bson.D) {
	t.Helper()
	for _, d := range docs {
		if err := c.Insert(ctx, raw(t, d)); err != nil {
			t.Fatalf("insert %v: %v", d, err)
		}
	}
}

// ids returns the _id of each document q finds, in order.
func ids(t testing.TB, c query.Collection, q query.Find) []string {
	t.Helper()
	var out []string
	err := c.Find(ctx, q, func(r bson.Raw) error {
		out = append(out, r.Lookup("_id").StringValue())
		return nil
	})
	if err != nil {
		t.Fatalf("find %+v: %v", q, err)
	}
	return out
}

// sortedIDs is ids in _id order.
func sortedIDs(t testing.TB, c query.Collection, f query.Node) []string {
	t.Helper()
	return ids(t, c, query.Find{Filter: f, Sort: []query.SortKey{{Field: "_id"}}})
}

func eqIDs(a, b []string) bool { return slices.Equal(a, b) || len(a) == 0 && len(b) == 0 }

// D builds a document from key, value pairs.
func D(kv ...any) bson.D {
	d := make(bson.D, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return d
}
