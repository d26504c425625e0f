//go:build race

package sqlite

// raceEnabled is true under the race detector, which slows the transpiled
// SQLite some forty times: the long data-driven tests use less data.
const raceEnabled = true
