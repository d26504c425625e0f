package explorer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos"
)

// Kind is what a [Filter] node is.
type Kind uint8

// Filter node kinds. The zero Kind matches every row.
const (
	All Kind = iota
	Cond
	AndKind
	OrKind
	NotKind
)

// Filter is a typed filter tree: a condition on one column, or an AND, OR
// or NOT of filters. The zero Filter matches every row. Build one with
// [Where], [And], [Or] and [Not], or parse one from AG Grid's filterModel
// ([ParseFilterModel]) or the compact query syntax ([ParseFilter]); a grid
// checks it against its columns and the caller before a source sees it, so
// a source receives only known, readable, filterable columns, allowed
// operators and values of the column's type (string, int64, float64, bool,
// time.Time). Sources compile it with bound values, never into strings.
type Filter struct {
	Kind     Kind
	Field    string // Cond: the column's field
	Op       Op     // Cond: the operator
	Values   []any  // Cond: the operand(s): none for IsEmpty, one or more for In, one otherwise
	Children []Filter
}

// Where is the condition field op values.
func Where(field string, op Op, values ...any) Filter {
	return Filter{Kind: Cond, Field: field, Op: op, Values: values}
}

// And matches rows every filter matches.
func And(fs ...Filter) Filter { return Filter{Kind: AndKind, Children: fs} }

// Or matches rows at least one filter matches.
func Or(fs ...Filter) Filter { return Filter{Kind: OrKind, Children: fs} }

// Not matches rows f does not match.
func Not(f Filter) Filter { return Filter{Kind: NotKind, Children: []Filter{f}} }

// Limits of a filter from user input.
const (
	MaxFilterNodes = 64
	MaxFilterDepth = 8
	MaxInValues    = 100
	MaxValueLen    = 1024
)

// ErrBadFilter is a filter that does not parse or does not fit the grid
// (400).
var ErrBadFilter = fmt.Errorf("%w: filter", webos.ErrBadRequest)

func badFilter(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadFilter, fmt.Sprintf(format, args...))
}

// String returns the filter in the compact query syntax; [ParseFilter]
// reads it back to an equal filter.
func (f Filter) String() string {
	var b strings.Builder
	f.write(&b, 0)
	return b.String()
}

func (f Filter) write(b *strings.Builder, parent Kind) {
	switch f.Kind {
	case All:
		b.WriteString("()")
	case Cond:
		b.WriteString(f.Field)
		b.WriteByte(':')
		b.WriteString(string(f.Op))
		for i, v := range f.Values {
			if i == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(';')
			}
			escape(b, formatValue(v))
		}
	case NotKind:
		b.WriteByte('!')
		if len(f.Children) == 1 {
			f.Children[0].write(b, NotKind)
		}
	case AndKind, OrKind:
		sep := byte(',')
		if f.Kind == OrKind {
			sep = '|'
		}
		paren := parent != 0 || len(f.Children) < 2
		if paren {
			b.WriteByte('(')
		}
		if len(f.Children) == 0 {
			if f.Kind == OrKind {
				b.WriteByte('|')
			} else {
				b.WriteByte(',')
			}
		}
		for i, c := range f.Children {
			if i > 0 {
				b.WriteByte(sep)
			}
			c.write(b, f.Kind)
		}
		if paren {
			b.WriteByte(')')
		}
	}
}

func formatValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

const special = `\,|();`

