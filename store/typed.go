package store

import "context"

// Collection is a typed collection of documents of type T, a struct that
// embeds [Doc] inline. It sets the audit fields on every write and maps the
// database's errors to the package's errors. It is safe for concurrent use.
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

// EnsureIndexes creates the declared indexes; existing ones are left alone.
func (c *Collection[T]) EnsureIndexes(ctx context.Context) error { return c.c.EnsureIndexes(ctx) }

// Get returns the document with the given id, or [ErrNotFound].
func (c *Collection[T]) Get(ctx context.Context, id string) (*T, error) { return c.c.get(ctx, id) }

// FindOne returns one document that f matches, or [ErrNotFound].
func (c *Collection[T]) FindOne(ctx context.Context, f Filter) (*T, error) {
	return c.c.findOne(ctx, f)
}

// Find returns the documents q selects, in q's order. No match is an
// empty, non-nil slice.
func (c *Collection[T]) Find(ctx context.Context, q Query) ([]T, error) { return c.c.find(ctx, q) }

// Page returns one page of the documents q selects and the cursors of the
// pages before and after it. Pass [Page.Next] as q.After (or [Page.Prev]
// as q.Before), with the same Where and Sort, for the neighbouring page:
// whatever is inserted or deleted meanwhile, paging visits each document
// at most once, and a page costs the same however deep it is when an index
// serves the sort.
func (c *Collection[T]) Page(ctx context.Context, q Query) (*Page[T], error) {
	return c.c.page(ctx, q)
}

// Count returns the number of documents that f matches.
func (c *Collection[T]) Count(ctx context.Context, f Filter) (int64, error) {
	return c.c.count(ctx, f, 0)
}

// CountUpTo counts the documents that f matches but stops at limit: for
// "more than 1,000" on a large collection, call it with 1001.
func (c *Collection[T]) CountUpTo(ctx context.Context, f Filter, limit int64) (int64, error) {
	return c.c.count(ctx, f, limit)
}

// Insert stores v as a new document. It sets v's id when empty (see [Doc]),
// created_at and updated_at to now, and created_by and updated_by to the
// user in ctx ("" when there is none). A duplicate id or unique key is
// [ErrConflict], and v's Doc is then left as it was.
func (c *Collection[T]) Insert(ctx context.Context, v *T) error { return c.c.insert(ctx, v) }

// Update applies the updates to the document with the given id, sets
// updated_at and updated_by, and returns the updated document:
//
//	n, err := notes.Update(ctx, id, store.Set("title", "hi"), store.Inc("views", 1))
//
// No such document is [ErrNotFound]; a unique key taken by another
// document is [ErrConflict] and nothing changes.
func (c *Collection[T]) Update(ctx context.Context, id string, updates ...Update) (*T, error) {
	return c.c.update(ctx, id, Filter{}, updates)
}

// UpdateIf is [Collection.Update] of the document with the given id only
// while cond matches it, in one step on the server: the base of optimistic
// concurrency, such as store.Eq("updated_at", seen). When the document does
// not exist or cond does not match it, the answer is [ErrNotFound] and
// nothing changes; a Get tells the two apart.
func (c *Collection[T]) UpdateIf(ctx context.Context, id string, cond Filter, updates ...Update) (*T, error) {
	return c.c.update(ctx, id, cond, updates)
}

// Replace stores v in place of the document with v's id, setting updated_at
// and updated_by. created_at and created_by keep their stored values, which
// are copied into v. No such document is [ErrNotFound].
func (c *Collection[T]) Replace(ctx context.Context, v *T) error { return c.c.replace(ctx, v) }

// Delete removes the document with the given id, or returns [ErrNotFound].
func (c *Collection[T]) Delete(ctx context.Context, id string) error { return c.c.delete(ctx, id) }

// DeleteWhere removes every document that f matches and returns how many.
func (c *Collection[T]) DeleteWhere(ctx context.Context, f Filter) (int64, error) {
	return c.c.deleteWhere(ctx, f)
}

// Owned is a collection whose documents belong to the user who created them.
// Every call needs a user in the context (see package identity) and fails
// with [ErrNoUser] without one; reads, counts, updates, replaces and deletes
// see only documents whose created_by is that user, whatever the filter says;
// inserts stamp it and always pick a new id, so that an id chosen by a
// client cannot tell whether another user's document exists. A document of
// another user is [ErrNotFound] rather than a "forbidden", so its existence
// does not leak.
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

// FindOne returns one of the user's documents that f matches, or
// [ErrNotFound].
func (o *Owned[T]) FindOne(ctx context.Context, f Filter) (*T, error) {
	return o.c.findOne(ctx, f)
}

// Find returns the user's documents that q selects; see [Collection.Find].
func (o *Owned[T]) Find(ctx context.Context, q Query) ([]T, error) { return o.c.find(ctx, q) }

// Page returns one page of the user's documents; see [Collection.Page].
func (o *Owned[T]) Page(ctx context.Context, q Query) (*Page[T], error) { return o.c.page(ctx, q) }

// Count returns the number of the user's documents that f matches.
func (o *Owned[T]) Count(ctx context.Context, f Filter) (int64, error) {
	return o.c.count(ctx, f, 0)
}

// CountUpTo counts the user's documents that f matches, stopping at limit.
func (o *Owned[T]) CountUpTo(ctx context.Context, f Filter, limit int64) (int64, error) {
	return o.c.count(ctx, f, limit)
}

// Insert stores v as a new document of the user with a new id; see
// [Collection.Insert].
func (o *Owned[T]) Insert(ctx context.Context, v *T) error { return o.c.insert(ctx, v) }

// Update changes the user's document with the given id; see
// [Collection.Update].
func (o *Owned[T]) Update(ctx context.Context, id string, updates ...Update) (*T, error) {
	return o.c.update(ctx, id, Filter{}, updates)
}

// UpdateIf changes the user's document with the given id only while cond
// matches it; see [Collection.UpdateIf].
func (o *Owned[T]) UpdateIf(ctx context.Context, id string, cond Filter, updates ...Update) (*T, error) {
	return o.c.update(ctx, id, cond, updates)
}

// Replace stores v in place of the user's document with v's id; see
// [Collection.Replace]. v's created_by is always the user.
func (o *Owned[T]) Replace(ctx context.Context, v *T) error { return o.c.replace(ctx, v) }

// Delete removes the user's document with the given id, or returns
// [ErrNotFound].
func (o *Owned[T]) Delete(ctx context.Context, id string) error { return o.c.delete(ctx, id) }

// DeleteWhere removes the user's documents that f matches and returns how
// many.
func (o *Owned[T]) DeleteWhere(ctx context.Context, f Filter) (int64, error) {
	return o.c.deleteWhere(ctx, f)
}
