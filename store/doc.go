// Package store is the data layer: typed collections of documents with
// audit fields, owner-scoped collections that fail closed, index
// declarations, and one typed query API — filters, sorts, keyset-cursor
// pages, counts and updates — over two engines: MongoDB for production and
// several instances, and an embedded SQLite document store with real
// indexes, the zero-setup default for one process.
//
// # Mental model
//
// A [DB] is one database on one engine. A [Collection] of T is a typed view
// of one collection: T is a struct that embeds [Doc] inline, so every
// document has a string id and the audit fields created_at, updated_at,
// created_by and updated_by, which the collection sets from its clock and
// from the user in the context (package identity) on every write. An [Owned]
// collection goes further: every call needs a user, and every read, count,
// update, replace and delete is limited to that user's documents by an
// owner clause no filter can widen. Without a user it fails closed with
// [ErrNoUser].
//
// Queries are values built by functions: [Eq], [Lt], [In], [Prefix],
// [Contains], [And], [Or], [Not] and the rest make a [Filter]; a [Query]
// adds the sort, a limit and a cursor; [Set], [Inc], [Push] and the rest
// make an [Update]. Fields are named by their BSON names and checked
// against T, so a typo is a 400 rather than an empty result, and user input
// never becomes a query document. [Collection.Page] pages by keyset
// cursors: a page costs the same however deep it is when an [Index] serves
// the sort, and paging visits each document once however the collection
// changes in between.
//
// Errors wrap the kernel's kinds — [ErrNotFound], [ErrConflict] (a unique
// index, whichever form the engine reports it in), [ErrNoUser],
// [ErrUnavailable], [ErrBadRequest] — so HTTP handlers pass them on and the
// kernel answers 404, 409, 401, 503 or 400. An error's text never shows the
// engine's message, which may name tables, indexes or addresses.
//
// Ids are strings, by default the hex of a new ObjectID: they sort by
// creation time and travel through URLs and JSON unchanged.
//
// # Usage
//
//	type Note struct {
//		store.Doc `bson:",inline"`
//		Title     string   `bson:"title" json:"title"`
//		Tags      []string `bson:"tags" json:"tags"`
//	}
//
//	db, err := store.OpenSQLite("data/webos.db") // or store.ConnectMongo(ctx, url, "app")
//	notes := store.NewOwned[Note](db, "notes", store.Index{Keys: []string{"created_by", "-created_at"}})
//	err = db.EnsureIndexes(ctx)
//
//	ctx = identity.With(ctx, user)
//	n := &Note{Title: "hello"}
//	err = notes.Insert(ctx, n)                                 // n.ID, n.CreatedAt... are set
//	n, err = notes.Update(ctx, n.ID, store.Set("title", "hi"))  // returns the new version
//	page, err := notes.Page(ctx, store.Query{
//		Where: store.And(store.Prefix("title", "h"), store.Eq("tags", "go")),
//		Sort:  []string{"-created_at"}, Limit: 20,
//	})
//	next, err := notes.Page(ctx, store.Query{ /* same Where and Sort */ After: page.Next})
//
// In an application, [Module] owns the database: with WEBOS_MONGO_URL it
// uses MongoDB, without it the SQLite file [SQLiteFile] in the data folder.
// It opens the database in Provision and registers the [*DB], so modules
// that require it take it with registry.Get[*store.DB] in their own
// Provision and make their collections there.
//
// # The two engines
//
// Both engines pass one conformance suite (the package's tests run every
// test on each, but for the race of conditional updates, which the test
// MongoDB-wire server does not keep; see below), and the API offers
// nothing that only one of them can do.
//
// MongoDB ([ConnectMongo]) is the production engine: several application
// instances share it. The store keeps to the subset of the query language
// that MongoDB and FerretDB (the MongoDB-wire server the tests run against,
// since mongod cannot be installed there) both run correctly: $eq $ne $lt
// $lte $gt $gte $in $nin $exists $regex $not $and $or, sort, skip, limit,
// projection, counts with a limit, $set $unset $inc $push $addToSet $pull,
// single, compound, unique and sparse indexes; a Not is pushed down to the
// leaves rather than sent as $nor. FerretDB v1 sorts every query in memory,
// so list speed is measured on SQLite and on real MongoDB, never on it.
// Nor is it a production engine for several writers: it applies an update
// by reading, changing and writing the document without a lock, so two
// updates of one document at the same moment can lose one — also the
// conditional ones ([Collection.UpdateIf]) that optimistic concurrency
// rests on, which MongoDB and SQLite apply in one step.
//
// SQLite ([OpenSQLite]) is the embedded engine: a pure-Go driver, one file,
// one table per collection holding each document twice — as BSON, read
// back exactly, and as JSONB, which SQL filters and sorts — and an
// expression index per declared [Index] (with the id appended, so that a
// sorted page and a keyset cursor are read straight from the index).
// Write-ahead logging lets readers run while one writer writes; writes are
// queued in the process. Times are stored in JSON as fixed-width UTC
// strings, so that text order is time order. Only one process may open the
// file: run several instances on MongoDB.
//
// Semantics both engines share, and that the tests pin down:
//
//   - A leaf on an array field matches when any element does; Ne and Nin
//     match documents where no element equals, and documents without the
//     field. Eq(f, nil) matches a missing or null field.
//   - Comparisons are type-bracketed: a number compares only with numbers,
//     a string or time only with strings or times.
//   - Not(f) matches exactly the documents f does not, including those
//     where f's field is missing.
//   - Sorts order missing fields first (ascending), strings by their UTF-8
//     bytes, and end with the id in the direction of the first key. Only
//     fields of strings, numbers, booleans and times can be sorted on.
//   - Keyset cursors compare the sort fields: page only on fields every
//     document has (not omitempty).
//   - Prefix is case-sensitive and served by an index; Contains ignores
//     case (Unicode simple folding) and reads every document the rest of
//     the filter selects.
//   - Projections ([Query.Fields]) name top-level fields.
//
// Limits: a filter cannot reach into arrays of sub-documents, an update
// cannot address array elements by position, and there are no
// multi-document transactions, no text search and no change streams (live
// updates travel on the bus).
package store
