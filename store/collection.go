package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos/identity"
)

// FindOptions order and page the results of a find.
type FindOptions struct {
	// Sort lists field names, each ascending or, prefixed with "-",
	// descending: []string{"-created_at", "title"}. When Sort is set and does
	// not name _id, _id is added last so that pages are stable.
	Sort []string
	// Skip is the number of matching documents to pass over.
	Skip int64
	// Limit is the largest number of documents returned; 0 means no limit.
	Limit int64
}

// Change is a partial update of one document. Each field is optional;
// documents (Set, Inc, Push, AddToSet, Pull) may be a bson.M, a bson.D, a
// map[string]any or a struct, and map a field path (dot notation reaches
// into sub-documents) to a value. The store adds updated_at and updated_by;
// a change that names _id or an audit field is refused with [ErrBadRequest].
type Change struct {
	Set      any      // $set: field → new value
	Unset    []string // $unset: fields to remove
	Inc      any      // $inc: field → number to add
	Push     any      // $push: array field → value to append
	AddToSet any      // $addToSet: array field → value to add unless present
	Pull     any      // $pull: array field → value or condition to remove
}

// update builds the update document of ch.
func (ch Change) update(set0 bson.D) (bson.D, error) {
	set, err := toDoc(ch.Set)
	if err != nil {
		return nil, fmt.Errorf("Set: %w", err)
	}
	if err := checkPaths("Set", set); err != nil {
		return nil, err
	}
	u := bson.D{{Key: "$set", Value: append(set, set0...)}}
	if len(ch.Unset) > 0 {
		d := make(bson.D, 0, len(ch.Unset))
		for _, f := range ch.Unset {
			d = append(d, bson.E{Key: f, Value: ""})
		}
		if err := checkPaths("Unset", d); err != nil {
			return nil, err
		}
		u = append(u, bson.E{Key: "$unset", Value: d})
	}
	for _, op := range [...]struct {
		name, key string
		v         any
	}{
		{"Inc", "$inc", ch.Inc},
		{"Push", "$push", ch.Push},
		{"AddToSet", "$addToSet", ch.AddToSet},
		{"Pull", "$pull", ch.Pull},
	} {
		if op.v == nil {
			continue
		}
		d, err := toDoc(op.v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op.name, err)
		}
		if err := checkPaths(op.name, d); err != nil {
			return nil, err
		}
		if len(d) > 0 {
			u = append(u, bson.E{Key: op.key, Value: d})
		}
	}
	return u, nil
}

// checkPaths refuses field paths that are malformed or name a managed field.
func checkPaths(op string, d bson.D) error {
	seen := make(map[string]bool, len(d))
	for _, e := range d {
		p := e.Key
		switch {
		case p == "" || strings.HasPrefix(p, "$") || strings.HasPrefix(p, ".") ||
			strings.HasSuffix(p, ".") || strings.Contains(p, "..") || strings.ContainsRune(p, 0):
			return fmt.Errorf("%s: bad field path %q", op, p)
		case isManaged(p):
			return fmt.Errorf("%s: field %q is managed by the store", op, p)
		case seen[p]:
			return fmt.Errorf("%s: field %q given twice", op, p)
		}
		seen[p] = true
	}
	return nil
}

// core implements both [Collection] and [Owned]; owned selects the scoping.
type core[T any] struct {
	db     *DB
	coll   *mongo.Collection
	name   string
	owned  bool
	models []mongo.IndexModel
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
	if owned && !leadsWith(indexes, FieldCreatedBy) {
		indexes = append([]Index{{Keys: []string{FieldCreatedBy}}}, indexes...)
	}
	models := make([]mongo.IndexModel, 0, len(indexes))
	for _, ix := range indexes {
		m, err := ix.model()
		if err != nil {
			panic(fmt.Sprintf("store: collection %q: %v", name, err))
		}
		models = append(models, m)
	}
	c := &core[T]{db: db, coll: db.db.Collection(name), name: name, owned: owned, models: models}
	db.register(c)
	return c
}

