package sqlite

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/webos-go/webos/store/internal/query"
)

// quoteIdent quotes an SQL identifier, doubling any double quote in it.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// pathCache maps a dotted field name to its quoted JSON path literal, for
// up to maxPaths names.
var (
	pathCache sync.Map // string -> string
	paths     atomic.Int32
)

const maxPaths = 4096

// pathLiteral returns the SQL string literal of the JSON path of the dotted
// field name, e.g. '$.meta.color'. Segments made of anything but
// [A-Za-z0-9_] are quoted as JSON strings, which SQLite's path syntax
// accepts.
func pathLiteral(field string) (string, error) {
	if v, ok := pathCache.Load(field); ok {
		return v.(string), nil
	}
	if field == "" || strings.IndexByte(field, 0) >= 0 {
		return "", fmt.Errorf("%w: invalid field name %q", query.ErrBadRequest, field)
	}
	var b []byte
	b = append(b, '$')
	for _, seg := range strings.Split(field, ".") {
		if seg == "" {
			return "", fmt.Errorf("%w: invalid field name %q", query.ErrBadRequest, field)
		}
		b = append(b, '.')
		if simpleSegment(seg) {
			b = append(b, seg...)
		} else {
			b = appendJSONString(b, seg)
		}
	}
	// A quote in a segment doubles inside the SQL literal.
	lit := "'" + strings.ReplaceAll(string(b), "'", "''") + "'"
	if paths.Load() < maxPaths {
		paths.Add(1)
		pathCache.Store(field, lit)
	}
	return lit, nil
}

func simpleSegment(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// field is the SQL form of one document field.
type field struct {
	id   bool   // the _id field: the id column
	path string // the JSON path literal
}

func newField(name string) (field, error) {
	if name == "_id" {
		return field{id: true}, nil
	}
	p, err := pathLiteral(name)
	return field{path: p}, err
}

// value is the expression of the field's value: exactly the text used in
// CREATE INDEX, so that the planner can match the two.
func (f field) value() string {
	if f.id {
		return "id"
	}
	return "json_extract(doc," + f.path + ")"
}

// typ is the expression of the field's JSON type: NULL when the field is
// missing, else 'null', 'true', 'false', 'integer', 'real', 'text',
// 'array' or 'object'.
func (f field) typ() string {
	if f.id {
		return "'text'"
	}
	return "json_type(doc," + f.path + ")"
}

// builder accumulates SQL text and its bound arguments.
type builder struct {
	sb   strings.Builder
	args []any
}

func (b *builder) w(s ...string) {
	for _, x := range s {
		b.sb.WriteString(x)
	}
}

func (b *builder) arg(v any) {
	b.sb.WriteByte('?')
	b.args = append(b.args, v)
}

func badf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{query.ErrBadRequest}, a...)...)
}

// where writes the SQL condition of the filter n. A condition may evaluate
// to NULL, which WHERE treats as false; Not therefore uses IS NOT TRUE.
func (b *builder) where(n query.Node) error {
	switch n.Op {
	case query.All:
		b.w("1")
	case query.None:
		b.w("0")
	case query.And, query.Or:
		if len(n.Children) == 0 {
			if n.Op == query.And {
				b.w("1")
			} else {
				b.w("0")
			}
			return nil
		}
		sep := " AND "
		if n.Op == query.Or {
			sep = " OR "
		}
		b.w("(")
		for i, c := range n.Children {
			if i > 0 {
				b.w(sep)
			}
			if err := b.where(c); err != nil {
				return err
			}
		}
		b.w(")")
	case query.Not:
		if len(n.Children) != 1 {
			return badf("not needs one child, has %d", len(n.Children))
		}
		b.w("((")
		if err := b.where(n.Children[0]); err != nil {
			return err
		}
		b.w(") IS NOT TRUE)")
	case query.Seek:
		_, err := b.seek(n, false)
		return err
	default:
		return b.leaf(n)
	}
	return nil
}

// typeGuard returns the condition that the JSON type t belongs to the type
// class of a value of kind k (MongoDB's type bracketing). For booleans the
// exact value is given by x.
func typeGuard(t string, k kind, x any, exact bool) string {
	switch k {
	case kNumber:
		return t + " IN ('integer','real')"
	case kBool:
		if exact {
			if x == int64(1) {
				return t + " = 'true'"
			}
			return t + " = 'false'"
		}
		return t + " IN ('true','false')"
	default:
		return t + " = 'text'"
	}
}

