package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store/internal/query"
)

// Query selects, orders and pages documents for [Collection.Find] and
// [Collection.Page]. The zero Query is every document in id order.
type Query struct {
	// Where selects the documents; the zero Filter matches all.
	Where Filter
	// Sort lists field names, each ascending or, prefixed with "-",
	// descending: []string{"-created_at"}. The id is added as the last key
	// (in the direction of the first), so the order is total and pages are
	// stable. An index whose keys are the sort keys (see [Index]) lets the
	// database read a page without sorting.
	Sort []string
	// Limit is the largest number of documents returned. For Find, 0 means
	// no limit; for Page, 0 means [DefaultPageSize]. Page caps it at
	// [MaxPageSize].
	Limit int
	// After is a cursor from [Page.Next]: the page starts right after the
	// document it was taken from.
	After string
	// Before is a cursor from [Page.Prev]: the page ends right before it.
	Before string
	// Skip passes over that many matching documents first, for small
	// offsets only (at most [MaxSkip]); page with cursors.
	Skip int
	// Fields, when set, names the top-level fields to read; the others are
	// left at their zero value. The id is always read.
	Fields []string
}

// Paging limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 1000
	MaxSkip         = 1000
)

// Page is one page of documents and the cursors of its neighbours.
type Page[T any] struct {
	// Items are the documents of the page, in the query's order; never nil.
	Items []T `json:"items"`
	// Next is the cursor of the page after this one for [Query.After], ""
	// when this is the last.
	Next string `json:"next,omitempty"`
	// Prev is the cursor of the page before this one for [Query.Before],
	// "" when this is the first.
	Prev string `json:"prev,omitempty"`
}

// core implements both [Collection] and [Owned]; owned selects the scoping.
type core[T any] struct {
	db     *DB
	coll   query.Collection
	name   string
	owned  bool
	schema *schema
}

func newCore[T any](db *DB, name string, owned bool, indexes []Index) *core[T] {
	var zero T
	if _, ok := any(&zero).(Document); !ok {
		panic(fmt.Sprintf("store: collection %q: *%T does not implement store.Document: embed store.Doc with `bson:\",inline\"`", name, zero))
	}
	// Without the inline tag the encoder nests Doc under the key "doc".
	raw, err := bson.Marshal(&zero)
	if err != nil {
		panic(fmt.Sprintf("store: collection %q: %T cannot be encoded: %v", name, zero, err))
	}
	if _, err := bson.Raw(raw).LookupErr(FieldID); err != nil {
		panic(fmt.Sprintf("store: collection %q: %T has no top-level _id: embed store.Doc with `bson:\",inline\"`", name, zero))
	}
	if err := checkCollectionName(name); err != nil {
		panic(err.Error())
	}
	sch := schemaOf(reflect.TypeFor[T]())
	if owned && !leadsWith(indexes, FieldCreatedBy) {
		indexes = append([]Index{{Keys: []string{FieldCreatedBy}}}, indexes...)
	}
	qix := make([]query.Index, 0, len(indexes))
	for _, ix := range indexes {
		q, err := ix.compile(sch)
		if err != nil {
			panic(fmt.Sprintf("store: collection %q: %v", name, err))
		}
		qix = append(qix, q)
	}
	coll, err := db.eng.Collection(name, qix)
	if err != nil {
		panic(fmt.Sprintf("store: collection %q: %v", name, err))
	}
	c := &core[T]{db: db, coll: coll, name: name, owned: owned, schema: sch}
	db.register(c)
	return c
}

func checkCollectionName(name string) error {
	switch {
	case name == "":
		return errors.New("store: empty collection name")
	case len(name) > 120:
		return fmt.Errorf("store: collection name %q is too long", name)
	case strings.HasPrefix(name, "system."), strings.HasPrefix(name, "sqlite_"), strings.ContainsAny(name, "$\x00\"`'[]"):
		return fmt.Errorf("store: collection name %q is not allowed", name)
	}
	return nil
}

func docOf[T any](v *T) *Doc { return any(v).(Document).StoreDoc() }

// EnsureIndexes creates the declared indexes.
func (c *core[T]) EnsureIndexes(ctx context.Context) error {
	return c.wrap("ensure indexes", c.coll.EnsureIndexes(ctx))
}

