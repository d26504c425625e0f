package store

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// Filter selects documents. Build one with [Eq], [Ne], [Lt], [Lte], [Gt],
// [Gte], [In], [Nin], [Exists], [Prefix], [Contains] and combine them with
// [And], [Or] and [Not]. The zero Filter matches every document.
//
// Fields are named by their BSON names ("created_at", "meta.color") and
// checked against the collection's document type when the filter is used:
// an unknown field, a value of a type the store does not compare, or a
// malformed path is an error wrapping [ErrBadRequest]. Values are strings,
// numbers, booleans, time.Time, nil, or named types of those (type Status
// string). A leaf on an array field matches when any element does.
//
// A Filter is a value built by the application; user input becomes a filter
// only through these functions, never as a query document.
type Filter struct {
	n   query.Node
	err error
}

// Eq matches documents whose field equals v; Eq(field, nil) matches those
// where it is missing or null.
func Eq(field string, v any) Filter { return leaf(query.Eq, field, v) }

// Ne matches documents whose field does not equal v, including those
// without the field (unless v is nil: Ne(f, nil) matches documents where f
// is present and not null).
func Ne(field string, v any) Filter { return leaf(query.Ne, field, v) }

// Lt matches documents whose field is less than v (a number compares with
// numbers, a string with strings, a time with times).
func Lt(field string, v any) Filter { return leaf(query.Lt, field, v) }

// Lte matches documents whose field is less than or equal to v.
func Lte(field string, v any) Filter { return leaf(query.Lte, field, v) }

// Gt matches documents whose field is greater than v.
func Gt(field string, v any) Filter { return leaf(query.Gt, field, v) }

// Gte matches documents whose field is greater than or equal to v.
func Gte(field string, v any) Filter { return leaf(query.Gte, field, v) }

// In matches documents whose field equals one of values; with no values it
// matches nothing.
func In[V any](field string, values ...V) Filter { return set(query.In, field, values) }

// Nin matches documents whose field equals none of values, including those
// without the field.
func Nin[V any](field string, values ...V) Filter { return set(query.Nin, field, values) }

// Exists matches documents that have the field (also when it is null).
// Not(Exists(f)) matches those that lack it.
func Exists(field string) Filter {
	return Filter{n: query.Node{Op: query.Exists, Field: field, Value: true}, err: checkField(field)}
}

// Prefix matches documents whose field is a string starting with prefix,
// case-sensitively. An index on the field serves it.
func Prefix(field, prefix string) Filter {
	return Filter{n: query.Node{Op: query.Prefix, Field: field, Value: prefix}, err: errors.Join(checkField(field), checkSize(field, prefix))}
}

// Contains matches documents whose field is a string containing s, ignoring
// case. It reads every document the rest of the filter selects; combine it
// with an indexed condition on large collections.
func Contains(field, s string) Filter {
	return Filter{n: query.Node{Op: query.Contains, Field: field, Value: s}, err: errors.Join(checkField(field), checkSize(field, s))}
}

func checkSize(field, s string) error {
	if len(s) > MaxValueSize {
		return fmt.Errorf("%s: a value of %d bytes is more than %d", field, len(s), MaxValueSize)
	}
	return nil
}

// And matches documents that every filter matches; with none, every
// document.
func And(filters ...Filter) Filter { return combine(query.And, filters) }

// Or matches documents that at least one filter matches; with none, no
// document.
func Or(filters ...Filter) Filter { return combine(query.Or, filters) }

// Not matches documents that f does not match.
func Not(f Filter) Filter {
	if f.err != nil {
		return f
	}
	return Filter{n: query.Node{Op: query.Not, Children: []query.Node{f.n}}}
}

// Err returns the error of a malformed filter, or nil. Collections return
// it, wrapped in [ErrBadRequest], when the filter is used.
func (f Filter) Err() error { return f.err }

func leaf(op query.Op, field string, v any) Filter {
	nv, err := normalize(v)
	if err == nil {
		err = checkField(field)
	}
	if err != nil {
		return Filter{err: fmt.Errorf("%s: %w", field, err)}
	}
	return Filter{n: query.Node{Op: op, Field: field, Value: nv}}
}

// Limits of filter values, so that a filter built from user input stays
// cheap on both engines.
const (
	MaxInValues  = 1000
	MaxValueSize = 4096
)

func set[V any](op query.Op, field string, values []V) Filter {
	if err := checkField(field); err != nil {
		return Filter{err: err}
	}
	if len(values) > MaxInValues {
		return Filter{err: fmt.Errorf("%s: %d values are more than %d", field, len(values), MaxInValues)}
	}
	vs := make([]any, len(values))
	for i, v := range values {
		nv, err := normalize(v)
		if err != nil {
			return Filter{err: fmt.Errorf("%s: %w", field, err)}
		}
		vs[i] = nv
	}
	return Filter{n: query.Node{Op: op, Field: field, Values: vs}}
}