var cmpOps = map[query.Op]string{query.Lt: " < ", query.Lte: " <= ", query.Gt: " > ", query.Gte: " >= "}

// leaf writes a leaf operator.
func (b *builder) leaf(n query.Node) error {
	f, err := newField(n.Field)
	if err != nil {
		return err
	}
	if f.id {
		return b.idLeaf(n)
	}
	switch n.Op {
	case query.Exists:
		want, ok := n.Value.(bool)
		if !ok {
			return badf("exists needs a bool, not %T", n.Value)
		}
		if want {
			b.w(f.typ(), " IS NOT NULL")
		} else {
			b.w(f.typ(), " IS NULL")
		}
		return nil
	case query.Ne:
		b.w("(")
		if err := b.leaf(query.Node{Op: query.Eq, Field: n.Field, Array: n.Array, Value: n.Value}); err != nil {
			return err
		}
		b.w(" IS NOT TRUE)")
		return nil
	case query.Nin:
		if len(n.Values) == 0 {
			b.w("1")
			return nil
		}
		b.w("(")
		if err := b.leaf(query.Node{Op: query.In, Field: n.Field, Array: n.Array, Values: n.Values}); err != nil {
			return err
		}
		b.w(" IS NOT TRUE)")
		return nil
	}
	if !n.Array {
		_, err := b.match(n, f.value(), f.typ())
		return err
	}
	// Any element of the array (or the value itself when it is not an
	// array) matches; a missing field matches where null does.
	var inner builder
	inner.args = b.args
	matchesNull, err := inner.match(n, "j.value", "j.type")
	if err != nil {
		return err
	}
	b.args = inner.args
	if matchesNull {
		b.w("(", f.typ(), " IS NULL OR ")
	}
	b.w("EXISTS (SELECT 1 FROM json_each(doc,", f.path, ") AS j WHERE ", inner.sb.String(), ")")
	if matchesNull {
		b.w(")")
	}
	return nil
}

// match writes the condition that the value expression e (with JSON type
// expression t) matches the leaf n; it reports whether the condition
// matches a null value (so that a missing field should match too).
func (b *builder) match(n query.Node, e, t string) (matchesNull bool, err error) {
	switch n.Op {
	case query.Eq:
		v, k, err := sqlValue(n.Value)
		if err != nil {
			return false, err
		}
		if k == kNull {
			b.w(e, " IS NULL")
			return true, nil
		}
		b.w("(", e, " = ")
		b.arg(v)
		b.w(" AND ", typeGuard(t, k, v, true), ")")
	case query.Lt, query.Lte, query.Gt, query.Gte:
		v, k, err := sqlValue(n.Value)
		if err != nil {
			return false, err
		}
		if k == kNull {
			if n.Op == query.Lte || n.Op == query.Gte {
				b.w(e, " IS NULL")
				return true, nil
			}
			b.w("0")
			return false, nil
		}
		b.w("(", e, cmpOps[n.Op])
		b.arg(v)
		b.w(" AND ", typeGuard(t, k, v, false), ")")
	case query.In:
		return b.in(n.Values, e, t)
	case query.Prefix:
		s, ok := n.Value.(string)
		if !ok {
			return false, badf("prefix needs a string, not %T", n.Value)
		}
		if s == "" {
			b.w(t, " = 'text'")
			return false, nil
		}
		b.w("(", e, " >= ")
		b.arg(s)
		if hi, ok := prefixEnd(s); ok {
			b.w(" AND ", e, " < ")
			b.arg(hi)
		}
		b.w(" AND ", t, " = 'text')")
	case query.Contains:
		s, ok := n.Value.(string)
		if !ok {
			return false, badf("contains needs a string, not %T", n.Value)
		}
		b.w("(", t, " = 'text' AND ", containsFunc, "(", e, ",")
		b.arg(s)
		b.w("))")
	default:
		return false, badf("unknown operator %d", n.Op)
	}
	return false, nil
}