func (c *core[T]) wrap(op string, err error) error { return wrap(op, c.name, err) }

// user returns the acting user's id; for an owned collection a missing user
// is ErrNoUser.
func (c *core[T]) user(ctx context.Context, op string) (string, error) {
	uid := identity.ID(ctx)
	if uid == "" && c.owned {
		return "", &Error{Op: op, Collection: c.name, Kind: ErrNoUser}
	}
	return uid, nil
}

func (c *core[T]) bad(op string, err error) error {
	return &Error{Op: op, Collection: c.name, Kind: ErrBadRequest, Err: err, checked: true}
}

// scope checks f against the document type and adds the owner clause.
func (c *core[T]) scope(ctx context.Context, op string, f Filter) (query.Node, error) {
	uid, err := c.user(ctx, op)
	if err != nil {
		return query.Node{}, err
	}
	if f.err != nil {
		return query.Node{}, c.bad(op, f.err)
	}
	n := f.n
	if err := c.check(&n); err != nil {
		return query.Node{}, c.bad(op, err)
	}
	return c.owner(n, uid), nil
}

// owner adds "created_by = uid" to n for an owned collection.
func (c *core[T]) owner(n query.Node, uid string) query.Node {
	if !c.owned {
		return n
	}
	own := query.Node{Op: query.Eq, Field: FieldCreatedBy, Value: uid}
	if n.Op == query.All {
		return own
	}
	if n.Op == query.And {
		return query.Node{Op: query.And, Children: append([]query.Node{own}, n.Children...)}
	}
	return query.Node{Op: query.And, Children: []query.Node{own, n}}
}

// check validates the fields of a filter tree against the schema and marks
// array fields, in place.
func (c *core[T]) check(n *query.Node) error {
	switch n.Op {
	case query.All, query.None:
		return nil
	case query.And, query.Or, query.Not:
		n.Children = slices.Clone(n.Children)
		for i := range n.Children {
			if err := c.check(&n.Children[i]); err != nil {
				return err
			}
		}
		return nil
	}
	k, err := c.schema.lookup(n.Field)
	if err != nil {
		return err
	}
	switch k {
	case kindDoc, kindDocArray:
		if n.Op != query.Exists && !(n.Op == query.Eq && n.Value == nil) && !(n.Op == query.Ne && n.Value == nil) {
			return fmt.Errorf("field %q holds documents: compare its fields instead", n.Field)
		}
	case kindArray:
		n.Array = true
	}
	if n.Op == query.Prefix || n.Op == query.Contains {
		if want, ok := c.schema.scalar[n.Field]; ok && want != scalarString && want != scalarOther {
			return fmt.Errorf("field %q holds %s: Prefix and Contains need strings", n.Field, want)
		}
	}
	if n.Op != query.Exists {
		if err := c.schema.checkValue(n.Field, n.Value); err != nil {
			return err
		}
	}
	for _, v := range n.Values {
		if err := c.schema.checkValue(n.Field, v); err != nil {
			return err
		}
	}
	return nil
}

// sortKeys parses a sort spec; the id is added last, in the direction of
// the first key.
func (c *core[T]) sortKeys(spec []string) ([]query.SortKey, error) {
	keys := make([]query.SortKey, 0, len(spec)+1)
	for _, s := range spec {
		k, err := parseKey(s)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(keys, func(o query.SortKey) bool { return o.Field == k.Field }) {
			return nil, fmt.Errorf("field %q given twice", k.Field)
		}
		kind, err := c.schema.lookup(k.Field)
		if err != nil {
			return nil, err
		}
		if kind != kindScalar && k.Field != FieldID {
			return nil, fmt.Errorf("cannot sort on %q: only on fields of strings, numbers, booleans and times", k.Field)
		}
		keys = append(keys, k)
		if k.Field == FieldID {
			break // the id is unique: later keys never decide
		}
	}
	if len(keys) == 0 || keys[len(keys)-1].Field != FieldID {
		desc := len(keys) > 0 && keys[0].Desc
		keys = append(keys, query.SortKey{Field: FieldID, Desc: desc})
	}
	return keys, nil
}

