package sqlite

import (
	"math"
	"reflect"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

// action is what an update operator does to the value at its path.
type action int

const (
	keep   action = iota // leave the value (or its absence) as it is
	put                  // store the returned value
	remove               // remove the field
)

// applyUpdates applies ups to d in order with MongoDB semantics.
func applyUpdates(d bson.D, ups []query.Update) (bson.D, error) {
	for _, u := range ups {
		segs := strings.Split(u.Path, ".")
		for _, s := range segs {
			if s == "" || strings.HasPrefix(s, "$") || strings.IndexByte(s, 0) >= 0 {
				return nil, badf("invalid update path %q", u.Path)
			}
		}
		op, create, err := operator(u)
		if err != nil {
			return nil, err
		}
		if segs[0] == "_id" {
			// The _id is immutable: only a Set to the same value passes.
			old, _ := lookup(d, "_id")
			if u.Kind != query.Set || len(segs) != 1 || !valueEqual(old, u.Value) {
				return nil, badf("update would modify the immutable field _id")
			}
			continue
		}
		v, err := modify(d, segs, create, op)
		if err != nil {
			return nil, err
		}
		d = v.(bson.D)
	}
	return d, nil
}

func lookup(d bson.D, key string) (any, bool) {
	for _, e := range d {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

// operator returns the function an update applies to the value at its path
// and whether missing parents are created.
func operator(u query.Update) (func(old any, ok bool) (any, action, error), bool, error) {
	switch u.Kind {
	case query.Set:
		return func(any, bool) (any, action, error) { return u.Value, put, nil }, true, nil
	case query.Unset:
		return func(_ any, ok bool) (any, action, error) {
			if !ok {
				return nil, keep, nil
			}
			return nil, remove, nil
		}, false, nil
	case query.Inc:
		if !isNumber(u.Value) {
			return nil, false, badf("$inc by a non-number %T", u.Value)
		}
		return func(old any, ok bool) (any, action, error) {
			if !ok {
				return u.Value, put, nil
			}
			sum, err := addNumbers(old, u.Value)
			return sum, put, err
		}, true, nil
	case query.Push, query.AddToSet:
		return func(old any, ok bool) (any, action, error) {
			if !ok {
				return bson.A{u.Value}, put, nil
			}
			arr, isArr := old.(bson.A)
			if !isArr {
				return nil, keep, badf("cannot push to a non-array field %q", u.Path)
			}
			if u.Kind == query.AddToSet {
				for _, x := range arr {
					if valueEqual(x, u.Value) {
						return nil, keep, nil
					}
				}
			}
			return append(arr[:len(arr):len(arr)], u.Value), put, nil
		}, true, nil
	case query.Pull:
		return func(old any, ok bool) (any, action, error) {
			if !ok {
				return nil, keep, nil
			}
			arr, isArr := old.(bson.A)
			if !isArr {
				return nil, keep, badf("cannot pull from a non-array field %q", u.Path)
			}
			out := make(bson.A, 0, len(arr))
			for _, x := range arr {
				if !valueEqual(x, u.Value) {
					out = append(out, x)
				}
			}
			return out, put, nil
		}, false, nil
	default:
		return nil, false, badf("unknown update operator %d", u.Kind)
	}
}

// modify applies op at the path segs inside the container cur (a bson.D
// or bson.A) and returns the new container. With create, missing parents
// are created as documents; without, a missing parent leaves cur as is.
func modify(cur any, segs []string, create bool, op func(any, bool) (any, action, error)) (any, error) {
	key := segs[0]
	switch c := cur.(type) {
	case bson.D:
		i := -1
		for j := range c {
			if c[j].Key == key {
				i = j
				break
			}
		}
		var old any
		if i >= 0 {
			old = c[i].Value
		}
		nv, act, err := step(old, i >= 0, segs, create, op)
		if err != nil {
			return nil, err
		}
		switch {
		case act == put && i >= 0:
			out := append(bson.D(nil), c...)
			out[i].Value = nv
			return out, nil
		case act == put:
			return append(c[:len(c):len(c)], bson.E{Key: key, Value: nv}), nil
		case act == remove && i >= 0:
			out := make(bson.D, 0, len(c)-1)
			out = append(out, c[:i]...)
			return append(out, c[i+1:]...), nil
		}
		return c, nil
	case bson.A:
		n, err := strconv.Atoi(key)
		if err != nil || n < 0 || strconv.Itoa(n) != key {
			if create {
				return nil, badf("cannot create field %q in an array", key)
			}
			return c, nil
		}
		var old any
		ok := n < len(c)
		if ok {
			old = c[n]
		}
		nv, act, err := step(old, ok, segs, create, op)
		if err != nil {
			return nil, err
		}
		switch act {
		case put:
			if n > 1<<20 {
				return nil, badf("array index %d too large", n)
			}
			out := append(bson.A(nil), c...)
			for len(out) <= n {
				out = append(out, nil)
			}
			out[n] = nv
			return out, nil
		case remove:
			// MongoDB sets an unset array element to null.
			out := append(bson.A(nil), c...)
			out[n] = nil
			return out, nil
		}
		return c, nil
	default:
		return nil, badf("cannot traverse a %T", cur)
	}
}

// step applies op to the element old (present when ok) at the head of
// segs, descending when segs has more segments.
func step(old any, ok bool, segs []string, create bool, op func(any, bool) (any, action, error)) (any, action, error) {
	if len(segs) == 1 {
		return op(old, ok)
	}
	if !ok || old == nil {
		if !create {
			return nil, keep, nil
		}
		if ok && old == nil {
			return nil, keep, badf("cannot create field %q in a null value", segs[1])
		}
		old = bson.D{}
	}
	switch old.(type) {
	case bson.D, bson.A:
	default:
		if !create {
			return nil, keep, nil
		}
		return nil, keep, badf("cannot create field %q in a %T value", segs[1], old)
	}
	nv, err := modify(old, segs[1:], create, op)
	if err != nil {
		return nil, keep, err
	}
	return nv, put, nil
}

func isNumber(v any) bool {
	switch v.(type) {
	case int32, int64, float64, int:
		return true
	}
	return false
}

// addNumbers adds two numbers as MongoDB's $inc does: int32 overflows to
// int64, any double makes a double, and an int64 overflow is an error.
func addNumbers(a, b any) (any, error) {
	if !isNumber(a) {
		return nil, badf("$inc of a non-number field (%T)", a)
	}
	if x, ok := b.(int); ok {
		b = int64(x)
	}
	if x, ok := a.(int); ok {
		a = int64(x)
	}
	af, aIsF := a.(float64)
	bf, bIsF := b.(float64)
	if aIsF || bIsF {
		if !aIsF {
			af = float64(asInt(a))
		}
		if !bIsF {
			bf = float64(asInt(b))
		}
		return af + bf, nil
	}
	x, y := asInt(a), asInt(b)
	s := x + y
	if (s > x) != (y > 0) {
		return nil, badf("$inc overflows a 64-bit integer")
	}
	_, a32 := a.(int32)
	_, b32 := b.(int32)
	if a32 && b32 && s >= math.MinInt32 && s <= math.MaxInt32 {
		return int32(s), nil
	}
	return s, nil
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}

// valueEqual compares two values as MongoDB's equality does: numbers by
// value across types, documents field by field in order, arrays element
// by element.
func valueEqual(a, b any) bool {
	if isNumber(a) && isNumber(b) {
		af, aIsF := a.(float64)
		bf, bIsF := b.(float64)
		switch {
		case aIsF && bIsF:
			return af == bf || math.IsNaN(af) && math.IsNaN(bf)
		case aIsF:
			return af == float64(asInt(b))
		case bIsF:
			return bf == float64(asInt(a))
		}
		return asInt(a) == asInt(b)
	}
	switch x := a.(type) {
	case bson.D:
		y, ok := b.(bson.D)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i].Key != y[i].Key || !valueEqual(x[i].Value, y[i].Value) {
				return false
			}
		}
		return true
	case bson.A:
		y, ok := b.(bson.A)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valueEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	case string, bool, bson.DateTime, bson.ObjectID:
		return a == b
	}
	return reflect.DeepEqual(a, b)
}
