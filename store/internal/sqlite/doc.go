// Package sqlite is the embedded document engine of package store: an
// implementation of query.Engine on one SQLite database file, through
// database/sql and the pure-Go driver modernc.org/sqlite. It needs no
// server and no setup, which makes it the SDK's default database.
//
// # Storage
//
// Each collection is one table named after it:
//
//	CREATE TABLE "<name>" (id TEXT NOT NULL PRIMARY KEY, bson BLOB NOT NULL, doc BLOB NOT NULL)
//
// id is the document's string _id. bson is the document exactly as stored,
// which Find and Update return, so that every value round-trips unchanged.
// doc is the same document as SQLite JSONB, made by jsonb() from JSON text
// this package writes; SQL uses it alone, for filters, sorts and expression
// indexes. A field "a.b" is the expression json_extract(doc,'$.a.b'), the
// same text in queries and in CREATE INDEX, so that the planner matches
// them; "_id" is the id column.
//
// The JSON form maps documents to objects, arrays to arrays, strings to
// strings, int32 and int64 to integers, doubles to numbers (NaN to null,
// ±Inf to ±9e999, which SQLite reads as ±Inf), booleans to true and false,
// null and undefined to null, a DateTime to the fixed-width UTC string
// "2006-01-02T15:04:05.000Z" (string order is time order for the years 0
// to 9999), an ObjectID to its hex string, and any other value to a string
// form. Filter and cursor values are bound as parameters in the same form:
// json_extract returns 1 and 0 for booleans, and so do bound booleans.
//
// # Queries
//
// Filters follow MongoDB semantics: Eq nil matches a missing or null
// field, Ne and Nin match documents without the field, comparisons match
// only values of the same type class (numbers with numbers, strings with
// strings, booleans with booleans; json_type guards the class), an Array
// leaf matches when any element does, Contains folds case with Unicode
// simple folding (a Go function registered on this package's own driver
// instance), Prefix is an index range. A keyset Seek becomes a range on the
// first sort key plus the expanded tuple comparison, so that a page deep in
// the collection costs what the first page costs; with a descending first
// key, the documents whose key is null (they sort last) are read by a
// second query once the first runs out.
//
// Indexes: a non-unique index gets the id column appended (in the
// direction of its last key), so that it serves ORDER BY keys..., id;
// Sparse changes nothing for it. A unique index is a UNIQUE expression
// index plus, because SQLite's UNIQUE lets NULLs repeat where MongoDB
// treats a missing or null key as one value, one small partial UNIQUE index
// per set of keys that can be null together (up to four nullable keys);
// Sparse leaves out the documents that lack every key. A non-unique index
// on an array field is not created (array elements cannot be indexed by an
// expression; the keys before the array field are), and a unique one is a
// bad request.
//
// # Guarantees
//
// The database runs in WAL mode with synchronous=NORMAL: a committed write
// survives a crash of the process; a power loss can lose the last
// transactions, never corrupt the file. All writes go through one
// connection, one at a time (Update and Replace are one BEGIN IMMEDIATE
// transaction each), so writers never deadlock; reads use a pool of
// query_only connections and never wait for writers. A background
// goroutine checkpoints the WAL, so that commits do not wait for fsync.
// Prepared statements are cached per collection. A unique violation wraps
// query.ErrConflict and leaves the document as it was; invalid input wraps
// query.ErrBadRequest; a closed engine or an I/O error wraps
// query.ErrUnavailable; a cancelled context is returned as is.
//
// # Limits
//
//   - One process: the file may be opened by other processes, but writes
//     are serialized only within this one (across processes they wait up
//     to Options.BusyTimeout).
//   - A DateTime and a string, or an ObjectID and its hex string, compare
//     as equal strings; an integer 1 and true are told apart in filters
//     but not in unique indexes and sorts, where booleans sort among
//     numbers. Other MongoDB type orders are SQLite's: null, numbers,
//     text.
//   - Field paths address object members only ("a.0" is the member "0",
//     not an array element). Sorting on an array field sorts by its JSON
//     text.
//   - Documents nest at most 128 levels.
//   - Index and table names share SQLite's namespace: an index is named
//     "<collection>__<index>", so a collection must not be named like
//     another's index.
//   - The planner has no statistics (no ANALYZE): SQLite's STAT4 samples
//     would make every statement with a bound range re-prepare on each
//     execution. Its default assumptions pick the matching index for the
//     equality, range and sorted page queries the store makes.
package sqlite
