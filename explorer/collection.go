package explorer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

// Collection is a [Source] and [Editor] over a store collection, plain or
// owner-scoped. The filter tree compiles to store filters with bound
// values; sorting and keyset paging are the store's ([store.Collection.Page]),
// so a page costs the same however deep it is when an index serves the
// sort. An owner-scoped collection's scoping is the store's own: a grid
// over it never sees, counts, edits or deletes another user's rows. Make
// one with [NewCollection] or [NewOwned].
type Collection[T any] struct {
	c    storeColl[T]
	keys map[string]string // column field → BSON key
	text map[string]bool   // columns holding strings
}

// storeColl is what both store.Collection and store.Owned offer.
type storeColl[T any] interface {
	Page(ctx context.Context, q store.Query) (*store.Page[T], error)
	CountUpTo(ctx context.Context, f store.Filter, limit int64) (int64, error)
	Count(ctx context.Context, f store.Filter) (int64, error)
	Get(ctx context.Context, id string) (*T, error)
	UpdateIf(ctx context.Context, id string, cond store.Filter, updates ...store.Update) (*T, error)
	Delete(ctx context.Context, id string) error
}

// NewCollection returns the source of a store collection's rows.
func NewCollection[T any](c *store.Collection[T]) (*Collection[T], error) { return newCollection[T](c) }

// NewOwned returns the source of an owner-scoped collection: each caller
// sees only their own rows.
func NewOwned[T any](c *store.Owned[T]) (*Collection[T], error) { return newCollection[T](c) }

func newCollection[T any](c storeColl[T]) (*Collection[T], error) {
	cols, err := Columns[T]()
	if err != nil {
		return nil, err
	}
	keys := make(map[string]string, len(cols))
	text := make(map[string]bool, len(cols))
	for _, col := range cols {
		keys[col.Field] = col.Key
		text[col.Field] = col.agType() == "text"
	}
	return &Collection[T]{c: c, keys: keys, text: text}, nil
}

// Page returns one page; see [Source.Page].
func (s *Collection[T]) Page(ctx context.Context, q Query) (Page[T], error) {
	f, err := s.compile(q.Where)
	if err != nil {
		return Page[T]{}, err
	}
	sort := make([]string, len(q.Sort))
	for i, k := range q.Sort {
		sort[i] = s.keys[k.Field]
		if k.Desc {
			sort[i] = "-" + sort[i]
		}
	}
	p, err := s.c.Page(ctx, store.Query{Where: f, Sort: sort, Limit: q.Limit, After: q.After, Before: q.Before})
	if err != nil {
		return Page[T]{}, err
	}
	return Page[T]{Items: p.Items, Next: p.Next, Prev: p.Prev}, nil
}

// Count counts the rows f matches, up to limit when it is more than 0.
func (s *Collection[T]) Count(ctx context.Context, f Filter, limit int64) (int64, error) {
	sf, err := s.compile(f)
	if err != nil {
		return 0, err
	}
	if limit > 0 {
		return s.c.CountUpTo(ctx, sf, limit)
	}
	return s.c.Count(ctx, sf)
}

// Get returns the row with the given id.
func (s *Collection[T]) Get(ctx context.Context, id string) (*T, error) { return s.c.Get(ctx, id) }

// Update applies the changes while the row's updated_at is version, in one
// step on the server; see [Editor.Update].
func (s *Collection[T]) Update(ctx context.Context, id string, version time.Time, changes []Change) (*T, error) {
	ups := make([]store.Update, len(changes))
	for i, c := range changes {
		ups[i] = store.Set(c.Column.Key, c.Value)
	}
	v, err := s.c.UpdateIf(ctx, id, store.Eq(store.FieldUpdatedAt, version), ups...)
	if errors.Is(err, store.ErrNotFound) {
		fresh, gerr := s.c.Get(ctx, id)
		if gerr != nil {
			return nil, gerr
		}
		return fresh, ErrStale
	}
	return v, err
}

// Delete removes the row with the given id.
func (s *Collection[T]) Delete(ctx context.Context, id string) error { return s.c.Delete(ctx, id) }

// compile turns a checked filter into a store filter.
func (s *Collection[T]) compile(f Filter) (store.Filter, error) {
	switch f.Kind {
	case All:
		return store.Filter{}, nil
	case AndKind, OrKind, NotKind:
		kids := make([]store.Filter, len(f.Children))
		for i, c := range f.Children {
			k, err := s.compile(c)
			if err != nil {
				return store.Filter{}, err
			}
			kids[i] = k
		}
		switch f.Kind {
		case AndKind:
			return store.And(kids...), nil
		case OrKind:
			return store.Or(kids...), nil
		}
		if len(kids) != 1 {
			return store.Filter{}, badFilter("a NOT needs one filter")
		}
		return store.Not(kids[0]), nil
	}
	key, ok := s.keys[f.Field]
	if !ok {
		return store.Filter{}, badFilter("no column %q", f.Field)
	}
	if f.Op != IsEmpty && f.Op != In && len(f.Values) != 1 {
		return store.Filter{}, badFilter("%s: one value", f.Field)
	}
	switch f.Op {
	case Eq:
		return store.Eq(key, f.Values[0]), nil
	case Ne:
		return store.Ne(key, f.Values[0]), nil
	case Lt:
		return store.Lt(key, f.Values[0]), nil
	case Lte:
		return store.Lte(key, f.Values[0]), nil
	case Gt:
		return store.Gt(key, f.Values[0]), nil
	case Gte:
		return store.Gte(key, f.Values[0]), nil
	case In:
		return store.In(key, f.Values...), nil
	case Contains:
		str, _ := f.Values[0].(string)
		return store.Contains(key, str), nil
	case StartsWith:
		str, _ := f.Values[0].(string)
		return store.Prefix(key, str), nil
	case IsEmpty:
		if s.text[f.Field] {
			return store.Or(store.Eq(key, nil), store.Eq(key, "")), nil
		}
		return store.Eq(key, nil), nil
	}
	return store.Filter{}, fmt.Errorf("%w: operator %q", webos.ErrBadRequest, f.Op)
}
