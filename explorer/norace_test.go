//go:build !race

package explorer

// sqliteRows is the size of the SQLite integration run; see race_test.go.
const sqliteRows = 10_000