func checkCollectionName(name string) error {
	switch {
	case name == "":
		return errors.New("store: empty collection name")
	case strings.HasPrefix(name, "system."), strings.ContainsAny(name, "$\x00"):
		return fmt.Errorf("store: collection name %q is not allowed", name)
	}
	return nil
}

func docOf[T any](v *T) *Doc { return any(v).(Document).StoreDoc() }

// Name returns the collection name.
func (c *core[T]) Name() string { return c.name }

// EnsureIndexes creates the declared indexes.
func (c *core[T]) EnsureIndexes(ctx context.Context) error {
	// One index per command: FerretDB v1 drops the connection when a
	// createIndexes command names several indexes that all exist already.
	for _, m := range c.models {
		if _, err := c.coll.Indexes().CreateOne(ctx, m); err != nil {
			return wrap("ensure indexes", c.name, err)
		}
	}
	return nil
}

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
	return &Error{Op: op, Collection: c.name, Kind: ErrBadRequest, Err: err}
}

// filter turns a caller's filter into the one sent, with the owner clause.
func (c *core[T]) filter(ctx context.Context, op string, filter any) (bson.D, error) {
	uid, err := c.user(ctx, op)
	if err != nil {
		return nil, err
	}
	d, err := toDoc(filter)
	if err != nil {
		return nil, c.bad(op, fmt.Errorf("filter: %w", err))
	}
	if c.owned {
		d = ownerFilter(d, uid)
	}
	return d, nil
}

// byID is the filter of one document by id, owner-scoped when owned.
func (c *core[T]) byID(id, uid string) bson.D {
	if c.owned {
		return bson.D{{Key: FieldID, Value: id}, {Key: FieldCreatedBy, Value: uid}}
	}
	return bson.D{{Key: FieldID, Value: id}}
}

func (c *core[T]) get(ctx context.Context, id string) (*T, error) {
	uid, err := c.user(ctx, "get")
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := c.coll.FindOne(ctx, c.byID(id, uid)).Decode(v); err != nil {
		return nil, wrap("get", c.name, err)
	}
	return v, nil
}

func (c *core[T]) findOne(ctx context.Context, filter any) (*T, error) {
	f, err := c.filter(ctx, "find one", filter)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := c.coll.FindOne(ctx, f).Decode(v); err != nil {
		return nil, wrap("find one", c.name, err)
	}
	return v, nil
}