func parseKey(s string) (query.SortKey, error) {
	k := query.SortKey{Field: s}
	if n, ok := strings.CutPrefix(s, "-"); ok {
		k = query.SortKey{Field: n, Desc: true}
	} else if n, ok := strings.CutPrefix(s, "+"); ok {
		k.Field = n
	}
	if err := checkField(k.Field); err != nil {
		return k, err
	}
	return k, nil
}

func (c *core[T]) get(ctx context.Context, id string) (*T, error) {
	uid, err := c.user(ctx, "get")
	if err != nil {
		return nil, err
	}
	f := c.owner(query.Node{Op: query.Eq, Field: FieldID, Value: id}, uid)
	return c.one(ctx, "get", query.Find{Filter: f, Limit: 1})
}

func (c *core[T]) one(ctx context.Context, op string, q query.Find) (*T, error) {
	var v *T
	err := c.coll.Find(ctx, q, func(raw bson.Raw) error {
		v = new(T)
		return bson.Unmarshal(raw, v)
	})
	if err != nil {
		return nil, c.wrap(op, err)
	}
	if v == nil {
		return nil, &Error{Op: op, Collection: c.name, Kind: ErrNotFound}
	}
	return v, nil
}

func (c *core[T]) findOne(ctx context.Context, f Filter) (*T, error) {
	n, err := c.scope(ctx, "find one", f)
	if err != nil {
		return nil, err
	}
	return c.one(ctx, "find one", query.Find{Filter: n, Limit: 1})
}

// compile turns q into the engine's form; limit is the number of
// documents to fetch.
func (c *core[T]) compile(ctx context.Context, op string, q Query) (query.Find, []query.SortKey, error) {
	n, err := c.scope(ctx, op, q.Where)
	if err != nil {
		return query.Find{}, nil, err
	}
	var keys []query.SortKey
	if len(q.Sort) > 0 || q.After != "" || q.Before != "" {
		if keys, err = c.sortKeys(q.Sort); err != nil {
			return query.Find{}, nil, c.bad(op, fmt.Errorf("sort: %w", err))
		}
	}
	switch {
	case q.Skip < 0 || q.Limit < 0:
		return query.Find{}, nil, c.bad(op, errors.New("skip and limit must not be negative"))
	case q.Skip > MaxSkip:
		return query.Find{}, nil, c.bad(op, fmt.Errorf("skip %d is more than %d: page with cursors", q.Skip, MaxSkip))
	case q.After != "" && q.Before != "":
		return query.Find{}, nil, c.bad(op, errors.New("a query takes After or Before, not both"))
	}
	for _, f := range q.Fields {
		if err := checkField(f); err != nil || strings.Contains(f, ".") {
			return query.Find{}, nil, c.bad(op, fmt.Errorf("fields: %q is not a top-level field", f))
		}
		if _, err := c.schema.lookup(f); err != nil {
			return query.Find{}, nil, c.bad(op, fmt.Errorf("fields: %w", err))
		}
	}
	fq := query.Find{Filter: n, Sort: keys, Skip: int64(q.Skip), Limit: int64(q.Limit), Fields: q.Fields}
	if len(q.Fields) > 0 {
		// The sort keys are read too, for the cursors.
		fq.Fields = slices.Clone(q.Fields)
		for _, k := range keys {
			top, _, _ := strings.Cut(k.Field, ".")
			if !slices.Contains(fq.Fields, top) {
				fq.Fields = append(fq.Fields, top)
			}
		}
	}
	cur, back := q.After, false
	if q.Before != "" {
		cur, back = q.Before, true
	}
	if cur != "" {
		vals, err := decodeCursor(cur, keys)
		if err != nil {
			return query.Find{}, nil, c.bad(op, err)
		}
		if back {
			fq.Sort = reversed(keys)
		}
		seek := query.Node{Op: query.Seek, Keys: fq.Sort, Values: vals}
		fq.Filter = query.Node{Op: query.And, Children: []query.Node{fq.Filter, seek}}
	}
	return fq, keys, nil
}

