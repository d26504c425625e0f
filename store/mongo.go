package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos/store/internal/query"
)

// mongoEngine is the MongoDB engine: one database of a client.
type mongoEngine struct {
	client *mongo.Client
	db     *mongo.Database
}

func (e *mongoEngine) Collection(name string, indexes []query.Index) (query.Collection, error) {
	models := make([]mongo.IndexModel, 0, len(indexes))
	for _, ix := range indexes {
		keys := make(bson.D, len(ix.Keys))
		for i, k := range ix.Keys {
			keys[i] = bson.E{Key: k.Field, Value: direction(k)}
		}
		o := options.Index().SetName(ix.Name)
		if ix.Unique {
			o.SetUnique(true)
		}
		if ix.Sparse {
			o.SetSparse(true)
		}
		models = append(models, mongo.IndexModel{Keys: keys, Options: o})
	}
	return &mongoCollection{coll: e.db.Collection(name), models: models}, nil
}

func (e *mongoEngine) Ping(ctx context.Context) error {
	if err := e.client.Ping(ctx, nil); err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("%w: %w", query.ErrUnavailable, err)
	}
	return nil
}

// Version is the server's buildInfo: "MongoDB <version>", and the
// FerretDB version when the server is FerretDB.
func (e *mongoEngine) Version(ctx context.Context) (string, error) {
	var info struct {
		Version         string `bson:"version"`
		FerretDBVersion string `bson:"ferretdbVersion"`
	}
	if err := e.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		if errors.Is(err, context.Canceled) {
			return "", err
		}
		return "", fmt.Errorf("%w: %w", query.ErrUnavailable, err)
	}
	s := "MongoDB " + info.Version
	if info.FerretDBVersion != "" {
		s += " (FerretDB " + info.FerretDBVersion + ")"
		if info.FerretDBVersion == "unknown" { // built into a program without its version file
			s = "MongoDB " + info.Version + " (FerretDB)"
		}
	}
	return s, nil
}

func (e *mongoEngine) Drop(ctx context.Context) error { return e.db.Drop(ctx) }

func (e *mongoEngine) Close(ctx context.Context) error {
	if err := e.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return err
	}
	return nil
}

func direction(k query.SortKey) int {
	if k.Desc {
		return -1
	}
	return 1
}

type mongoCollection struct {
	coll   *mongo.Collection
	models []mongo.IndexModel
}

func (c *mongoCollection) EnsureIndexes(ctx context.Context) error {
	// One index per command: FerretDB v1 drops the connection when a
	// createIndexes command names several indexes that all exist already.
	for _, m := range c.models {
		if _, err := c.coll.Indexes().CreateOne(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (c *mongoCollection) Insert(ctx context.Context, doc bson.Raw) error {
	_, err := c.coll.InsertOne(ctx, doc)
	return err
}

func (c *mongoCollection) Find(ctx context.Context, q query.Find, fn func(bson.Raw) error) error {
	f := mongoFilter(q.Filter)
	var proj bson.D
	if len(q.Fields) > 0 {
		proj = make(bson.D, 0, len(q.Fields)+1)
		proj = append(proj, bson.E{Key: FieldID, Value: 1})
		for _, name := range q.Fields {
			if name != FieldID {
				proj = append(proj, bson.E{Key: name, Value: 1})
			}
		}
	}
	if q.Limit == 1 && q.Skip == 0 && len(q.Sort) == 0 {
		o := options.FindOne()
		if proj != nil {
			o.SetProjection(proj)
		}
		raw, err := c.coll.FindOne(ctx, f, o).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return err
		}
		return fn(raw)
	}
	o := options.Find()
	if len(q.Sort) > 0 {
		s := make(bson.D, len(q.Sort))
		for i, k := range q.Sort {
			s[i] = bson.E{Key: k.Field, Value: direction(k)}
		}
		o.SetSort(s)
	}
	if q.Skip > 0 {
		o.SetSkip(q.Skip)
	}
	if q.Limit > 0 {
		o.SetLimit(q.Limit)
	}
	if proj != nil {
		o.SetProjection(proj)
	}
	cur, err := c.coll.Find(ctx, f, o)
	if err != nil {
		return err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			return err
		}
	}
	return cur.Err()
}

func (c *mongoCollection) Count(ctx context.Context, filter query.Node, limit int64) (int64, error) {
	o := options.Count()
	if limit > 0 {
		o.SetLimit(limit)
	}
	return c.coll.CountDocuments(ctx, mongoFilter(filter), o)
}

func (c *mongoCollection) Update(ctx context.Context, filter query.Node, ups []query.Update) (bson.Raw, error) {
	ops := map[query.UpdateKind]string{
		query.Set: "$set", query.Unset: "$unset", query.Inc: "$inc",
		query.Push: "$push", query.AddToSet: "$addToSet", query.Pull: "$pull",
	}
	var u bson.D
	for _, kind := range []query.UpdateKind{query.Set, query.Unset, query.Inc, query.Push, query.AddToSet, query.Pull} {
		var d bson.D
		for _, up := range ups {
			if up.Kind != kind {
				continue
			}
			v := up.Value
			if kind == query.Unset {
				v = ""
			}
			d = append(d, bson.E{Key: up.Path, Value: v})
		}
		if len(d) > 0 {
			u = append(u, bson.E{Key: ops[kind], Value: d})
		}
	}
	o := options.FindOneAndUpdate().SetReturnDocument(options.After)
	raw, err := c.coll.FindOneAndUpdate(ctx, mongoFilter(filter), u, o).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, query.ErrNotFound
	}
	return raw, err
}

