package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Collection is a typed collection of documents of type T, a struct that
// embeds [Doc] inline. It sets the audit fields on every write and maps
// driver errors to the package's errors. It is safe for concurrent use.
//
// Filters are documents in MongoDB query syntax — bson.M, bson.D,
// map[string]any or a struct — and nil matches everything. Keep to the
// operators listed in the package documentation.
type Collection[T any] struct {
	c *core[T]
}

// NewCollection returns the collection name of db holding documents of type
// T, with the given index declarations (created by EnsureIndexes). It panics
// when *T does not implement [Document] or T does not embed [Doc] inline, or
// when the name or an index declaration is malformed: these are programming
// errors found at start-up. Make each collection once, at start: db keeps
// it for [DB.EnsureIndexes].
func NewCollection[T any](db *DB, name string, indexes ...Index) *Collection[T] {
	return &Collection[T]{c: newCore[T](db, name, false, indexes)}
}

// Name returns the collection name.
func (c *Collection[T]) Name() string { return c.c.name }

// Raw returns the driver's collection, for what this type does not cover.
// What is done through it gets no audit fields and no error mapping.
func (c *Collection[T]) Raw() *mongo.Collection { return c.c.coll }

// EnsureIndexes creates the declared indexes; existing ones are left alone.
func (c *Collection[T]) EnsureIndexes(ctx context.Context) error { return c.c.EnsureIndexes(ctx) }

// Get returns the document with the given id, or [ErrNotFound].
func (c *Collection[T]) Get(ctx context.Context, id string) (*T, error) { return c.c.get(ctx, id) }

// FindOne returns one document that matches filter, or [ErrNotFound].
func (c *Collection[T]) FindOne(ctx context.Context, filter any) (*T, error) {
	return c.c.findOne(ctx, filter)
}

// Find returns the documents that match filter, ordered and paged by o. No
// match is an empty, non-nil slice.
func (c *Collection[T]) Find(ctx context.Context, filter any, o FindOptions) ([]T, error) {
	return c.c.find(ctx, filter, o)
}

// Count returns the number of documents that match filter.
func (c *Collection[T]) Count(ctx context.Context, filter any) (int64, error) {
	return c.c.count(ctx, filter)
}

// Insert stores v as a new document. It sets v's id when empty (see [Doc]),
// created_at and updated_at to now, and created_by and updated_by to the
// user in ctx ("" when there is none). A duplicate id or unique key is
// [ErrConflict], and v's Doc is then left as it was.
func (c *Collection[T]) Insert(ctx context.Context, v *T) error { return c.c.insert(ctx, v) }

// Update sets the fields of set — a bson.M, bson.D, map or struct of field
// path → value — in the document with the given id and returns the updated
// document. It is Apply with Change{Set: set}.
func (c *Collection[T]) Update(ctx context.Context, id string, set any) (*T, error) {
	return c.c.apply(ctx, "update", id, Change{Set: set})
}

// Apply changes the document with the given id as ch says, sets updated_at
// and updated_by, and returns the updated document. No such document is
// [ErrNotFound]; a unique key taken by another document is [ErrConflict].
func (c *Collection[T]) Apply(ctx context.Context, id string, ch Change) (*T, error) {
	return c.c.apply(ctx, "update", id, ch)
}

// Replace stores v in place of the document with v's id, setting updated_at
// and updated_by. created_at and created_by keep their stored values, which
// are copied into v. No such document is [ErrNotFound].
func (c *Collection[T]) Replace(ctx context.Context, v *T) error { return c.c.replace(ctx, v) }

// Delete removes the document with the given id, or returns [ErrNotFound].
func (c *Collection[T]) Delete(ctx context.Context, id string) error { return c.c.delete(ctx, id) }

// Owned is a collection whose documents belong to the user who created them.
// Every call needs a user in the context (see package identity) and fails
// with [ErrNoUser] without one; reads, counts, updates, replaces and deletes
// see only documents whose created_by is that user, whatever the filter says;
// inserts stamp it. A document of another user is [ErrNotFound] rather than a
// "forbidden", so its existence does not leak.
//
// Unique indexes span all users: declare Keys {"created_by", "title"} for a
// title unique per user. An index on created_by is added unless one leads
// with it.
type Owned[T any] struct {
	c *core[T]
}

// NewOwned returns the owner-scoped collection name of db. See
// [NewCollection] for T, the indexes and when it panics.
func NewOwned[T any](db *DB, name string, indexes ...Index) *Owned[T] {
	return &Owned[T]{c: newCore[T](db, name, true, indexes)}
}

// Name returns the collection name.
func (o *Owned[T]) Name() string { return o.c.name }

// Unscoped returns the same collection without owner scoping, for
// administration across users. Use it only where every user's documents may
// be shown.
func (o *Owned[T]) Unscoped() *Collection[T] { return &Collection[T]{c: o.c.unscoped()} }

// EnsureIndexes creates the declared indexes; existing ones are left alone.
func (o *Owned[T]) EnsureIndexes(ctx context.Context) error { return o.c.EnsureIndexes(ctx) }

// Get returns the user's document with the given id, or [ErrNotFound].
func (o *Owned[T]) Get(ctx context.Context, id string) (*T, error) { return o.c.get(ctx, id) }

// FindOne returns one of the user's documents that matches filter, or
// [ErrNotFound].
func (o *Owned[T]) FindOne(ctx context.Context, filter any) (*T, error) {
	return o.c.findOne(ctx, filter)
}

// Find returns the user's documents that match filter, ordered and paged by
// opts. No match is an empty, non-nil slice.
func (o *Owned[T]) Find(ctx context.Context, filter any, opts FindOptions) ([]T, error) {
	return o.c.find(ctx, filter, opts)
}

// Count returns the number of the user's documents that match filter.
func (o *Owned[T]) Count(ctx context.Context, filter any) (int64, error) {
	return o.c.count(ctx, filter)
}

// Insert stores v as a new document of the user; see [Collection.Insert].
func (o *Owned[T]) Insert(ctx context.Context, v *T) error { return o.c.insert(ctx, v) }

// Update sets fields of the user's document with the given id and returns
// the updated document; see [Collection.Update].
func (o *Owned[T]) Update(ctx context.Context, id string, set any) (*T, error) {
	return o.c.apply(ctx, "update", id, Change{Set: set})
}

// Apply changes the user's document with the given id; see
// [Collection.Apply].
func (o *Owned[T]) Apply(ctx context.Context, id string, ch Change) (*T, error) {
	return o.c.apply(ctx, "update", id, ch)
}

// Replace stores v in place of the user's document with v's id; see
// [Collection.Replace]. v's created_by is always the user.
func (o *Owned[T]) Replace(ctx context.Context, v *T) error { return o.c.replace(ctx, v) }

// Delete removes the user's document with the given id, or returns
// [ErrNotFound].
func (o *Owned[T]) Delete(ctx context.Context, id string) error { return o.c.delete(ctx, id) }
