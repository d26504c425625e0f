// Package explorer turns a Go struct into a fast, safe, editable data grid
// over an in-memory slice or a store collection.
//
// # Mental model
//
// [Columns] reads a struct type once: every string, number, boolean, time
// and enum field is a [Column] whose `explorer` tag says how it is shown,
// sorted, filtered, edited and who may see it. A column's JSON form is an
// AG Grid column definition ([Column.Def]).
package explorer
