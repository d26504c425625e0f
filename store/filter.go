package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// toDoc turns a filter or update value into an ordered document: nil is the
// empty document; bson.D is copied; maps are sorted by key, so the result does
// not depend on map order; anything else (a struct, bson.Raw) goes through
// the BSON encoder.
func toDoc(v any) (bson.D, error) {
	switch v := v.(type) {
	case nil:
		return bson.D{}, nil
	case bson.D:
		return slices.Clone(v), nil
	case bson.M:
		return mapDoc(v), nil
	case map[string]any:
		return mapDoc(v), nil
	case map[string]string:
		d := make(bson.D, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			d = append(d, bson.E{Key: k, Value: v[k]})
		}
		return d, nil
	}
	raw, err := bson.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%T is not a document: %v", v, err)
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%T is not a document: %v", v, err)
	}
	return d, nil
}

func mapDoc[M ~map[string]any](m M) bson.D {
	d := make(bson.D, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		d = append(d, bson.E{Key: k, Value: m[k]})
	}
	return d
}

// hasKey reports whether d has the top-level key k.
func hasKey(d bson.D, k string) bool {
	for _, e := range d {
		if e.Key == k {
			return true
		}
	}
	return false
}

// ownerFilter adds "created_by = uid" to filter so that no filter can widen
// it. Top-level conditions of a filter are all ANDed, so the clause is simply
// appended, except when the filter names created_by itself: a document with
// the key twice has no portable meaning, so then both go under $and.
func ownerFilter(filter bson.D, uid string) bson.D {
	if hasKey(filter, FieldCreatedBy) {
		return bson.D{{Key: "$and", Value: bson.A{filter, bson.D{{Key: FieldCreatedBy, Value: uid}}}}}
	}
	return append(filter, bson.E{Key: FieldCreatedBy, Value: uid})
}

// keySpec turns field names, each optionally prefixed with "-" for
// descending order, into a sort or index key document.
func keySpec(fields []string) (bson.D, error) {
	d := make(bson.D, 0, len(fields))
	for _, f := range fields {
		dir := 1
		name := f
		if n, ok := strings.CutPrefix(f, "-"); ok {
			dir, name = -1, n
		} else if n, ok := strings.CutPrefix(f, "+"); ok {
			name = n
		}
		if name == "" || strings.HasPrefix(name, "$") || strings.HasPrefix(name, ".") ||
			strings.HasSuffix(name, ".") || strings.Contains(name, "..") || strings.ContainsRune(name, 0) {
			return nil, fmt.Errorf("bad field name %q", f)
		}
		if hasKey(d, name) {
			return nil, fmt.Errorf("field %q given twice", name)
		}
		d = append(d, bson.E{Key: name, Value: dir})
	}
	return d, nil
}

// isManaged reports whether an update of field path touches a field the
// store manages, including a path inside one.
func isManaged(path string) bool {
	for _, f := range managedFields {
		if path == f || strings.HasPrefix(path, f+".") {
			return true
		}
	}
	return false
}