func reversed(keys []query.SortKey) []query.SortKey {
	r := make([]query.SortKey, len(keys))
	for i, k := range keys {
		r[i] = query.SortKey{Field: k.Field, Desc: !k.Desc}
	}
	return r
}

func (c *core[T]) find(ctx context.Context, q Query) ([]T, error) {
	fq, _, err := c.compile(ctx, "find", q)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, min(max(fq.Limit, 0), 100))
	err = c.coll.Find(ctx, fq, func(raw bson.Raw) error {
		out = append(out, *new(T))
		return bson.Unmarshal(raw, &out[len(out)-1])
	})
	if err != nil {
		return nil, c.wrap("find", err)
	}
	if q.Before != "" {
		slices.Reverse(out)
	}
	return out, nil
}

func (c *core[T]) page(ctx context.Context, q Query) (*Page[T], error) {
	if q.Limit < 0 {
		return nil, c.bad("page", errors.New("limit must not be negative"))
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	q.Limit = min(q.Limit, MaxPageSize)
	limit := q.Limit
	q.Limit++ // one more tells whether there is a next page
	fq, keys, err := c.compile(ctx, "page", q)
	if err != nil {
		return nil, err
	}
	if keys == nil {
		keys = []query.SortKey{{Field: FieldID}}
		fq.Sort = keys
	}
	items := make([]T, 0, limit)
	// Only the first and last documents give cursors: keep copies of
	// them, not a cursor per document.
	var first, last []byte
	more := false
	err = c.coll.Find(ctx, fq, func(raw bson.Raw) error {
		if len(items) == limit {
			more = true
			return nil
		}
		items = append(items, *new(T))
		if err := bson.Unmarshal(raw, &items[len(items)-1]); err != nil {
			return err
		}
		if len(items) == 1 {
			first = append(first[:0], raw...)
		}
		last = append(last[:0], raw...)
		return nil
	})
	if err != nil {
		return nil, c.wrap("page", err)
	}
	p := &Page[T]{Items: items}
	if len(items) == 0 {
		return p, nil
	}
	cursor := func(raw []byte) (string, error) { return encodeCursor(bson.Raw(raw), keys) }
	firstCur, err := cursor(first)
	if err != nil {
		return nil, c.wrap("page", err)
	}
	lastCur, err := cursor(last)
	if err != nil {
		return nil, c.wrap("page", err)
	}
	if q.Before != "" {
		// Read backwards: reverse into the query's order; the first read
		// is the last shown.
		slices.Reverse(p.Items)
		p.Next = firstCur
		if more {
			p.Prev = lastCur
		}
		return p, nil
	}
	if more {
		p.Next = lastCur
	}
	if q.After != "" || q.Skip > 0 {
		p.Prev = firstCur
	}
	return p, nil
}

// A cursor is the base64url form of a BSON document {s: sort spec, v: the
// values of the sort keys}.
type cursorDoc struct {
	S string `bson:"s"`
	V bson.A `bson:"v"`
}

func sortSpec(keys []query.SortKey) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if k.Desc {
			b.WriteByte('-')
		}
		b.WriteString(k.Field)
	}
	return b.String()
}

