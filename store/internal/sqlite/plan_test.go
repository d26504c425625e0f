package sqlite

import (
	"strings"
	"testing"

	"github.com/webos-go/webos/store/internal/query"
)

// plan returns the EXPLAIN QUERY PLAN lines of the main query of q.
func plan(t testing.TB, c *collection, q query.Find) string {
	t.Helper()
	b, _, err := c.t.findSQL(q)
	if err != nil {
		t.Fatal(err)
	}
	return explain(t, c, b)
}

func explain(t testing.TB, c *collection, b *builder) string {
	t.Helper()
	rows, err := c.t.e.r.Query("EXPLAIN QUERY PLAN "+b.sb.String(), b.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ") + "   <- " + b.sb.String()
}

func TestPlanDebug(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "p", query.Index{Name: "t", Keys: []query.SortKey{{Field: "t", Desc: true}}})
	insert(t, c, D("_id", "x", "t", date1))
	sort := []query.SortKey{{Field: "t", Desc: true}, {Field: "_id", Desc: true}}
	t.Log(plan(t, c, query.Find{Sort: sort, Limit: 20}))
	t.Log(plan(t, c, query.Find{Sort: sort, Limit: 20, Filter: query.Node{Op: query.Seek, Keys: sort, Values: []any{date1, "x"}}}))
	sort2 := []query.SortKey{{Field: "t", Desc: true}, {Field: "_id"}}
	t.Log(plan(t, c, query.Find{Sort: sort2, Limit: 20, Filter: query.Node{Op: query.Seek, Keys: sort2, Values: []any{date1, "x"}}}))
	t.Log(plan(t, c, query.Find{Sort: sort2, Limit: 20, Filter: query.Node{Op: query.And, Children: []query.Node{leaf(query.Eq, "g", int32(1)), {Op: query.Seek, Keys: sort2, Values: []any{date1, "x"}}}}}))
}
