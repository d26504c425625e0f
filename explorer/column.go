package explorer

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Type is the kind of values a column holds; it chooses the filter, the
// editor and how a value is parsed.
type Type string

// Column types.
const (
	Text   Type = "text"
	Number Type = "number"
	Bool   Type = "boolean"
	Time   Type = "time"
	Enum   Type = "enum"
	// List is a slice of strings (or of a string enum, whose values are
	// then the column's Values): a filter matches a row when any element
	// does (Eq, In) or when none does (Ne). A list is shown joined by
	// commas and can be neither sorted nor edited inline.
	List Type = "list"
)

// Column is one column of a grid, derived from a struct field by [Columns].
// Its JSON form is an AG Grid column definition (see [Column.MarshalJSON]).
type Column struct {
	// Field is the column's name: the field's JSON name, which rows,
	// sorts, filters and edits use.
	Field string
	// Key is the field's BSON name, which the store sources query.
	Key string
	// Header is the column's title (tag label=, default: the Go field name
	// split into words).
	Header string
	Type   Type
	// Values are an enum's values, in order.
	Values []string
	// Width is the width in pixels (tag width=), 0 for the grid's default.
	Width int
	// Hidden columns are not shown until the user asks (tag hidden).
	Hidden bool
	// Editable columns can be edited inline (tag edit, or edit=perm).
	Editable bool
	// Sortable columns can order the grid (tag sort). Sort only on fields
	// every row has: keyset paging compares them.
	Sortable bool
	// Ops are the filter operators the column accepts (tag filter, all of
	// the type's; filter=eq|contains, those).
	Ops []Op
	// ReadPerm is the permission needed to see the column, to sort and to
	// filter on it (tag read=perm); "" lets every caller of the grid see it.
	ReadPerm string
	// EditPerm is the permission needed to edit it (tag edit=perm); "" is
	// the grid's [Config.EditPerm].
	EditPerm string
	// Audit marks the fields of store.Doc, which the store sets: always
	// read-only.
	Audit bool
	// Nullable marks a pointer field (*time.Time, *int, ...).
	Nullable bool

	index []int
	rtype reflect.Type // the field's type, pointers included
}

// Op is a filter operator.
type Op string

// Filter operators.
const (
	Eq         Op = "eq"
	Ne         Op = "ne"
	Lt         Op = "lt"
	Lte        Op = "lte"
	Gt         Op = "gt"
	Gte        Op = "gte"
	In         Op = "in"
	Contains   Op = "contains"
	StartsWith Op = "startsWith"
	IsEmpty    Op = "isEmpty"
)

// opsOf are the operators a type supports, in the order a filter row
// offers them.
func opsOf(t Type) []Op {
	switch t {
	case Text:
		return []Op{Contains, Eq, Ne, StartsWith, In, IsEmpty, Lt, Lte, Gt, Gte}
	case Number, Time:
		return []Op{Eq, Ne, Lt, Lte, Gt, Gte, In, IsEmpty}
	case Bool:
		return []Op{Eq, Ne, IsEmpty}
	case Enum:
		return []Op{Eq, Ne, In, IsEmpty}
	case List:
		return []Op{Eq, Ne, In}
	}
	return nil
}

// Enumerated is implemented by a type whose values are a fixed list, such
// as type Status string with func (Status) Values() []string. A field of
// such a type is an [Enum] column.
type Enumerated interface {
	Values() []string
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	enumType    = reflect.TypeFor[Enumerated]()
	columnCache sync.Map // reflect.Type → columnsResult
)

type columnsResult struct {
	cols []Column
	err  error
}

// Columns returns the columns of struct type T, in display order.
//
// Mapping: strings are [Text]; all int, uint and float kinds are [Number];
// bool is [Bool]; time.Time and *time.Time are [Time]; a string or int
// field with a `validate:"oneof=a b c"` tag, or of a type implementing
// [Enumerated], is an [Enum]. Pointers to these are nullable columns.
// Embedded structs (store.Doc among them) are flattened, as BSON inlines
// them; other struct, slice, map and interface fields are skipped, as are
// unexported fields and fields with json:"-" or explorer:"-". The fields of
// store.Doc are read-only audit columns; the id, created_by and updated_by are
// hidden until shown.
//
// The explorer tag refines a column, options separated by commas:
//
//	label=Title   header text            width=200  width in pixels
//	order=2       position (default: declaration order)
//	hidden        hidden until shown     readonly   never editable
//	edit          editable inline        edit=perm  editable by holders of perm
//	sort          sortable               read=perm  seen only by holders of perm
//	filter        every operator of the type; filter=eq|contains only those
//
// A malformed tag is an error naming the field.
func Columns[T any]() ([]Column, error) {
	t := reflect.TypeFor[T]()
	if v, ok := columnCache.Load(t); ok {
		r := v.(columnsResult)
		return slices.Clone(r.cols), r.err
	}
	cols, err := columnsOf(t)
	columnCache.Store(t, columnsResult{cols, err})
	return slices.Clone(cols), err
}

