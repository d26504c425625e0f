// Package store is the MongoDB data layer: a connection with a ping, typed
// collections that set audit fields and map errors, index declarations, and
// owner-scoped collections for data that belongs to one user.
//
// # Mental model
//
// A [DB] is one database on one server. A [Collection] of T is a typed view
// of one collection: T is a struct that embeds [Doc] inline, so every
// document has a string id and the audit fields created_at, updated_at,
// created_by and updated_by, which the collection sets from its clock and
// from the user in the context (package identity) on every write. An [Owned]
// collection goes further: every call needs a user, and every read, count,
// update, replace and delete is limited to that user's documents by an
// owner clause no filter can widen. Without a user it fails closed with
// [ErrNoUser].
//
// Errors wrap the kernel's kinds — [ErrNotFound], [ErrConflict] (a unique
// index, whichever form the server reports it in), [ErrNoUser],
// [ErrUnavailable], [ErrBadRequest] — so HTTP handlers pass them on and the
// kernel answers 404, 409, 401, 503 or 400.
//
// Ids are strings, by default the hex of a new ObjectID: they sort by
// creation time and travel through URLs and JSON unchanged.
//
// # Usage
//
//	type Note struct {
//		store.Doc `bson:",inline"`
//		Title     string `bson:"title" json:"title"`
//	}
//
//	db, err := store.ConnectMongo(ctx, "mongodb://127.0.0.1:27017/", "app")
//	notes := store.NewOwned[Note](db, "notes", store.Index{Keys: []string{"created_by", "-created_at"}})
//	err = db.EnsureIndexes(ctx)
//
//	ctx = identity.With(ctx, user)
//	n := &Note{Title: "hello"}
//	err = notes.Insert(ctx, n)                              // n.ID, n.CreatedAt... are set
//	n, err = notes.Update(ctx, n.ID, bson.M{"title": "hi"}) // $set, returns the new version
//	list, err := notes.Find(ctx, bson.M{"title": bson.M{"$regex": "^h"}},
//		store.FindOptions{Sort: []string{"-created_at"}, Limit: 20})
//
// In an application, [Module] owns the connection: it connects at start,
// closes at stop and reports "mongodb" in the health check. Modules that
// store data require it and make their collections on [Module.DB] in their
// own Start.
//
// # The MongoDB subset
//
// Production runs on MongoDB; the zero-setup demo and the tests run on
// FerretDB v1 (package store/embedded), which speaks the same protocol over
// SQLite or PostgreSQL but not all of its language. The package itself uses,
// and applications should keep to, what both do the same way; the package's
// tests check this list against the server:
//
//	Filters   equality, $eq $ne $gt $gte $lt $lte, $in $nin, $and $or,
//	          $exists, $regex (with $options "i"), $all, $size, $elemMatch on
//	          arrays of scalars, dot notation into sub-documents, arrays
//	          matched by element
//	Updates   $set $unset $inc $push $addToSet $pull ([Change])
//	Reads     sort on one or more fields, skip, limit, counts
//	Indexes   single-field, compound, unique, sparse ([Index])
//	Values    strings, numbers, booleans, arrays, sub-documents, time.Time
//	          (stored UTC, millisecond precision)
//
// What the package avoids, and applications should too, because FerretDB
// refuses it or, worse, answers wrongly:
//
//	refused   transactions, change streams (live updates come from the bus),
//	          $text and text indexes (search with $regex on indexed fields),
//	          TTL, partial and hashed indexes, $expr, $lookup, $facet,
//	          collation, positional updates (a.$.b), update pipelines,
//	          $elemMatch on arrays of sub-documents
//	wrong     $group with more than one accumulator (all but the first are
//	          0), $project of a computed field ("$field" comes back as the
//	          literal string)
//
// Two differences the package hides: FerretDB reports a unique-index
// violation by an update or replace as an internal error rather than
// E11000 (both are [ErrConflict] here), and it checks a filter's operators
// only against documents it reads, so a malformed filter on an empty
// collection is not an error there. Its SQLite backend uses no index but the
// one on _id: fine for a demo's data, not for load.
package store
