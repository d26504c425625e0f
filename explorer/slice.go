package explorer

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

// Slice is an in-memory [Source] and [Editor] over a slice of T, sorted,
// filtered and paged in Go with the semantics of the store: missing (nil)
// values sort first, ties break on the id, Contains ignores case and
// StartsWith does not. The first page of an order sorts an index of the
// rows, kept until the next edit or delete; every page then starts with a
// binary search for its cursor and reads the rows from there until it
// has enough that match.
// Make one with [NewSlice]; it is safe for concurrent use.
type Slice[T any] struct {
	mu    sync.RWMutex
	items []T
	// orders caches a sorted index of the rows per order; any change
	// clears it.
	ordersMu sync.Mutex
	orders   map[string][]int32
	cols     []Column
	by       map[string]*Column
	id       *Column
	now      func() time.Time
}

// NewSlice returns a source over items, which it keeps and changes in
// place on edits and deletes (the caller must not use the slice
// afterwards). T needs an id: an embedded store.Doc or a
// string field with json name "id". When T embeds store.Doc, edits check
// and set updated_at like a store collection.
func NewSlice[T any](items []T) (*Slice[T], error) {
	cols, err := Columns[T]()
	if err != nil {
		return nil, err
	}
	s := &Slice[T]{items: items, cols: cols, by: map[string]*Column{}, now: time.Now}
	for i := range s.cols {
		s.by[s.cols[i].Field] = &s.cols[i]
	}
	if c, ok := s.by["id"]; ok && c.Type == Text {
		s.id = c
	} else {
		return nil, fmt.Errorf("explorer: %T has no id: embed store.Doc or add a string field with json name \"id\"", *new(T))
	}
	return s, nil
}

// Len returns the number of rows.
func (s *Slice[T]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}

type sliceCursor struct {
	V  []any  `json:"v"`
	ID string `json:"id"`
}

// keyOf is a row's sort values and id.
type rowKey struct {
	vals []any
	id   string
	idx  int
}

func (s *Slice[T]) key(rv reflect.Value, sort []Sort, idx int) rowKey {
	cols := make([]*Column, len(sort))
	for i, so := range sort {
		cols[i] = s.by[so.Field]
	}
	k := rowKey{vals: make([]any, len(sort))}
	s.fill(&k, rv, cols, idx)
	return k
}

// fill sets k to row idx's sort values, in place.
func (s *Slice[T]) fill(k *rowKey, rv reflect.Value, cols []*Column, idx int) {
	k.idx = idx
	for i, c := range cols {
		k.vals[i] = c.value(rv)
	}
	k.id = rv.FieldByIndex(s.id.index).String()
}

// compareKeys orders two rows by sort, then the id in the direction of
// the first key.
func compareKeys(a, b rowKey, sort []Sort) int {
	for i, so := range sort {
		c := compareValues(a.vals[i], b.vals[i])
		if so.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	c := strings.Compare(a.id, b.id)
	if len(sort) > 0 && sort[0].Desc {
		c = -c
	}
	return c
}

// compareValues orders nil first, then by value.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch av := a.(type) {
	case string:
		return strings.Compare(av, b.(string))
	case int64:
		switch bv := b.(type) {
		case int64:
			return cmp.Compare(av, bv)
		case float64:
			return cmp.Compare(float64(av), bv)
		}
	case float64:
		switch bv := b.(type) {
		case int64:
			return cmp.Compare(av, float64(bv))
		case float64:
			return cmp.Compare(av, bv)
		}
	case bool:
		bv := b.(bool)
		switch {
		case av == bv:
			return 0
		case !av:
			return -1
		}
		return 1
	case time.Time:
		return av.Compare(b.(time.Time))
	}
	return 0
}