type orderedColumn struct {
	Column
	order int
	seq   int
}

func columnsOf(t reflect.Type) ([]Column, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("explorer: %v is not a struct", t)
	}
	var out []orderedColumn
	if err := collect(t, nil, false, &out); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range out {
		if seen[c.Field] {
			return nil, fmt.Errorf("explorer: %v: two columns named %q", t, c.Field)
		}
		seen[c.Field] = true
	}
	slices.SortStableFunc(out, func(a, b orderedColumn) int {
		if a.order != b.order {
			return a.order - b.order
		}
		return a.seq - b.seq
	})
	cols := make([]Column, len(out))
	for i, c := range out {
		cols[i] = c.Column
	}
	return cols, nil
}

// storeDocFields are the audit fields of store.Doc by BSON name.
var storeDocFields = map[string]bool{"_id": true, "created_at": true, "updated_at": true, "created_by": true, "updated_by": true}

func collect(t reflect.Type, index []int, audit bool, out *[]orderedColumn) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(slices.Clone(index), i)
		tag := sf.Tag.Get("explorer")
		if tag == "-" {
			continue
		}
		jsonName, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		bsonName, _, _ := strings.Cut(sf.Tag.Get("bson"), ",")
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				continue // an embedded pointer may be nil: skipped
			}
			if ft.Kind() == reflect.Struct && ft != timeType && jsonName == "" {
				isDoc := ft.PkgPath() == "github.com/webos-go/webos/store" && ft.Name() == "Doc"
				if err := collect(ft, idx, audit || isDoc, out); err != nil {
					return err
				}
				continue
			}
		}
		if !sf.IsExported() || jsonName == "-" || bsonName == "-" {
			continue
		}
		if jsonName == "" {
			jsonName = sf.Name
		}
		if bsonName == "" {
			bsonName = strings.ToLower(sf.Name)
		}
		c := Column{Field: jsonName, Key: bsonName, Header: words(sf.Name), index: idx, rtype: sf.Type}
		base := sf.Type
		if base.Kind() == reflect.Pointer {
			c.Nullable = true
			base = base.Elem()
		}
		typ, ok := typeOf(base)
		elem := base
		if !ok && base.Kind() == reflect.Slice && base.Elem().Kind() == reflect.String {
			typ, ok, elem = List, true, base.Elem()
		}
		if !ok {
			if tag != "" {
				return fmt.Errorf("explorer: field %s: a %v cannot be a column", sf.Name, sf.Type)
			}
			continue
		}
		c.Type = typ
		if typ == List {
			if elem.Implements(enumType) {
				c.Values = reflect.Zero(elem).Interface().(Enumerated).Values()
			} else if vals, ok := oneOf(sf.Tag.Get("validate")); ok {
				c.Values = vals // validate:"dive,oneof=a b"
			}
		} else if base.Implements(enumType) {
			c.Type = Enum
			c.Values = reflect.Zero(base).Interface().(Enumerated).Values()
		} else if vals, ok := oneOf(sf.Tag.Get("validate")); ok && (typ == Text || typ == Number) {
			c.Type = Enum
			c.Values = vals
		}
		if audit && storeDocFields[bsonName] {
			c.Audit = true
			c.Hidden = bsonName == "_id" || bsonName == "created_by" || bsonName == "updated_by"
			if bsonName == "_id" {
				c.Field, c.Header = "id", "ID"
			}
			c.Header = map[string]string{"_id": "ID", "created_at": "Created", "updated_at": "Updated",
				"created_by": "Created by", "updated_by": "Updated by"}[bsonName]
			c.Sortable = bsonName == "created_at" || bsonName == "updated_at" || bsonName == "_id"
		}
		oc := orderedColumn{Column: c, order: 1 << 20, seq: len(*out)}
		if c.Audit {
			oc.order = 1<<20 + 1 // audit columns come last unless ordered
		}
		if err := applyTag(&oc, tag); err != nil {
			return fmt.Errorf("explorer: field %s: %w", sf.Name, err)
		}
		*out = append(*out, oc)
	}
	return nil
}

func typeOf(t reflect.Type) (Type, bool) {
	if t == timeType {
		return Time, true
	}
	switch t.Kind() {
	case reflect.String:
		return Text, true
	case reflect.Bool:
		return Bool, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return Number, true
	}
	return "", false
}

