//go:build race

package explorer

// sqliteRows is the size of the SQLite integration run: the race detector
// slows the embedded engine (C translated to Go) about tenfold, so under
// it the run has 2,000 rows; without it, 10,000 (norace_test.go).
const sqliteRows = 2_000