// in writes the condition that e equals one of values.
func (b *builder) in(values []any, e, t string) (matchesNull bool, err error) {
	if len(values) == 0 {
		b.w("0")
		return false, nil
	}
	var plain, bools []any
	var types [4]bool
	for _, x := range values {
		v, k, err := sqlValue(x)
		if err != nil {
			return false, err
		}
		switch k {
		case kNull:
			matchesNull = true
		case kBool:
			bools = append(bools, v)
		default:
			plain = append(plain, v)
			types[k] = true
		}
	}
	terms := 0
	or := func() {
		if terms > 0 {
			b.w(" OR ")
		}
		terms++
	}
	b.w("(")
	if matchesNull {
		or()
		b.w(e, " IS NULL")
	}
	if len(plain) > 0 {
		or()
		b.list(e, plain)
		switch {
		case types[kNumber] && types[kString]:
			b.w(" AND ", t, " IN ('integer','real','text'))")
		case types[kNumber]:
			b.w(" AND ", t, " IN ('integer','real'))")
		default:
			b.w(" AND ", t, " = 'text')")
		}
	}
	if len(bools) > 0 {
		or()
		b.list(e, bools)
		var hasT, hasF bool
		for _, v := range bools {
			if v == int64(1) {
				hasT = true
			} else {
				hasF = true
			}
		}
		switch {
		case hasT && hasF:
			b.w(" AND ", t, " IN ('true','false'))")
		case hasT:
			b.w(" AND ", t, " = 'true')")
		default:
			b.w(" AND ", t, " = 'false')")
		}
	}
	b.w(")")
	return matchesNull, nil
}

// list writes "(e IN (?, ...)" or "(e = ?" for one value; the caller closes
// the parenthesis.
func (b *builder) list(e string, vals []any) {
	if len(vals) == 1 {
		b.w("(", e, " = ")
		b.arg(vals[0])
		return
	}
	b.w("(", e, " IN (")
	for i, v := range vals {
		if i > 0 {
			b.w(",")
		}
		b.arg(v)
	}
	b.w(")")
}