func combine(op query.Op, filters []Filter) Filter {
	kids := make([]query.Node, 0, len(filters))
	for _, f := range filters {
		if f.err != nil {
			return f
		}
		kids = append(kids, f.n)
	}
	return Filter{n: query.Node{Op: op, Children: kids}}
}

// checkField refuses malformed field paths.
func checkField(p string) error {
	if p == "" || strings.HasPrefix(p, "$") || strings.HasPrefix(p, ".") ||
		strings.HasSuffix(p, ".") || strings.Contains(p, "..") || strings.ContainsAny(p, "\x00$") {
		return fmt.Errorf("bad field path %q", p)
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// normalize turns a filter value into one of the types of [query.Value].
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if len(v) > MaxValueSize {
			return nil, fmt.Errorf("a value of %d bytes is more than %d", len(v), MaxValueSize)
		}
		return v, nil
	case bool:
		return v, nil
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case int32:
		return v, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("a number must be finite")
		}
		return v, nil
	case time.Time:
		return bson.NewDateTimeFromTime(v), nil
	case *time.Time:
		if v == nil {
			return nil, nil
		}
		return bson.NewDateTimeFromTime(*v), nil
	case bson.DateTime, bson.ObjectID:
		return v, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("value %d is out of range", u)
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return normalize(rv.Float())
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		return normalize(rv.Elem().Interface())
	case reflect.Struct:
		if rv.Type().ConvertibleTo(timeType) {
			return bson.NewDateTimeFromTime(rv.Convert(timeType).Interface().(time.Time)), nil
		}
	}
	return nil, fmt.Errorf("a %T cannot be compared: use strings, numbers, booleans or times", v)
}

// Update is one change of a document for [Collection.Update]: build it
// with [Set], [Unset], [Inc], [Push], [AddToSet] or [Pull]. Paths are BSON
// field names, dot notation reaching into sub-documents; the store manages
// _id and the audit fields, and an update that names one is refused with
// [ErrBadRequest].
type Update struct {
	u   query.Update
	err error
}

// Set sets the field at path to v (any value the BSON encoder takes:
// scalars, times, slices, structs, maps), creating missing parents.
func Set(path string, v any) Update { return change(query.Set, path, v) }

// Unset removes the field at path.
func Unset(path string) Update { return change(query.Unset, path, nil) }

// Inc adds the number n to the field at path; a missing field counts as 0.
func Inc(path string, n any) Update {
	u := change(query.Inc, path, n)
	if u.err == nil {
		switch u.u.Value.(type) {
		case int32, int64, float64:
		default:
			u.err = fmt.Errorf("%s: Inc needs a number, not %T", path, n)
		}
	}
	return u
}

// Push appends v to the array at path; a missing field is an empty array.
func Push(path string, v any) Update { return change(query.Push, path, v) }

// AddToSet appends v to the array at path unless an equal element is in it.
func AddToSet(path string, v any) Update { return change(query.AddToSet, path, v) }

// Pull removes every element equal to v from the array at path.
func Pull(path string, v any) Update { return change(query.Pull, path, v) }

func change(kind query.UpdateKind, path string, v any) Update {
	if err := checkField(path); err != nil {
		return Update{err: err}
	}
	if isManaged(path) {
		return Update{err: fmt.Errorf("field %q is managed by the store", path)}
	}
	if kind == query.Unset {
		return Update{u: query.Update{Kind: kind, Path: path}}
	}
	nv, err := bsonValue(v)
	if err != nil {
		return Update{err: fmt.Errorf("%s: %w", path, err)}
	}
	return Update{u: query.Update{Kind: kind, Path: path, Value: nv}}
}

// bsonValue encodes v as the BSON encoder would inside a document and
// decodes it back into the generic BSON types (bson.D, bson.A, ...), so the
// engines see one representation.
func bsonValue(v any) (any, error) {
	raw, err := bson.Marshal(bson.D{{Key: "v", Value: v}})
	if err != nil {
		return nil, fmt.Errorf("a %T cannot be stored: %v", v, err)
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil || len(d) != 1 {
		return nil, errors.New("value cannot be stored")
	}
	return d[0].Value, nil
}

// isManaged reports whether a path is, or lies inside, a field the store
// manages.
func isManaged(path string) bool {
	for _, f := range managedFields {
		if path == f || strings.HasPrefix(path, f+".") {
			return true
		}
	}
	return false
}