func (c *mongoCollection) Replace(ctx context.Context, filter query.Node, doc bson.Raw) (bool, error) {
	res, err := c.coll.ReplaceOne(ctx, mongoFilter(filter), doc)
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}

func (c *mongoCollection) Delete(ctx context.Context, filter query.Node, single bool) (int64, error) {
	var (
		res *mongo.DeleteResult
		err error
	)
	if single {
		res, err = c.coll.DeleteOne(ctx, mongoFilter(filter))
	} else {
		res, err = c.coll.DeleteMany(ctx, mongoFilter(filter))
	}
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// matchNothing is a filter no document matches.
var matchNothing = bson.D{{Key: FieldID, Value: bson.D{{Key: "$in", Value: bson.A{}}}}}

// mongoFilter translates a filter tree into MongoDB's query language,
// keeping to the subset both MongoDB and FerretDB run correctly: a Not is
// pushed down to the leaves ($nor is not in that subset).
func mongoFilter(n query.Node) bson.D { return mfilter(n, false) }

func mfilter(n query.Node, neg bool) bson.D {
	cmp := func(op string, v any) bson.D {
		if neg {
			return bson.D{{Key: n.Field, Value: bson.D{{Key: "$not", Value: bson.D{{Key: op, Value: v}}}}}}
		}
		return bson.D{{Key: n.Field, Value: bson.D{{Key: op, Value: v}}}}
	}
	switch n.Op {
	case query.All:
		if neg {
			return matchNothing
		}
		return bson.D{}
	case query.None:
		if neg {
			return bson.D{}
		}
		return matchNothing
	case query.Eq:
		if neg {
			return bson.D{{Key: n.Field, Value: bson.D{{Key: "$ne", Value: n.Value}}}}
		}
		return bson.D{{Key: n.Field, Value: bson.D{{Key: "$eq", Value: n.Value}}}}
	case query.Ne:
		if neg {
			return bson.D{{Key: n.Field, Value: bson.D{{Key: "$eq", Value: n.Value}}}}
		}
		return bson.D{{Key: n.Field, Value: bson.D{{Key: "$ne", Value: n.Value}}}}
	case query.Lt:
		return cmp("$lt", n.Value)
	case query.Lte:
		return cmp("$lte", n.Value)
	case query.Gt:
		return cmp("$gt", n.Value)
	case query.Gte:
		return cmp("$gte", n.Value)
	case query.In, query.Nin:
		op := "$in"
		if (n.Op == query.Nin) != neg {
			op = "$nin"
		}
		return bson.D{{Key: n.Field, Value: bson.D{{Key: op, Value: bson.A(n.Values)}}}}
	case query.Exists:
		want, _ := n.Value.(bool)
		return bson.D{{Key: n.Field, Value: bson.D{{Key: "$exists", Value: want != neg}}}}
	case query.Prefix, query.Contains:
		s, _ := n.Value.(string)
		re := bson.Regex{Pattern: "^" + regexp.QuoteMeta(s)}
		if n.Op == query.Contains {
			re = bson.Regex{Pattern: regexp.QuoteMeta(s), Options: "i"}
		}
		if neg {
			return bson.D{{Key: n.Field, Value: bson.D{{Key: "$not", Value: re}}}}
		}
		return bson.D{{Key: n.Field, Value: bson.D{{Key: "$regex", Value: re.Pattern}, {Key: "$options", Value: re.Options}}}}
	case query.And, query.Or:
		and := (n.Op == query.And) != neg
		if len(n.Children) == 0 {
			if and {
				return bson.D{}
			}
			return matchNothing
		}
		if len(n.Children) == 1 {
			return mfilter(n.Children[0], neg)
		}
		kids := make(bson.A, len(n.Children))
		for i, k := range n.Children {
			kids[i] = mfilter(k, neg)
		}
		if and {
			return bson.D{{Key: "$and", Value: kids}}
		}
		return bson.D{{Key: "$or", Value: kids}}
	case query.Not:
		if len(n.Children) != 1 {
			return matchNothing
		}
		return mfilter(n.Children[0], !neg)
	case query.Seek:
		return mfilter(expandSeek(n), neg)
	}
	return matchNothing
}

// expandSeek writes a Seek as comparisons: for keys (a, b, _id) after
// (va, vb, vid), a > va OR (a = va AND b > vb) OR (a = va AND b = vb AND
// _id > vid), with < for descending keys — and with null (a missing field)
// ordered before every value, as MongoDB sorts it.
func expandSeek(n query.Node) query.Node {
	or := query.Node{Op: query.Or}
	for i, k := range n.Keys {
		if i >= len(n.Values) {
			break
		}
		and := query.Node{Op: query.And}
		for j := range i {
			and.Children = append(and.Children, query.Node{Op: query.Eq, Field: n.Keys[j].Field, Value: n.Values[j]})
		}
		// A missing or null field sorts before every value: it is last in
		// a descending order.
		v := n.Values[i]
		var after query.Node
		switch {
		case !k.Desc && v == nil:
			after = query.Node{Op: query.Ne, Field: k.Field, Value: nil}
		case !k.Desc:
			after = query.Node{Op: query.Gt, Field: k.Field, Value: v}
		case v == nil:
			continue // nothing comes after null in a descending order
		default:
			after = query.Node{Op: query.Or, Children: []query.Node{
				{Op: query.Lt, Field: k.Field, Value: v},
				{Op: query.Eq, Field: k.Field, Value: nil},
			}}
		}
		and.Children = append(and.Children, after)
		or.Children = append(or.Children, and)
	}
	return or
}
