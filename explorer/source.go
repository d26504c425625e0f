package explorer

import (
	"context"
	"fmt"
	"time"

	"github.com/webos-go/webos"
)

// Source gives a grid its rows. A grid checks every query against its
// columns and the caller before it reaches the source: the filter and the
// sort name only known, readable, filterable or sortable columns with
// values of the column's type. [NewSlice] and [NewCollection] are the
// package's sources; a module plugs in its own by implementing Source, and
// [Editor] for inline edits and deletes.
type Source[T any] interface {
	// Page returns the rows q selects, in q's order, from the position of
	// q's cursor, and the cursors of the pages around it.
	Page(ctx context.Context, q Query) (Page[T], error)
	// Count counts the rows f matches, stopping at limit when it is more
	// than 0.
	Count(ctx context.Context, f Filter, limit int64) (int64, error)
}

// Editor is a [Source] whose rows can be changed.
type Editor[T any] interface {
	// Get returns the row with the given id, or an error wrapping
	// webos.ErrNotFound.
	Get(ctx context.Context, id string) (*T, error)
	// Update applies the changes to the row with the given id if its
	// version (updated_at) is still version, and returns the new row. A
	// row changed since is the fresh row and an error wrapping
	// [ErrStale]; a missing row wraps webos.ErrNotFound.
	Update(ctx context.Context, id string, version time.Time, changes []Change) (*T, error)
	// Delete removes the row with the given id.
	Delete(ctx context.Context, id string) error
}

// Change is a new value for one column of a row, of the field's Go type.
type Change struct {
	Column *Column
	Value  any
}

// ErrStale is an edit based on a row that has changed since it was read
// (409).
var ErrStale = fmt.Errorf("%w: the row was changed by someone else", webos.ErrConflict)

// Sort is one key of a grid's order.
type Sort struct {
	Field string `json:"colId"`
	Desc  bool   `json:"-"`
}

// Query is what a grid asks of its [Source].
type Query struct {
	Where Filter
	// Sort is the order; the source adds the row id as the last key, in
	// the direction of the first, so the order is total.
	Sort []Sort
	// Limit is the page size, at least 1.
	Limit int
	// After and Before are the source's own cursors from a [Page]; at
	// most one is set.
	After, Before string
}

// Page is one page of rows and the source's cursors of its neighbours
// ("" when there is none).
type Page[T any] struct {
	Items      []T
	Next, Prev string
}
