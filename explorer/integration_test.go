package explorer

import (
	"testing"
)

// TestStoreGrid runs the paging, filter, refusal and edit tests on store
// collections: 10,000 owner-scoped rows on the embedded SQLite engine and
// 1,000 on the MongoDB-wire server (FerretDB, which sorts in memory), with
// another user's rows beside them that must never appear.
func TestStoreGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: -short")
	}
	for _, c := range []struct {
		e            engine
		n, other     int
		limit, flimt int
	}{
		{sqliteEngine(), 10_000, 500, 500, 500},
		{mongoEngine(), 1_000, 100, 400, 500},
	} {
		t.Run(c.e.name, func(t *testing.T) {
			src := c.e.open(t, map[string]int{"alice": c.n, "bob": c.other})
			g := newGrid(t, src)
			t.Run("paging", func(t *testing.T) { testPaging(t, g, c.n, c.limit) })
			t.Run("filters", func(t *testing.T) { testFilters(t, g, c.n, c.flimt) })
			t.Run("refusals", func(t *testing.T) { testRefusals(t, g) })
			t.Run("edit", func(t *testing.T) { testEdit(t, src) })
		})
	}
}