func (c *core[T]) find(ctx context.Context, filter any, o FindOptions) ([]T, error) {
	f, err := c.filter(ctx, "find", filter)
	if err != nil {
		return nil, err
	}
	fo := options.Find()
	if len(o.Sort) > 0 {
		s, err := keySpec(o.Sort)
		if err != nil {
			return nil, c.bad("find", fmt.Errorf("sort: %w", err))
		}
		if !hasKey(s, FieldID) {
			s = append(s, bson.E{Key: FieldID, Value: 1})
		}
		fo.SetSort(s)
	}
	if o.Skip < 0 || o.Limit < 0 {
		return nil, c.bad("find", errors.New("skip and limit must not be negative"))
	}
	if o.Skip > 0 {
		fo.SetSkip(o.Skip)
	}
	if o.Limit > 0 {
		fo.SetLimit(o.Limit)
	}
	cur, err := c.coll.Find(ctx, f, fo)
	if err != nil {
		return nil, wrap("find", c.name, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	out := make([]T, 0, min(max(o.Limit, 0), 100))
	for cur.Next(ctx) {
		out = append(out, *new(T))
		if err := cur.Decode(&out[len(out)-1]); err != nil {
			return nil, wrap("find", c.name, err)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, wrap("find", c.name, err)
	}
	return out, nil
}

func (c *core[T]) count(ctx context.Context, filter any) (int64, error) {
	f, err := c.filter(ctx, "count", filter)
	if err != nil {
		return 0, err
	}
	n, err := c.coll.CountDocuments(ctx, f)
	return n, wrap("count", c.name, err)
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
	if d.ID == "" {
		d.ID = bson.NewObjectID().Hex()
	}
	now := c.db.stamp()
	d.CreatedAt, d.UpdatedAt, d.CreatedBy, d.UpdatedBy = now, now, uid, uid
	if _, err := c.coll.InsertOne(ctx, v); err != nil {
		*d = prev
		return wrap("insert", c.name, err)
	}
	return nil
}

func (c *core[T]) apply(ctx context.Context, op, id string, ch Change) (*T, error) {
	uid, err := c.user(ctx, op)
	if err != nil {
		return nil, err
	}
	u, err := ch.update(bson.D{{Key: FieldUpdatedAt, Value: c.db.stamp()}, {Key: FieldUpdatedBy, Value: uid}})
	if err != nil {
		return nil, c.bad(op, err)
	}
	v := new(T)
	fo := options.FindOneAndUpdate().SetReturnDocument(options.After)
	if err := c.coll.FindOneAndUpdate(ctx, c.byID(id, uid), u, fo).Decode(v); err != nil {
		return nil, wrap(op, c.name, err)
	}
	return v, nil
}

func (c *core[T]) replace(ctx context.Context, v *T) error {
	uid, err := c.user(ctx, "replace")
	if err != nil {
		return err
	}
	if v == nil {
		return c.bad("replace", errors.New("nil document"))
	}
	d := docOf(v)
	if d.ID == "" {
		return c.bad("replace", errors.New("document has no id"))
	}
	prev := *d
	d.UpdatedAt, d.UpdatedBy = c.db.stamp(), uid
	if c.owned {
		d.CreatedBy = uid
	}
	// created_at and created_by are never changed by a replace. When the
	// document carries the stored values — it was read before — the filter
	// checks them and one round trip does it.
	if !d.CreatedAt.IsZero() {
		res, err := c.coll.ReplaceOne(ctx, c.audited(d), v)
		if err != nil {
			*d = prev
			return wrap("replace", c.name, err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	}
	var stored Doc
	po := options.FindOne().SetProjection(bson.D{{Key: FieldCreatedAt, Value: 1}, {Key: FieldCreatedBy, Value: 1}})
	if err := c.coll.FindOne(ctx, c.byID(d.ID, uid), po).Decode(&stored); err != nil {
		*d = prev
		return wrap("replace", c.name, err)
	}
	d.CreatedAt, d.CreatedBy = stored.CreatedAt.UTC(), stored.CreatedBy
	res, err := c.coll.ReplaceOne(ctx, c.audited(d), v)
	if err == nil && res.MatchedCount == 0 {
		err = mongo.ErrNoDocuments // deleted in between
	}
	if err != nil {
		*d = prev
		return wrap("replace", c.name, err)
	}
	return nil
}

// audited is the filter of d's stored version with d's creation fields.
func (c *core[T]) audited(d *Doc) bson.D {
	return bson.D{
		{Key: FieldID, Value: d.ID},
		{Key: FieldCreatedAt, Value: d.CreatedAt},
		{Key: FieldCreatedBy, Value: d.CreatedBy},
	}
}

func (c *core[T]) delete(ctx context.Context, id string) error {
	uid, err := c.user(ctx, "delete")
	if err != nil {
		return err
	}
	res, err := c.coll.DeleteOne(ctx, c.byID(id, uid))
	if err == nil && res.DeletedCount == 0 {
		err = mongo.ErrNoDocuments
	}
	return wrap("delete", c.name, err)
}

// unscoped returns a view of c without owner scoping; it shares c's indexes
// but is not registered again.
func (c *core[T]) unscoped() *core[T] {
	u := *c
	u.owned = false
	return &u
}