// oneOf returns the values of a validate tag's oneof.
func oneOf(tag string) ([]string, bool) {
	for part := range strings.SplitSeq(tag, ",") {
		if v, ok := strings.CutPrefix(part, "oneof="); ok {
			return strings.Fields(v), true
		}
	}
	return nil, false
}

func applyTag(c *orderedColumn, tag string) error {
	if tag == "" {
		return nil
	}
	readonly := false
	for opt := range strings.SplitSeq(tag, ",") {
		opt = strings.TrimSpace(opt)
		key, val, hasVal := strings.Cut(opt, "=")
		switch key {
		case "":
			continue
		case "label":
			if val == "" {
				return fmt.Errorf("label needs a value")
			}
			c.Header = val
		case "order":
			n, err := strconv.Atoi(val)
			if err != nil {
				return fmt.Errorf("order=%q is not a number", val)
			}
			c.order = n
		case "width":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 || n > 4000 {
				return fmt.Errorf("width=%q is not a width in pixels", val)
			}
			c.Width = n
		case "hidden":
			c.Hidden = true
		case "readonly":
			readonly = true
		case "edit":
			if c.Type == List {
				return fmt.Errorf("a list column cannot be edited inline")
			}
			c.Editable = true
			c.EditPerm = val
		case "sort":
			if c.Type == List {
				return fmt.Errorf("a list column cannot be sorted")
			}
			c.Sortable = true
		case "read":
			if val == "" {
				return fmt.Errorf("read needs a permission")
			}
			c.ReadPerm = val
		case "filter":
			all := opsOf(c.Type)
			if !hasVal {
				c.Ops = all
				continue
			}
			for o := range strings.SplitSeq(val, "|") {
				op := Op(o)
				if !slices.Contains(all, op) {
					return fmt.Errorf("filter operator %q does not apply to a %s column", o, c.Type)
				}
				if !slices.Contains(c.Ops, op) {
					c.Ops = append(c.Ops, op)
				}
			}
		default:
			return fmt.Errorf("unknown explorer tag option %q", key)
		}
	}
	if readonly || c.Audit {
		c.Editable, c.EditPerm = false, ""
	}
	return nil
}

// words turns "CreatedAt" into "Created at".
func words(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && r >= 'A' && r <= 'Z' && (rs[i-1] < 'A' || rs[i-1] > 'Z' || (i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z')) {
			b.WriteByte(' ')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// value returns the field's value in row v (a struct value), dereferencing
// a pointer: nil for a nil pointer, a []string for a list.
func (c *Column) value(v reflect.Value) any {
	f := v.FieldByIndex(c.index)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	if f.Kind() == reflect.Slice {
		out := make([]string, f.Len())
		for i := range out {
			out[i] = f.Index(i).String()
		}
		return out
	}
	return scalar(f)
}

// scalar turns a field value into string, int64, float64, bool or
// time.Time.
func scalar(f reflect.Value) any {
	switch f.Kind() {
	case reflect.String:
		return f.String()
	case reflect.Bool:
		return f.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return f.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := f.Uint()
		if u > math.MaxInt64 {
			return float64(u) // beyond int64: compared as a number
		}
		return int64(u)
	case reflect.Float32, reflect.Float64:
		return f.Float()
	case reflect.Struct:
		if f.Type() == timeType {
			return f.Interface().(time.Time)
		}
	}
	return nil
}

// agType is the column's AG Grid cellDataType.
func (c *Column) agType() string {
	switch c.Type {
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Time:
		return "dateTimeString"
	}
	if c.Type == Enum && c.rtype != nil && (c.rtype.Kind() != reflect.String && !(c.rtype.Kind() == reflect.Pointer && c.rtype.Elem().Kind() == reflect.String)) {
		return "number"
	}
	return "text"
}

// agOps maps our operators to AG Grid's filterOptions.
var agOps = map[Op][]string{
	Eq: {"equals"}, Ne: {"notEqual"}, Lt: {"lessThan"}, Lte: {"lessThanOrEqual"},
	Gt: {"greaterThan"}, Gte: {"greaterThanOrEqual"}, Contains: {"contains", "notContains"},
	StartsWith: {"startsWith"}, IsEmpty: {"blank", "notBlank"},
}

func (c *Column) agFilter() (string, []string) {
	if len(c.Ops) == 0 {
		return "", nil
	}
	var opts []string
	for _, op := range c.Ops {
		opts = append(opts, agOps[op]...)
	}
	if slices.Contains(c.Ops, Gte) && slices.Contains(c.Ops, Lte) {
		opts = append(opts, "inRange")
	}
	switch c.agType() {
	case "number":
		return "agNumberColumnFilter", opts
	case "dateTimeString":
		return "agDateColumnFilter", opts
	}
	return "agTextColumnFilter", opts
}