func escape(b *strings.Builder, s string) {
	for i := range len(s) {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
}

// ParseFilter reads the compact query syntax, as in a URL's
// ?filter=title:contains:tea,(count:gt:3|done:eq:true):
//
//	expr   = term { "|" term }          OR
//	term   = factor { "," factor }      AND
//	factor = "!" factor | "(" expr ")" | field ":" op [ ":" value { ";" value } ]
//
// Operators are eq ne lt lte gt gte in contains startsWith isEmpty; a
// backslash escapes the next character of a value. Values stay strings
// until a grid checks the filter against its columns. The empty string
// is the zero Filter.
func ParseFilter(s string) (Filter, error) {
	if s == "" {
		return Filter{}, nil
	}
	if len(s) > 8192 {
		return Filter{}, badFilter("the filter is too long")
	}
	p := &qparser{s: s}
	f, err := p.expr(0)
	if err != nil {
		return Filter{}, err
	}
	if p.i != len(p.s) {
		return Filter{}, badFilter("unexpected %q at %d", p.s[p.i], p.i)
	}
	return f, checkShape(f)
}

type qparser struct {
	s     string
	i     int
	nodes int
}

func (p *qparser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *qparser) node() error {
	p.nodes++
	if p.nodes > MaxFilterNodes {
		return badFilter("more than %d conditions", MaxFilterNodes)
	}
	return nil
}

func (p *qparser) expr(depth int) (Filter, error) {
	if depth > MaxFilterDepth {
		return Filter{}, badFilter("nested deeper than %d", MaxFilterDepth)
	}
	var terms []Filter
	for {
		t, err := p.term(depth)
		if err != nil {
			return Filter{}, err
		}
		terms = append(terms, t)
		if p.peek() != '|' {
			break
		}
		p.i++
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return Filter{Kind: OrKind, Children: terms}, p.node()
}

func (p *qparser) term(depth int) (Filter, error) {
	var fs []Filter
	for {
		f, err := p.factor(depth)
		if err != nil {
			return Filter{}, err
		}
		fs = append(fs, f)
		if p.peek() != ',' {
			break
		}
		p.i++
	}
	if len(fs) == 1 {
		return fs[0], nil
	}
	return Filter{Kind: AndKind, Children: fs}, p.node()
}

func (p *qparser) factor(depth int) (Filter, error) {
	if err := p.node(); err != nil {
		return Filter{}, err
	}
	switch p.peek() {
	case '!':
		p.i++
		f, err := p.factor(depth + 1)
		if err != nil {
			return Filter{}, err
		}
		return Not(f), nil
	case '(':
		p.i++
		if p.peek() == ')' {
			p.i++
			return Filter{}, nil
		}
		// "(,)" and "(|)" are the empty AND and OR.
		if strings.HasPrefix(p.s[p.i:], ",)") || strings.HasPrefix(p.s[p.i:], "|)") {
			k := AndKind
			if p.s[p.i] == '|' {
				k = OrKind
			}
			p.i += 2
			return Filter{Kind: k, Children: []Filter{}}, nil
		}
		f, err := p.expr(depth + 1)
		if err != nil {
			return Filter{}, err
		}
		if p.peek() != ')' {
			return Filter{}, badFilter("missing ) at %d", p.i)
		}
		p.i++
		return f, nil
	}
	start := p.i
	for p.i < len(p.s) && isFieldByte(p.s[p.i]) {
		p.i++
	}
	field := p.s[start:p.i]
	if field == "" {
		return Filter{}, badFilter("expected a field at %d", start)
	}
	if p.peek() != ':' {
		return Filter{}, badFilter("expected : after %q", field)
	}
	p.i++
	start = p.i
	for p.i < len(p.s) && isFieldByte(p.s[p.i]) {
		p.i++
	}
	op := Op(p.s[start:p.i])
	if !knownOp(op) {
		return Filter{}, badFilter("unknown operator %q", op)
	}
	f := Filter{Kind: Cond, Field: field, Op: op}
	if p.peek() != ':' {
		return f, nil
	}
	p.i++
	for {
		v, err := p.value()
		if err != nil {
			return Filter{}, err
		}
		f.Values = append(f.Values, v)
		if len(f.Values) > MaxInValues {
			return Filter{}, badFilter("more than %d values", MaxInValues)
		}
		if p.peek() != ';' {
			break
		}
		p.i++
	}
	return f, nil
}

func (p *qparser) value() (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '\\' {
			if p.i+1 >= len(p.s) {
				return "", badFilter("a value ends with \\")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		}
		if strings.IndexByte(special, c) >= 0 {
			break
		}
		b.WriteByte(c)
		p.i++
	}
	if b.Len() > MaxValueLen {
		return "", badFilter("a value is longer than %d bytes", MaxValueLen)
	}
	return b.String(), nil
}

func isFieldByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func knownOp(op Op) bool {
	switch op {
	case Eq, Ne, Lt, Lte, Gt, Gte, In, Contains, StartsWith, IsEmpty:
		return true
	}
	return false
}

// checkShape checks the size limits and operand counts of a parsed tree.
func checkShape(f Filter) error {
	nodes := 0
	var walk func(f Filter, depth int) error
	walk = func(f Filter, depth int) error {
		nodes++
		if nodes > MaxFilterNodes {
			return badFilter("more than %d conditions", MaxFilterNodes)
		}
		if depth > MaxFilterDepth+1 {
			return badFilter("nested deeper than %d", MaxFilterDepth)
		}
		switch f.Kind {
		case All:
			return nil
		case Cond:
			return checkOperands(f)
		case NotKind:
			if len(f.Children) != 1 {
				return badFilter("a NOT needs one filter")
			}
		case AndKind, OrKind:
		default:
			return badFilter("unknown node")
		}
		for _, c := range f.Children {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(f, 0)
}

func checkOperands(f Filter) error {
	if !knownOp(f.Op) {
		return badFilter("unknown operator %q", f.Op)
	}
	switch {
	case f.Op == IsEmpty && len(f.Values) != 0:
		return badFilter("%s:%s takes no value", f.Field, f.Op)
	case f.Op == In && (len(f.Values) == 0 || len(f.Values) > MaxInValues):
		return badFilter("%s:in takes 1 to %d values", f.Field, MaxInValues)
	case f.Op != IsEmpty && f.Op != In && len(f.Values) != 1:
		return badFilter("%s:%s takes one value", f.Field, f.Op)
	}
	return nil
}

// agModel is one column's entry in AG Grid's filterModel.
type agModel struct {
	FilterType string          `json:"filterType"`
	Type       string          `json:"type"`
	Filter     json.RawMessage `json:"filter"`
	FilterTo   json.RawMessage `json:"filterTo"`
	DateFrom   *string         `json:"dateFrom"`
	DateTo     *string         `json:"dateTo"`
	Operator   string          `json:"operator"`
	Conditions []agModel       `json:"conditions"`
	Values     []any           `json:"values"`
}

// ParseFilterModel reads AG Grid's filterModel — an object from column id
// to the column's filter, as the grid's getRows request carries it — into
// a [Filter]: the columns' filters joined by AND, a column's two
// conditions by their operator. Text, number and date filters map their
// types equals, notEqual, lessThan, lessThanOrEqual, greaterThan,
// greaterThanOrEqual, contains, notContains, startsWith, blank, notBlank
// and inRange (both ends included); a set filter ({"filterType":"set",
// "values":[...]}) is In. Others (endsWith) are refused. null or {} is
// the zero Filter.
func ParseFilterModel(data []byte) (Filter, error) {
	if len(data) > 64<<10 {
		return Filter{}, badFilter("the filter model is too large")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return Filter{}, badFilter("the filter model is not a JSON object")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []Filter
	for _, col := range keys {
		var am agModel
		if err := json.Unmarshal(m[col], &am); err != nil {
			return Filter{}, badFilter("the filter of %q is malformed", col)
		}
		if !validField(col) {
			return Filter{}, badFilter("bad column %q", col)
		}
		f, err := am.filter(col, 0)
		if err != nil {
			return Filter{}, err
		}
		if f.Kind != All {
			parts = append(parts, f)
		}
	}
	var f Filter
	switch len(parts) {
	case 0:
	case 1:
		f = parts[0]
	default:
		f = And(parts...)
	}
	return f, checkShape(f)
}

func validField(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := range len(s) {
		if !isFieldByte(s[i]) {
			return false
		}
	}
	return true
}

func (am agModel) filter(col string, depth int) (Filter, error) {
	if len(am.Conditions) > 0 || am.Operator != "" {
		if depth > 0 {
			return Filter{}, badFilter("%s: nested conditions", col)
		}
		if len(am.Conditions) > 8 {
			return Filter{}, badFilter("%s: too many conditions", col)
		}
		var kids []Filter
		for _, c := range am.Conditions {
			f, err := c.filter(col, depth+1)
			if err != nil {
				return Filter{}, err
			}
			if f.Kind != All {
				kids = append(kids, f)
			}
		}
		switch strings.ToUpper(am.Operator) {
		case "AND", "":
			return And(kids...), nil
		case "OR":
			return Or(kids...), nil
		}
		return Filter{}, badFilter("%s: operator %q", col, am.Operator)
	}
	if am.FilterType == "set" {
		if len(am.Values) == 0 || len(am.Values) > MaxInValues {
			return Filter{}, badFilter("%s: a set filter takes 1 to %d values", col, MaxInValues)
		}
		vals := make([]any, len(am.Values))
		for i, v := range am.Values {
			sv, err := jsonScalar(v)
			if err != nil {
				return Filter{}, badFilter("%s: %v", col, err)
			}
			vals[i] = sv
		}
		return Where(col, In, vals...), nil
	}
	from, to, err := am.operands(col)
	if err != nil {
		return Filter{}, err
	}
	one := func(op Op) (Filter, error) {
		if from == nil {
			return Filter{}, badFilter("%s: %s needs a value", col, am.Type)
		}
		return Where(col, op, from), nil
	}
	switch am.Type {
	case "equals":
		return one(Eq)
	case "notEqual":
		return one(Ne)
	case "lessThan":
		return one(Lt)
	case "lessThanOrEqual":
		return one(Lte)
	case "greaterThan":
		return one(Gt)
	case "greaterThanOrEqual":
		return one(Gte)
	case "contains":
		return one(Contains)
	case "notContains":
		f, err := one(Contains)
		return Not(f), err
	case "startsWith":
		return one(StartsWith)
	case "blank":
		return Where(col, IsEmpty), nil
	case "notBlank":
		return Not(Where(col, IsEmpty)), nil
	case "inRange":
		if from == nil || to == nil {
			return Filter{}, badFilter("%s: inRange needs two values", col)
		}
		return And(Where(col, Gte, from), Where(col, Lte, to)), nil
	case "empty", "":
		return Filter{}, nil
	}
	return Filter{}, badFilter("%s: filter type %q is not supported", col, am.Type)
}

func (am agModel) operands(col string) (from, to any, err error) {
	if am.DateFrom != nil || am.DateTo != nil || am.FilterType == "date" {
		if am.DateFrom != nil {
			from = *am.DateFrom
		}
		if am.DateTo != nil {
			to = *am.DateTo
		}
		return from, to, nil
	}
	dec := func(raw json.RawMessage) (any, error) {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return jsonScalar(v)
	}
	if from, err = dec(am.Filter); err != nil {
		return nil, nil, badFilter("%s: %v", col, err)
	}
	if to, err = dec(am.FilterTo); err != nil {
		return nil, nil, badFilter("%s: %v", col, err)
	}
	return from, to, nil
}

func jsonScalar(v any) (any, error) {
	switch v := v.(type) {
	case string:
		if len(v) > MaxValueLen {
			return nil, fmt.Errorf("a value is longer than %d bytes", MaxValueLen)
		}
		return v, nil
	case float64, bool:
		return v, nil
	}
	return nil, errors.New("a filter value must be a string, number or boolean")
}

// typed converts a parsed value to the column's type.
func (c *Column) typed(v any) (any, error) {
	switch c.Type {
	case Text:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case List:
		s, ok := v.(string)
		if ok && (len(c.Values) == 0 || slices.Contains(c.Values, s)) {
			return s, nil
		}
		if ok {
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(c.Values, ", "))
		}
	case Enum:
		if c.agType() == "number" {
			return numberOf(v)
		}
		s, ok := v.(string)
		if ok && slices.Contains(c.Values, s) {
			return s, nil
		}
		if ok {
			return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(c.Values, ", "))
		}
	case Number:
		return numberOf(v)
	case Bool:
		switch v {
		case true, "true":
			return true, nil
		case false, "false":
			return false, nil
		}
		return nil, errors.New("must be true or false")
	case Time:
		s, ok := v.(string)
		if !ok {
			return nil, errors.New("must be a date")
		}
		return parseTime(s)
	}
	return nil, fmt.Errorf("a %T does not fit a %s column", v, c.Type)
}

func numberOf(v any) (any, error) {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("must be a finite number")
		}
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), nil
		}
		return v, nil
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		return f, nil
	}
	return nil, errors.New("must be a number")
}

// timeLayouts are the forms a time is read in: RFC 3339, AG Grid's date
// filter ("2006-01-02 15:04:05"), an <input type=datetime-local> and a
// date alone. Times without a zone are UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use 2006-01-02 or RFC 3339)", s)
}