// prefixEnd returns the smallest string greater than every string that
// starts with s (byte order, as SQLite compares text), if there is one.
func prefixEnd(s string) (string, bool) {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// idLeaf writes a leaf on _id, the id column (always a string, never null).
func (b *builder) idLeaf(n query.Node) error {
	str := func(v any) (any, bool, error) {
		x, k, err := sqlValue(v)
		return x, k == kString, err
	}
	switch n.Op {
	case query.Exists:
		want, ok := n.Value.(bool)
		if !ok {
			return badf("exists needs a bool, not %T", n.Value)
		}
		if want {
			b.w("1")
		} else {
			b.w("0")
		}
	case query.Eq, query.Ne, query.Lt, query.Lte, query.Gt, query.Gte:
		v, ok, err := str(n.Value)
		if err != nil {
			return err
		}
		if !ok {
			if n.Op == query.Ne {
				b.w("1")
			} else {
				b.w("0")
			}
			return nil
		}
		op := map[query.Op]string{query.Eq: "id = ", query.Ne: "id <> ", query.Lt: "id < ", query.Lte: "id <= ", query.Gt: "id > ", query.Gte: "id >= "}[n.Op]
		b.w(op)
		b.arg(v)
	case query.In, query.Nin:
		var vals []any
		for _, x := range n.Values {
			v, ok, err := str(x)
			if err != nil {
				return err
			}
			if ok {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if n.Op == query.In {
				b.w("0")
			} else {
				b.w("1")
			}
			return nil
		}
		if n.Op == query.In {
			b.w("id IN (")
		} else {
			b.w("id NOT IN (")
		}
		for i, v := range vals {
			if i > 0 {
				b.w(",")
			}
			b.arg(v)
		}
		b.w(")")
	case query.Prefix:
		s, ok := n.Value.(string)
		if !ok {
			return badf("prefix needs a string, not %T", n.Value)
		}
		if s == "" {
			b.w("1")
			return nil
		}
		b.w("(id >= ")
		b.arg(s)
		if hi, ok := prefixEnd(s); ok {
			b.w(" AND id < ")
			b.arg(hi)
		}
		b.w(")")
	case query.Contains:
		s, ok := n.Value.(string)
		if !ok {
			return badf("contains needs a string, not %T", n.Value)
		}
		b.w(containsFunc, "(id,")
		b.arg(s)
		b.w(")")
	default:
		return badf("unknown operator %d", n.Op)
	}
	return nil
}

// seek writes the keyset condition n: the sort tuple comes strictly after
// n.Values in the order n.Keys, with SQLite's order (NULL first ascending,
// last descending; numbers before text), which is also the ORDER BY order.
//
// When the first key is descending and its value is not null, the
// documents whose first key is null come after every other one. With split
// false they are included by an OR term; with split true they are left out
// and nullKey returns the first key's expression, so that the caller can
// read them with a second, index-driven query. Either way the main
// condition starts with a plain range on the first key, which the planner
// drives from an index.
func (b *builder) seek(n query.Node, split bool) (nullKey string, err error) {
	if len(n.Keys) == 0 || len(n.Keys) != len(n.Values) {
		return "", badf("seek needs as many values as keys")
	}
	fields := make([]field, len(n.Keys))
	vals := make([]any, len(n.Keys))
	for i, k := range n.Keys {
		if fields[i], err = newField(k.Field); err != nil {
			return "", err
		}
		v, _, err := sqlValue(n.Values[i])
		if err != nil {
			return "", err
		}
		vals[i] = v
	}
	first := fields[0]
	desc := n.Keys[0].Desc
	if desc && vals[0] != nil && !first.id {
		nullKey = first.value()
	}
	if nullKey != "" && !split {
		b.w("(")
	}
	// Not a row value comparison: SQLite cannot drive an expression
	// index range from one.
	b.seekExpand(n.Keys, fields, vals, true)
	if nullKey != "" && !split {
		b.w(" OR ", nullKey, " IS NULL)")
	}
	return nullKey, nil
}

// seekTies writes the part j of a seek read tie group by tie group (see
// findSQL): keys 0…j-1 equal to their values and key j after its value —
// for a descending key other than the id, its nulls too, except on the
// first key, whose nulls the caller reads last.
func (b *builder) seekTies(n query.Node, j int) error {
	for i := 0; i <= j; i++ {
		f, err := newField(n.Keys[i].Field)
		if err != nil {
			return err
		}
		v, _, err := sqlValue(n.Values[i])
		if err != nil {
			return err
		}
		e := f.value()
		if i < j {
			b.w(e, " = ")
			b.arg(v)
			b.w(" AND ")
			continue
		}
		op := " > "
		if n.Keys[i].Desc {
			op = " < "
		}
		if n.Keys[i].Desc && !f.id && i > 0 {
			b.w("(", e, op)
			b.arg(v)
			b.w(" OR ", e, " IS NULL)")
		} else {
			b.w(e, op)
			b.arg(v)
		}
	}
	return nil
}

// seekExpand writes the expanded form of the keyset condition: k1 after v1,
// or k1 = v1 and the rest after.
func (b *builder) seekExpand(keys []query.SortKey, fields []field, vals []any, top bool) {
	e := fields[0].value()
	v := vals[0]
	desc := keys[0].Desc
	last := len(keys) == 1
	nullable := !fields[0].id
	switch {
	case v == nil && !desc:
		// After null: every non-null value, or null and the rest after.
		b.w("(", e, " IS NOT NULL")
		if !last {
			b.w(" OR (", e, " IS NULL AND ")
			b.seekExpand(keys[1:], fields[1:], vals[1:], false)
			b.w(")")
		}
		b.w(")")
	case v == nil:
		// Descending, nothing comes after null but null with the rest after.
		if last {
			b.w("0")
			return
		}
		b.w("(", e, " IS NULL AND ")
		b.seekExpand(keys[1:], fields[1:], vals[1:], false)
		b.w(")")
	default:
		op, opEq := " > ", " >= "
		if desc {
			op, opEq = " < ", " <= "
		}
		if top && !last {
			// A plain range the planner can drive an index scan from.
			b.w("(", e, opEq)
			b.arg(v)
			b.w(" AND ")
		}
		b.w("(", e, op)
		b.arg(v)
		if desc && nullable && !top {
			b.w(" OR ", e, " IS NULL")
		}
		if !last {
			b.w(" OR (", e, " = ")
			b.arg(v)
			b.w(" AND ")
			b.seekExpand(keys[1:], fields[1:], vals[1:], false)
			b.w(")")
		}
		b.w(")")
		if top && !last {
			b.w(")")
		}
	}
}

// orderBy writes the ORDER BY clause of sort.
func (b *builder) orderBy(sort []query.SortKey) error {
	for i, k := range sort {
		f, err := newField(k.Field)
		if err != nil {
			return err
		}
		if i == 0 {
			b.w(" ORDER BY ")
		} else {
			b.w(", ")
		}
		b.w(f.value())
		if k.Desc {
			b.w(" DESC")
		}
	}
	return nil
}

// indexStatements returns the CREATE INDEX statements of idx on table.
//
// A unique index is one UNIQUE index on the key expressions plus, because
// SQLite's UNIQUE treats NULLs as distinct where MongoDB treats a missing
// or null key as one value, a small partial UNIQUE index for each set of
// keys that can be null together (over the rows where those keys are
// null). A non-unique index gets the id column appended, so that ORDER BY
// keys..., id is served by it; Sparse is ignored for it (it changes no
// result, and a partial index could not serve unfiltered sorts).
func indexStatements(table string, idx query.Index) ([]string, error) {
	if idx.Name == "" || strings.IndexByte(idx.Name, 0) >= 0 || strings.IndexByte(table, 0) >= 0 {
		return nil, badf("invalid index name %q", idx.Name)
	}
	if len(idx.Keys) == 0 {
		return nil, badf("index %q has no keys", idx.Name)
	}
	if len(idx.Array) != 0 && len(idx.Array) != len(idx.Keys) {
		return nil, badf("index %q: Array has %d entries for %d keys", idx.Name, len(idx.Array), len(idx.Keys))
	}
	keys := idx.Keys
	for i := range keys {
		if len(idx.Array) > 0 && idx.Array[i] {
			if idx.Unique {
				return nil, badf("index %q: a unique index on an array field is not supported", idx.Name)
			}
			// An expression index cannot index array elements: keep the
			// keys before the first array field.
			keys = keys[:i]
			break
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	fields := make([]field, len(keys))
	for i, k := range keys {
		f, err := newField(k.Field)
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	name := table + "__" + idx.Name
	on := " ON " + quoteIdent(table) + "("
	var cols strings.Builder
	for i, f := range fields {
		if i > 0 {
			cols.WriteString(", ")
		}
		cols.WriteString(f.value())
		if keys[i].Desc {
			cols.WriteString(" DESC")
		}
	}
	if !idx.Unique {
		if !fields[len(fields)-1].id {
			cols.WriteString(", id")
			if keys[len(keys)-1].Desc {
				cols.WriteString(" DESC")
			}
		}
		return []string{"CREATE INDEX IF NOT EXISTS " + quoteIdent(name) + on + cols.String() + ")"}, nil
	}
	stmts := []string{"CREATE UNIQUE INDEX IF NOT EXISTS " + quoteIdent(name) + on + cols.String() + ")"}
	var nullable []int
	for i, f := range fields {
		if !f.id {
			nullable = append(nullable, i)
		}
	}
	if len(nullable) > 4 {
		// 2^k partial indexes would be too many: documents lacking some of
		// these keys are not constrained against each other.
		return stmts, nil
	}
	var present string
	if idx.Sparse {
		var p []string
		for _, f := range fields {
			if !f.id {
				p = append(p, f.typ()+" IS NOT NULL")
			}
		}
		present = " AND (" + strings.Join(p, " OR ") + ")"
	}
	for set := 1; set < 1<<len(nullable); set++ {
		isNull := map[int]bool{}
		var conds []string
		for j, i := range nullable {
			if set&(1<<j) != 0 {
				isNull[i] = true
				conds = append(conds, fields[i].value()+" IS NULL")
			}
		}
		var c []string
		for i, f := range fields {
			if !isNull[i] {
				c = append(c, f.value())
			}
		}
		if len(c) == 0 {
			c = append(c, "("+fields[nullable[0]].value()+" IS NULL)")
		}
		stmts = append(stmts, fmt.Sprintf("CREATE UNIQUE INDEX IF NOT EXISTS %s%s%s) WHERE %s%s",
			quoteIdent(fmt.Sprintf("%s__n%d", name, set)), on, strings.Join(c, ", "), strings.Join(conds, " AND "), present))
	}
	return stmts, nil
}
