package sqlite

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

func TestSmoke(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "things", query.Index{Name: "n", Keys: []query.SortKey{{Field: "n", Desc: true}}})
	insert(t, c, bson.D{{"_id", "a"}, {"n", 1}}, bson.D{{"_id", "b"}, {"n", 2}})
	got := ids(t, c, query.Find{Sort: []query.SortKey{{Field: "n", Desc: true}, {Field: "_id"}}})
	t.Log(got)
	got = sortedIDs(t, c, query.Node{Op: query.Gt, Field: "n", Value: int64(1)})
	t.Log(got)
	d, err := c.Update(ctx, query.Node{Op: query.Eq, Field: "_id", Value: "a"}, []query.Update{{Kind: query.Inc, Path: "n", Value: int32(5)}, {Kind: query.Set, Path: "x.y", Value: "z"}})
	t.Log(d, err)
}