// Page returns one page; see [Source.Page].
func (s *Slice[T]) Page(ctx context.Context, q Query) (Page[T], error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	back := q.Before != ""
	curRaw := q.After
	if back {
		curRaw = q.Before
	}
	var cur *rowKey
	if curRaw != "" {
		var c sliceCursor
		if err := json.Unmarshal([]byte(curRaw), &c); err != nil || len(c.V) != len(q.Sort) {
			return Page[T]{}, ErrBadCursor
		}
		k := rowKey{vals: make([]any, len(c.V)), id: c.ID}
		for i, v := range c.V {
			if v == nil {
				continue
			}
			tv, err := s.by[q.Sort[i].Field].typed(v)
			if err != nil {
				return Page[T]{}, ErrBadCursor
			}
			k.vals[i] = tv
		}
		cur = &k
	}
	order := q.Sort
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Walk the rows in the order's sorted index (made once per order and
	// kept until the next change) from the cursor's position, keeping
	// the first Limit+1 that match.
	k := q.Limit + 1
	best := make([]rowKey, 0, k)
	cols := make([]*Column, len(q.Sort))
	for i, so := range q.Sort {
		cols[i] = s.by[so.Field]
	}
	match := s.matcher(q.Where)
	idx := s.sorted(q.Sort, cols)
	keyAt := func(i int) rowKey {
		rk := rowKey{vals: make([]any, len(cols))}
		s.fill(&rk, reflect.ValueOf(&s.items[idx[i]]).Elem(), cols, int(idx[i]))
		return rk
	}
	take := func(i int) bool {
		rv := reflect.ValueOf(&s.items[idx[i]]).Elem()
		if !match(rv) {
			return false
		}
		rk := rowKey{vals: make([]any, len(cols))}
		s.fill(&rk, rv, cols, int(idx[i]))
		best = append(best, rk)
		return len(best) == k
	}
	if !back {
		start := 0
		if cur != nil {
			start = sort.Search(len(idx), func(i int) bool { return compareKeys(keyAt(i), *cur, order) > 0 })
		}
		for i := start; i < len(idx); i++ {
			if (i-start)%4096 == 4095 && ctx.Err() != nil {
				return Page[T]{}, ctx.Err()
			}
			if take(i) {
				break
			}
		}
	} else {
		end := sort.Search(len(idx), func(i int) bool { return compareKeys(keyAt(i), *cur, order) >= 0 })
		for i := end - 1; i >= 0; i-- {
			if (end-i)%4096 == 4095 && ctx.Err() != nil {
				return Page[T]{}, ctx.Err()
			}
			if take(i) {
				break
			}
		}
	}
	more := len(best) > q.Limit
	if more {
		best = best[:q.Limit]
	}
	if back {
		slices.Reverse(best)
	}
	p := Page[T]{Items: make([]T, len(best))}
	for i, b := range best {
		p.Items[i] = s.items[b.idx]
	}
	if len(best) == 0 {
		return p, nil
	}
	enc := func(k rowKey) string {
		c := sliceCursor{V: make([]any, len(k.vals)), ID: k.id}
		for i, v := range k.vals {
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339Nano)
			}
			c.V[i] = v
		}
		b, _ := json.Marshal(c)
		return string(b)
	}
	first, last := enc(best[0]), enc(best[len(best)-1])
	if back {
		p.Next = last
		if more {
			p.Prev = first
		}
	} else {
		if more {
			p.Next = last
		}
		if q.After != "" {
			p.Prev = first
		}
	}
	return p, nil
}

// sorted returns the rows' indexes in the order of sort (then the id),
// made once per order until the next change. The caller holds s.mu.
func (s *Slice[T]) sorted(order []Sort, cols []*Column) []int32 {
	var b strings.Builder
	for _, o := range order {
		if o.Desc {
			b.WriteByte('-')
		}
		b.WriteString(o.Field)
		b.WriteByte(',')
	}
	spec := b.String()
	s.ordersMu.Lock()
	defer s.ordersMu.Unlock()
	if idx, ok := s.orders[spec]; ok {
		return idx
	}
	// Each row's key, and its first value in a plain form that compares
	// without type switches; equal plain values fall back to the whole key.
	type entry struct {
		key  rowKey
		null bool
		str  string
		num  float64
		n    int64
	}
	es := make([]entry, len(s.items))
	for i := range s.items {
		e := &es[i]
		e.key = rowKey{vals: make([]any, len(cols))}
		s.fill(&e.key, reflect.ValueOf(&s.items[i]).Elem(), cols, i)
		if len(cols) == 0 {
			continue
		}
		switch v := e.key.vals[0].(type) {
		case nil:
			e.null = true
		case string:
			e.str = v
		case int64:
			e.num = float64(v)
		case float64:
			e.num = v
		case bool:
			if v {
				e.n = 1
			}
		case time.Time:
			e.n = v.UnixNano()
		}
	}
	desc := len(order) > 0 && order[0].Desc
	idx := make([]int32, len(es))
	for i := range idx {
		idx[i] = int32(i) //nolint:gosec // a slice source holds fewer than 2^31 rows
	}
	slices.SortFunc(idx, func(ia, ib int32) int {
		a, b := &es[ia], &es[ib]
		if len(cols) > 0 {
			c := 0
			switch {
			case a.null != b.null:
				c = 1
				if a.null {
					c = -1
				}
			case a.str != b.str:
				c = strings.Compare(a.str, b.str)
			case a.num != b.num:
				c = cmp.Compare(a.num, b.num)
			case a.n != b.n:
				c = cmp.Compare(a.n, b.n)
			}
			if c != 0 {
				if desc {
					return -c
				}
				return c
			}
		}
		if len(order) == 1 { // the id breaks the tie, in the first key's direction
			c := strings.Compare(a.key.id, b.key.id)
			if desc {
				return -c
			}
			return c
		}
		return compareKeys(a.key, b.key, order)
	})
	if s.orders == nil || len(s.orders) >= 8 {
		s.orders = map[string][]int32{}
	}
	s.orders[spec] = idx
	return idx
}

// changed forgets the sorted indexes. The caller holds s.mu for writing.
func (s *Slice[T]) changed() {
	s.ordersMu.Lock()
	s.orders = nil
	s.ordersMu.Unlock()
}

