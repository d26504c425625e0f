package explorer

import (
	"testing"
)

// TestStoreGrid runs the paging, filter, refusal and edit tests on store
// collections: 10,000 owner-scoped rows on the embedded SQLite engine and
// 1,000 on the MongoDB-wire server (FerretDB, which sorts in memory), with
// another user's rows beside them that must never appear. Under the race
// detector, which slows the embedded engine (C translated to Go) about
// tenfold, the SQLite run has 2,000 rows (sqliteRows).
func TestStoreGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: -short")
	}
	for _, c := range []struct {
		e            engine
		n, other     int
		limit, flimt int
	}{
		{sqliteEngine(), sqliteRows, 500, 500, 500},
		{mongoEngine(), 1_000, 100, 500, 500},
	} {
		t.Run(c.e.name, func(t *testing.T) {
			t.Parallel() // SQLite works here, FerretDB in its server
			src := c.e.open(t, map[string]int{"alice": c.n, "bob": c.other})
			g := newGrid(t, src)
			t.Run("paging", func(t *testing.T) { testPaging(t, g, c.n, c.limit) })
			// FerretDB sorts every query in memory: its filters are checked
			// by count and first page, SQLite's on every page.
			t.Run("filters", func(t *testing.T) { testFilters(t, g, c.n, c.flimt, c.e.name == "sqlite") })
			t.Run("refusals", func(t *testing.T) { testRefusals(t, g) })
			t.Run("edit", func(t *testing.T) { testEdit(t, src) })
		})
	}
}