func encodeCursor(raw bson.Raw, keys []query.SortKey) (string, error) {
	d := cursorDoc{S: sortSpec(keys), V: make(bson.A, len(keys))}
	for i, k := range keys {
		rv, err := raw.LookupErr(strings.Split(k.Field, ".")...)
		if err != nil {
			d.V[i] = nil
			continue
		}
		var v any
		if err := rv.Unmarshal(&v); err != nil {
			return "", err
		}
		d.V[i] = v
	}
	b, err := bson.Marshal(d)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

var errBadCursor = errors.New("the cursor is malformed or belongs to another order")

func decodeCursor(s string, keys []query.SortKey) ([]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 4096 {
		return nil, errBadCursor
	}
	var d cursorDoc
	if err := bson.Unmarshal(b, &d); err != nil || d.S != sortSpec(keys) || len(d.V) != len(keys) {
		return nil, errBadCursor
	}
	vals := make([]any, len(d.V))
	for i, v := range d.V {
		nv, err := normalize(v)
		if err != nil {
			return nil, errBadCursor
		}
		vals[i] = nv
	}
	if _, ok := vals[len(vals)-1].(string); !ok {
		return nil, errBadCursor
	}
	return vals, nil
}

func (c *core[T]) count(ctx context.Context, f Filter, limit int64) (int64, error) {
	n, err := c.scope(ctx, "count", f)
	if err != nil {
		return 0, err
	}
	if limit < 0 {
		return 0, c.bad("count", errors.New("negative limit"))
	}
	cnt, err := c.coll.Count(ctx, n, limit)
	return cnt, c.wrap("count", err)
}

func (c *core[T]) insert(ctx context.Context, v *T) error {
	uid, err := c.user(ctx, "insert")
	if err != nil {
		return err
	}
	if v == nil {
		return c.bad("insert", errors.New("nil document"))
	}
	d := docOf(v)
	prev := *d
	if d.ID == "" || c.owned {
		// An owner-scoped collection always picks the id: a client-chosen
		// one would tell whether another user's document exists.
		d.ID = bson.NewObjectID().Hex()
	}
	now := c.db.stamp()
	d.CreatedAt, d.UpdatedAt, d.CreatedBy, d.UpdatedBy = now, now, uid, uid
	if p, ok := any(v).(InsertPreparer); ok {
		if err := p.PrepareInsert(ctx); err != nil {
			*d = prev
			return err
		}
	}
	raw, err := bson.Marshal(v)
	if err != nil {
		*d = prev
		return c.bad("insert", err)
	}
	if err := c.coll.Insert(ctx, raw); err != nil {
		*d = prev
		return c.wrap("insert", err)
	}
	return nil
}

func (c *core[T]) update(ctx context.Context, id string, cond Filter, ups []Update) (*T, error) {
	const op = "update"
	uid, err := c.user(ctx, op)
	if err != nil {
		return nil, err
	}
	if cond.err != nil {
		return nil, c.bad(op, cond.err)
	}
	cn := cond.n
	if err := c.check(&cn); err != nil {
		return nil, c.bad(op, err)
	}
	list := make([]query.Update, 0, len(ups)+2)
	seen := make(map[string]bool, len(ups))
	for _, u := range ups {
		if u.err != nil {
			return nil, c.bad(op, u.err)
		}
		if u.u.Path == "" {
			return nil, c.bad(op, errors.New("empty update"))
		}
		for p := range seen {
			if p == u.u.Path || strings.HasPrefix(p, u.u.Path+".") || strings.HasPrefix(u.u.Path, p+".") {
				return nil, c.bad(op, fmt.Errorf("updates of %q and %q overlap", p, u.u.Path))
			}
		}
		seen[u.u.Path] = true
		k, err := c.schema.lookup(u.u.Path)
		if err != nil {
			return nil, c.bad(op, err)
		}
		switch u.u.Kind {
		case query.Push, query.AddToSet, query.Pull:
			if k != kindArray && k != kindDocArray && k != kindAny {
				return nil, c.bad(op, fmt.Errorf("field %q is not an array", u.u.Path))
			}
			if _, isDoc := u.u.Value.(bson.D); isDoc && u.u.Kind == query.Pull {
				return nil, c.bad(op, fmt.Errorf("Pull %q: remove documents by replacing the array with Set", u.u.Path))
			}
		case query.Inc:
			if k != kindScalar && k != kindAny {
				return nil, c.bad(op, fmt.Errorf("field %q is not a number", u.u.Path))
			}
		}
		if err := c.fits(u.u); err != nil {
			return nil, c.bad(op, err)
		}
		list = append(list, u.u)
	}
	list = append(list,
		query.Update{Kind: query.Set, Path: FieldUpdatedAt, Value: bson.NewDateTimeFromTime(c.db.stamp())},
		query.Update{Kind: query.Set, Path: FieldUpdatedBy, Value: uid})
	f := query.Node{Op: query.Eq, Field: FieldID, Value: id}
	if cn.Op != query.All {
		f = query.Node{Op: query.And, Children: []query.Node{f, cn}}
	}
	raw, err := c.coll.Update(ctx, c.owner(f, uid), list)
	if err != nil {
		return nil, c.wrap(op, err)
	}
	v := new(T)
	if err := bson.Unmarshal(raw, v); err != nil {
		return nil, c.wrap(op, err)
	}
	return v, nil
}

// fits checks that the value of an update decodes into the document type,
// so that a wrong type is refused before it is stored, not found by every
// later read.
func (c *core[T]) fits(u query.Update) error {
	if u.Kind == query.Unset || u.Value == nil {
		return nil
	}
	v := u.Value
	if u.Kind == query.Push || u.Kind == query.AddToSet || u.Kind == query.Pull {
		v = bson.A{v}
	}
	segs := strings.Split(u.Path, ".")
	doc := bson.D{{Key: segs[len(segs)-1], Value: v}}
	for i := len(segs) - 2; i >= 0; i-- {
		doc = bson.D{{Key: segs[i], Value: doc}}
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", u.Path, err)
	}
	if err := bson.Unmarshal(raw, new(T)); err != nil {
		return fmt.Errorf("%s: the value does not fit the field's type", u.Path)
	}
	return nil
}

func (c *core[T]) replace(ctx context.Context, v *T) error {
	const op = "replace"
	uid, err := c.user(ctx, op)
	if err != nil {
		return err
	}
	if v == nil {
		return c.bad(op, errors.New("nil document"))
	}
	d := docOf(v)
	if d.ID == "" {
		return c.bad(op, errors.New("document has no id"))
	}
	prev := *d
	fail := func(err error) error { *d = prev; return c.wrap(op, err) }
	d.UpdatedAt, d.UpdatedBy = c.db.stamp(), uid
	if c.owned {
		d.CreatedBy = uid
	}
	// created_at and created_by are never changed by a replace. When the
	// document carries the stored values — it was read before — the filter
	// checks them and one round trip does it.
	if !d.CreatedAt.IsZero() {
		raw, err := bson.Marshal(v)
		if err != nil {
			return fail(c.bad(op, err))
		}
		ok, err := c.coll.Replace(ctx, c.audited(d), raw)
		if err != nil {
			return fail(err)
		}
		if ok {
			return nil
		}
	}
	stored, err := c.one(ctx, op, query.Find{
		Filter: c.owner(query.Node{Op: query.Eq, Field: FieldID, Value: d.ID}, uid),
		Limit:  1, Fields: []string{FieldCreatedAt, FieldCreatedBy},
	})
	if err != nil {
		return fail(err)
	}
	sd := docOf(stored)
	d.CreatedAt, d.CreatedBy = sd.CreatedAt.UTC(), sd.CreatedBy
	raw, err := bson.Marshal(v)
	if err != nil {
		return fail(c.bad(op, err))
	}
	ok, err := c.coll.Replace(ctx, c.audited(d), raw)
	if err == nil && !ok {
		err = query.ErrNotFound // deleted in between
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// audited is the filter of d's stored version with d's creation fields.
func (c *core[T]) audited(d *Doc) query.Node {
	return query.Node{Op: query.And, Children: []query.Node{
		{Op: query.Eq, Field: FieldID, Value: d.ID},
		{Op: query.Eq, Field: FieldCreatedAt, Value: bson.NewDateTimeFromTime(d.CreatedAt)},
		{Op: query.Eq, Field: FieldCreatedBy, Value: d.CreatedBy},
	}}
}

func (c *core[T]) delete(ctx context.Context, id string) error {
	uid, err := c.user(ctx, "delete")
	if err != nil {
		return err
	}
	n, err := c.coll.Delete(ctx, c.owner(query.Node{Op: query.Eq, Field: FieldID, Value: id}, uid), true)
	if err == nil && n == 0 {
		err = query.ErrNotFound
	}
	return c.wrap("delete", err)
}

func (c *core[T]) deleteWhere(ctx context.Context, f Filter) (int64, error) {
	n, err := c.scope(ctx, "delete", f)
	if err != nil {
		return 0, err
	}
	cnt, err := c.coll.Delete(ctx, n, false)
	return cnt, c.wrap("delete", err)
}

// unscoped returns a view of c without owner scoping; it shares c's indexes
// but is not registered again.
func (c *core[T]) unscoped() *core[T] {
	u := *c
	u.owned = false
	return &u
}
