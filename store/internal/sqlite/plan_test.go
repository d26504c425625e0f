package sqlite

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// plan returns the EXPLAIN QUERY PLAN lines of the main query of q.
func plan(t testing.TB, c *collection, q query.Find) string {
	t.Helper()
	parts, err := c.t.findSQL(q)
	if err != nil {
		t.Fatal(err)
	}
	return explain(t, c, parts[0])
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

func TestPlans(t *testing.T) {
	e := openTest(t)
	created := []query.SortKey{{Field: "created_at", Desc: true}, {Field: "_id", Desc: true}}
	c := coll(t, e, "p",
		query.Index{Name: "created", Keys: created[:1]},
		query.Index{Name: "email", Keys: []query.SortKey{{Field: "email"}}, Unique: true},
		query.Index{Name: "owner_created", Keys: []query.SortKey{{Field: "owner"}, {Field: "created_at", Desc: true}}},
		query.Index{Name: "name", Keys: []query.SortKey{{Field: "name"}}},
	)
	for i := 0; i < 200; i++ {
		insert(t, c, D("_id", string(rune('a'+i%26))+string(rune('a'+i/26)), "created_at", bson.DateTime(int64(i)*1000),
			"email", string(rune('a'+i%26))+string(rune('a'+i/26))+"@x", "owner", int32(i%7), "name", "n"+string(rune('a'+i%26))))
	}
	if _, err := e.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	seek := query.Node{Op: query.Seek, Keys: created, Values: []any{bson.DateTime(50000), "x"}}
	owner := leaf(query.Eq, "owner", int32(3))
	cases := []struct {
		name string
		q    query.Find
		want string
	}{
		{"newest page", query.Find{Sort: created, Limit: 20}, "SCAN p USING INDEX p__created"},
		{"newest page ascending", query.Find{Sort: []query.SortKey{{Field: "created_at"}, {Field: "_id"}}, Limit: 20}, "SCAN p USING INDEX p__created"},
		// A seek page reads the rows tied with the cursor's first key first
		// (TestSeekPartPlans checks the next part).
		{"seek page", query.Find{Sort: created, Limit: 20, Filter: seek}, "SEARCH p USING INDEX p__created (<expr>=? AND id<?)"},
		{"equality", query.Find{Filter: leaf(query.Eq, "name", "nb")}, "SEARCH p USING INDEX p__name (<expr>=?)"},
		{"unique equality", query.Find{Filter: leaf(query.Eq, "email", "ab@x")}, "SEARCH p USING INDEX p__email (<expr>=?)"},
		{"in", query.Find{Filter: vals(query.In, "name", false, "na", "nb")}, "SEARCH p USING INDEX p__name (<expr>=?)"},
		{"prefix", query.Find{Filter: leaf(query.Prefix, "name", "nb")}, "SEARCH p USING INDEX p__name (<expr>>? AND <expr><?)"},
		{"range", query.Find{Filter: leaf(query.Gt, "created_at", bson.DateTime(100)), Sort: created, Limit: 5}, "SEARCH p USING INDEX p__created (<expr>>?)"},
		{"by id", query.Find{Filter: leaf(query.Eq, "_id", "ab"), Limit: 1}, "SEARCH p USING INDEX sqlite_autoindex_p_1 (id=?)"},
		{"owner newest", query.Find{Filter: owner, Sort: created, Limit: 20}, "SEARCH p USING INDEX p__owner_created (<expr>=?)"},
		{"owner seek", query.Find{Filter: query.Node{Op: query.And, Children: []query.Node{owner, seek}}, Sort: created, Limit: 20},
			"SEARCH p USING INDEX p__created (<expr>=? AND id<?)"},
	}
	for _, tc := range cases {
		got := plan(t, c, tc.q)
		if !strings.HasPrefix(got, tc.want+"   <- ") {
			t.Errorf("%s: plan %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestSeekPartPlans: every part of a keyset page is one index range, in
// index order — the rows tied with the cursor, then those after it, then
// (first key descending) those whose first key is null.
func TestSeekPartPlans(t *testing.T) {
	e := openTest(t)
	created := []query.SortKey{{Field: "created_at", Desc: true}, {Field: "_id", Desc: true}}
	c := coll(t, e, "p",
		query.Index{Name: "created", Keys: created[:1]},
		query.Index{Name: "owner_created", Keys: []query.SortKey{{Field: "owner"}, {Field: "created_at", Desc: true}}},
	)
	for i := 0; i < 200; i++ {
		insert(t, c, D("_id", string(rune('a'+i%26))+string(rune('a'+i/26)), "created_at", bson.DateTime(int64(i%20)*1000), "owner", int32(i%7)))
	}
	if _, err := e.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	seek := query.Node{Op: query.Seek, Keys: created, Values: []any{bson.DateTime(5000), "x"}}
	owner := leaf(query.Eq, "owner", int32(3))
	for name, tc := range map[string]struct {
		q    query.Find
		want []string
	}{
		"seek": {query.Find{Sort: created, Limit: 20, Filter: seek}, []string{
			"SEARCH p USING INDEX p__created (<expr>=? AND id<?)",
			"SEARCH p USING INDEX p__created (<expr><?)",
			"SEARCH p USING INDEX p__created (<expr>=?)"}},
		"owner seek": {query.Find{Sort: created, Limit: 20, Filter: query.Node{Op: query.And, Children: []query.Node{owner, seek}}}, []string{
			"SEARCH p USING ",
			"SEARCH p USING INDEX p__owner_created (<expr>=? AND <expr><?)",
			"SEARCH p USING INDEX p__owner_created (<expr>=? AND <expr>=?)"}},
	} {
		parts, err := c.t.findSQL(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) != len(tc.want) {
			t.Fatalf("%s: %d parts, want %d", name, len(parts), len(tc.want))
		}
		for i, p := range parts {
			if got := explain(t, c, p); !strings.HasPrefix(got, tc.want[i]) || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("%s part %d: plan %s\nwant %s", name, i, got, tc.want[i])
			}
		}
	}
}
