package query

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Op is a filter operator.
type Op int

// Filter operators. Leaf operators compare the field Node.Field with
// Node.Value (or Node.Values); And, Or and Not combine Node.Children.
const (
	All      Op = iota // matches every document (the zero Node)
	None               // matches no document
	Eq                 // field == value; nil value: field missing or null
	Ne                 // field != value (documents without the field match)
	Lt                 // field < value
	Lte                // field <= value
	Gt                 // field > value
	Gte                // field >= value
	In                 // field equals one of Values (empty: nothing)
	Nin                // field equals none of Values (documents without the field match)
	Exists             // Value is a bool: the field is present (true) or absent (false)
	Prefix             // Value is a string: the field is a string that starts with it (case-sensitive)
	Contains           // Value is a string: the field is a string that contains it, ignoring case
	And                // every child matches (no children: everything)
	Or                 // at least one child matches (no children: nothing)
	Not                // the single child does not match
	// Seek matches documents whose sort tuple comes strictly after Values
	// in the order Keys (the keyset cursor): with Keys (a desc, _id asc)
	// and Values (va, vid) it is a < va OR (a == va AND _id > vid). Keys
	// always ends with "_id"; no key is an array field.
	Seek
)

// Node is one node of a filter tree.
type Node struct {
	Op       Op
	Field    string    // a dotted field path in BSON names, e.g. "meta.color"
	Array    bool      // the field holds an array: a leaf matches when any element does (MongoDB semantics)
	Value    any       // a Value, for the leaf operators but In and Nin
	Values   []any     // Values, for In and Nin
	Children []Node    // for And, Or, Not
	Keys     []SortKey // for Seek, with Values
}

// Value documents the Go types a filter value, a cursor value or an update
// value has after normalisation: nil, bool, int32, int64, float64, string,
// bson.DateTime, bson.ObjectID, and — in update values only — bson.D and
// bson.A of those.
type Value = any

// SortKey is one key of a sort order.
type SortKey struct {
	Field string
	Desc  bool
}

// Find is a read: which documents, in which order, how many.
//
// Sort always ends with the key "_id", so that the order is total. Skip and
// Limit apply after the filter; Limit 0 means no limit. Fields, when set,
// lists the top-level fields to return ("_id" is always returned).
type Find struct {
	Filter Node
	Sort   []SortKey
	Skip   int64
	Limit  int64
	Fields []string
}

// UpdateKind is an update operator.
type UpdateKind int

// Update operators. Paths are dotted; a missing parent document is created
// by Set, Inc, Push and AddToSet.
const (
	Set      UpdateKind = iota // set Path to Value
	Unset                      // remove Path
	Inc                        // add the number Value to Path (a missing field counts as 0)
	Push                       // append Value to the array at Path (a missing field is an empty array)
	AddToSet                   // append Value to the array at Path unless an equal element is there
	Pull                       // remove every element equal to Value from the array at Path
)

// Update is one update operation.
type Update struct {
	Kind  UpdateKind
	Path  string
	Value any
}

// Errors an engine returns for the store to map. An engine wraps its own
// error in one of these with %w (or returns it as is), so that
// errors.Is(err, ErrConflict) holds; the engine's message is kept for logs
// and never shown to clients.
var (
	ErrNotFound    = errorString("not found")
	ErrConflict    = errorString("duplicate key")
	ErrUnavailable = errorString("database unreachable")
	ErrBadRequest  = errorString("bad request")
)

type errorString string

func (e errorString) Error() string { return string(e) }

// Index is an index declaration in engine terms.
type Index struct {
	Name   string    // a name unique within the collection, derived from the keys when the store's declaration has none
	Keys   []SortKey // in order; Desc marks a descending key
	Array  []bool    // Array[i] reports that Keys[i] is an array field
	Unique bool
	Sparse bool // leave out documents that lack every indexed field
}

// Engine is one storage engine: a database holding collections.
type Engine interface {
	// Collection returns the collection name with the given indexes
	// (created by EnsureIndexes, not here).
	Collection(name string, indexes []Index) (Collection, error)
	// Ping checks that the database answers; a failure wraps ErrUnavailable.
	Ping(ctx context.Context) error
	// Drop deletes the whole database (tests use it).
	Drop(ctx context.Context) error
	// Close releases the engine, waiting for operations in progress until
	// ctx is done.
	Close(ctx context.Context) error
}

// Collection is one collection of an engine. Documents are BSON documents
// whose "_id" is a string. Every method is safe for concurrent use.
type Collection interface {
	// EnsureIndexes creates the declared indexes; existing ones stay.
	EnsureIndexes(ctx context.Context) error
	// Insert stores doc; a duplicate _id or unique key wraps ErrConflict.
	Insert(ctx context.Context, doc bson.Raw) error
	// Find calls fn with each document that q selects, in order. The raw
	// document is only valid during the call.
	Find(ctx context.Context, q Find, fn func(bson.Raw) error) error
	// Count counts the documents that match filter, stopping at limit when
	// limit > 0.
	Count(ctx context.Context, filter Node, limit int64) (int64, error)
	// Update applies ups to the one document that filter matches (the
	// store's filters for it always include _id) and returns it as it is
	// after the update. No match wraps ErrNotFound; a unique key taken by
	// another document wraps ErrConflict, and the document is unchanged.
	Update(ctx context.Context, filter Node, ups []Update) (bson.Raw, error)
	// Replace stores doc in place of the one document that filter matches;
	// matched is false when none does.
	Replace(ctx context.Context, filter Node, doc bson.Raw) (matched bool, err error)
	// Delete removes the documents that filter matches and returns how many
	// it removed; one, when single is true.
	Delete(ctx context.Context, filter Node, single bool) (int64, error)
}