// Count counts the rows f matches, up to limit when it is more than 0.
func (s *Slice[T]) Count(ctx context.Context, f Filter, limit int64) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var n int64
	match := s.matcher(f)
	for i := range s.items {
		if i%4096 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		if match(reflect.ValueOf(&s.items[i]).Elem()) {
			n++
			if limit > 0 && n >= limit {
				break
			}
		}
	}
	return n, nil
}

// matcher compiles a checked filter into a predicate on rows, resolving
// its columns once.
func (s *Slice[T]) matcher(f Filter) func(reflect.Value) bool {
	switch f.Kind {
	case All:
		return func(reflect.Value) bool { return true }
	case AndKind, OrKind:
		kids := make([]func(reflect.Value) bool, len(f.Children))
		for i, c := range f.Children {
			kids[i] = s.matcher(c)
		}
		want := f.Kind == OrKind
		return func(rv reflect.Value) bool {
			for _, k := range kids {
				if k(rv) == want {
					return want
				}
			}
			return !want
		}
	case NotKind:
		if len(f.Children) != 1 {
			return func(reflect.Value) bool { return false }
		}
		k := s.matcher(f.Children[0])
		return func(rv reflect.Value) bool { return !k(rv) }
	}
	c := s.by[f.Field]
	if c == nil {
		return func(reflect.Value) bool { return false }
	}
	if c.Type == List {
		return listMatcher(c, f)
	}
	switch f.Op {
	case IsEmpty:
		return func(rv reflect.Value) bool { v := c.value(rv); return v == nil || v == "" }
	case In:
		return func(rv reflect.Value) bool {
			v := c.value(rv)
			for _, w := range f.Values {
				if v != nil && sameKind(v, w) && compareValues(v, w) == 0 {
					return true
				}
			}
			return false
		}
	case Contains:
		needle := strings.ToLower(f.Values[0].(string))
		return func(rv reflect.Value) bool {
			sv, ok := c.value(rv).(string)
			return ok && strings.Contains(strings.ToLower(sv), needle)
		}
	case StartsWith:
		prefix := f.Values[0].(string)
		return func(rv reflect.Value) bool {
			sv, ok := c.value(rv).(string)
			return ok && strings.HasPrefix(sv, prefix)
		}
	}
	w := f.Values[0]
	op := f.Op
	return func(rv reflect.Value) bool {
		v := c.value(rv)
		if v == nil || !sameKind(v, w) {
			return op == Ne // like the store: Ne matches rows without the value
		}
		r := compareValues(v, w)
		switch op {
		case Eq:
			return r == 0
		case Ne:
			return r != 0
		case Lt:
			return r < 0
		case Lte:
			return r <= 0
		case Gt:
			return r > 0
		case Gte:
			return r >= 0
		}
		return false
	}
}

// listMatcher matches a list column the way the store matches an array:
// Eq and In when any element is one of the values, Ne when none is.
func listMatcher(c *Column, f Filter) func(reflect.Value) bool {
	want := make(map[string]bool, len(f.Values))
	for _, v := range f.Values {
		if s, ok := v.(string); ok {
			want[s] = true
		}
	}
	return func(rv reflect.Value) bool {
		vals, _ := c.value(rv).([]string)
		hit := slices.ContainsFunc(vals, func(s string) bool { return want[s] })
		if f.Op == Ne {
			return !hit
		}
		return hit
	}
}

// sameKind reports whether two values compare (numbers with numbers...).
func sameKind(a, b any) bool {
	switch a.(type) {
	case int64, float64:
		switch b.(type) {
		case int64, float64:
			return true
		}
		return false
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b)
}

func (s *Slice[T]) find(id string) int {
	for i := range s.items {
		if v, _ := s.id.value(reflect.ValueOf(&s.items[i]).Elem()).(string); v == id {
			return i
		}
	}
	return -1
}

// Get returns the row with the given id.
func (s *Slice[T]) Get(_ context.Context, id string) (*T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.find(id)
	if i < 0 {
		return nil, fmt.Errorf("explorer: row %q: %w", id, webos.ErrNotFound)
	}
	v := s.items[i]
	return &v, nil
}

// Update applies changes to the row with the given id; see [Editor].
func (s *Slice[T]) Update(_ context.Context, id string, version time.Time, changes []Change) (*T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return nil, fmt.Errorf("explorer: row %q: %w", id, webos.ErrNotFound)
	}
	v := s.items[i]
	if d, ok := any(&v).(store.Document); ok {
		if !d.StoreDoc().UpdatedAt.Equal(version) {
			return &v, ErrStale
		}
		d.StoreDoc().UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	}
	rv := reflect.ValueOf(&v).Elem()
	for _, c := range changes {
		rv.FieldByIndex(c.Column.index).Set(reflect.ValueOf(c.Value))
	}
	s.items[i] = v // pages and Get hand out copies
	s.changed()
	out := v
	return &out, nil
}

// Delete removes the row with the given id.
func (s *Slice[T]) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return fmt.Errorf("explorer: row %q: %w", id, webos.ErrNotFound)
	}
	s.items = slices.Delete(s.items, i, i+1)
	s.changed()
	return nil
}
