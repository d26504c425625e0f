package explorer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// task is the row type of the grid tests: a sortable, filterable column of
// each type, with many ties.
type task struct {
	store.Doc `bson:",inline"`
	Title     string     `bson:"title" json:"title" validate:"required,max=40" explorer:"sort,filter,edit"`
	Rank      int        `bson:"rank" json:"rank" validate:"min=0,max=1000" explorer:"sort,filter,edit"`
	Score     float64    `bson:"score" json:"score" explorer:"sort,filter"`
	Done      bool       `bson:"done" json:"done" explorer:"sort,filter,edit"`
	Due       time.Time  `bson:"due" json:"due" explorer:"sort,filter,edit"`
	Seen      *time.Time `bson:"seen,omitempty" json:"seen,omitempty" explorer:"filter"`
	Status    string     `bson:"status" json:"status" validate:"oneof=open closed" explorer:"sort,filter,edit"`
	Note      string     `bson:"note" json:"note" explorer:"filter"`
	Secret    string     `bson:"secret" json:"secret" explorer:"read=tasks.secret,sort,filter"`
	Labels    []string   `bson:"labels" json:"labels" validate:"dive,oneof=red green blue" explorer:"filter"`
}

// perms is an Authorizer: a signed-in user holds the permissions listed
// for them.
type perms map[string][]string

func (p perms) Authorize(ctx context.Context, perm string) error {
	u := identity.ID(ctx)
	if u == "" {
		return webos.ErrUnauthorized
	}
	if perm == "" || slices.Contains(p[u], perm) {
		return nil
	}
	return webos.ErrForbidden
}

func as(user string) context.Context {
	return identity.With(context.Background(), identity.Subject(user))
}

var base = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// makeTask is row i of a data set, with ties in every column.
func makeTask(i int) task {
	t := task{
		Title: fmt.Sprintf("task %03d", i%300), Rank: i % 7, Score: float64(i%11) / 4, Done: i%2 == 0,
		Due: base.Add(time.Duration(i%50) * time.Hour), Status: []string{"open", "closed"}[i%2],
		Note: []string{"", "Tea time", "coffee", "green TEA"}[i%4], Secret: fmt.Sprintf("s%d", i%5),
		Labels: [][]string{nil, {"red"}, {"green", "blue"}, {"blue", "red"}, {}}[i%5],
	}
	if i%3 == 0 {
		s := base.Add(time.Duration(i) * time.Minute)
		t.Seen = &s
	}
	return t
}

var sortable = []string{"title", "rank", "score", "done", "due", "status", "created_at", "updated_at", "id"}

// pageAll pages through every row forward, then backward from the end, and
// checks that each row comes exactly once, in order, both ways.
func pageAll(t *testing.T, ctx context.Context, g *Grid[task], sort []Sort, where Filter, limit, want int) []task {
	t.Helper()
	var fwd []task
	req := Request{Sort: sort, Where: where, Limit: limit}
	var last *Result[task]
	for range want/limit + 2 {
		res, err := g.Page(ctx, req)
		if err != nil {
			t.Fatalf("page %v: %v", sort, err)
		}
		fwd = append(fwd, res.Rows...)
		last = res
		if res.Next == "" {
			break
		}
		req.After = res.Next
	}
	if last.Next != "" {
		t.Fatalf("sort %v filter %v: paging did not end after %d rows", sort, where, len(fwd))
	}
	if len(fwd) != want {
		t.Fatalf("sort %v: %d rows forward, want %d", sort, len(fwd), want)
	}
	seen := map[string]bool{}
	for i := range fwd {
		if fwd[i].CreatedBy != identity.ID(ctx) {
			t.Fatalf("sort %v: a row of %q appears", sort, fwd[i].CreatedBy)
		}
		if seen[fwd[i].ID] {
			t.Fatalf("sort %v: row %s twice", sort, fwd[i].ID)
		}
		seen[fwd[i].ID] = true
		if i > 0 && orderOf(&fwd[i-1], &fwd[i], sort) > 0 {
			t.Fatalf("sort %v: rows %d and %d out of order: %+v / %+v", sort, i-1, i, fwd[i-1], fwd[i])
		}
	}
	// Backward from the last page.
	var back []task
	req.After, req.Before = "", last.Prev
	if want <= limit {
		return fwd
	}
	back = append(back, last.Rows...)
	for range want/limit + 2 {
		if req.Before == "" {
			break
		}
		res, err := g.Page(ctx, req)
		if err != nil {
			t.Fatalf("page back %v: %v", sort, err)
		}
		back = append(slices.Clone(res.Rows), back...)
		req.Before = res.Prev
	}
	if len(back) != want {
		t.Fatalf("sort %v: %d rows backward, want %d", sort, len(back), want)
	}
	for i := range back {
		if back[i].ID != fwd[i].ID {
			t.Fatalf("sort %v: backward row %d is %s, forward %s", sort, i, back[i].ID, fwd[i].ID)
		}
	}
	return fwd
}

// orderOf compares two rows as the grid orders them.
func orderOf(a, b *task, sort []Sort) int {
	s := orderSlice
	ka := s.key(reflectValue(a), sort, 0)
	kb := s.key(reflectValue(b), sort, 0)
	return compareKeys(ka, kb, sort)
}

// orderSlice compares rows for orderOf.
var orderSlice = func() *Slice[task] {
	s, err := NewSlice[task](nil)
	if err != nil {
		panic(err)
	}
	return s
}()

// source opens a grid's source on one engine.
type engine struct {
	name string
	open func(t *testing.T, rows map[string]int) Source[task]
}

func sliceEngine() engine {
	return engine{name: "slice", open: func(t *testing.T, rows map[string]int) Source[task] {
		var items []task
		n := 0
		for _, user := range slices.Sorted(mapsKeys(rows)) {
			for i := range rows[user] {
				it := makeTask(i)
				it.ID = fmt.Sprintf("%s-%06d", user, i)
				it.CreatedBy, it.UpdatedBy = user, user
				it.CreatedAt = base.Add(time.Duration(i/10) * time.Millisecond)
				it.UpdatedAt = it.CreatedAt
				items = append(items, it)
				n++
			}
		}
		s, err := NewSlice(items)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}}
}

func mapsKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var taskIndexes = func() []store.Index {
	var ix []store.Index
	for _, f := range []string{"title", "rank", "score", "done", "due", "status", "created_at", "updated_at"} {
		ix = append(ix, store.Index{Keys: []string{"created_by", f}})
	}
	return ix
}()

func fill(t *testing.T, db *store.DB, rows map[string]int) *store.Owned[task] {
	t.Helper()
	c := store.NewOwned[task](db, "tasks", taskIndexes...)
	if err := c.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	for user, n := range rows {
		ctx := as(user)
		for i := range n {
			it := makeTask(i)
			if err := c.Insert(ctx, &it); err != nil {
				t.Fatal(err)
			}
		}
	}
	return c
}

func sqliteEngine() engine {
	return engine{name: "sqlite", open: func(t *testing.T, rows map[string]int) Source[task] {
		db, err := store.OpenSQLite(filepath.Join(t.TempDir(), "grid.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close(context.Background()) })
		src, err := NewOwned(fill(t, db, rows))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}}
}

func mongoEngine() engine {
	return engine{name: "ferretdb", open: func(t *testing.T, rows map[string]int) Source[task] {
		url := testenv.MongoURL(t)
		ctx := context.Background()
		db, err := store.ConnectMongo(ctx, url, testenv.DatabaseName("t_explorer"), store.WithTimeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Drop(ctx); _ = db.Close(ctx) })
		src, err := NewOwned(fill(t, db, rows))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}}
}

func newGrid(t testing.TB, src Source[task]) *Grid[task] {
	t.Helper()
	g, err := New(src, Config{Name: "tasks", Access: perms{"alice": {"tasks.secret"}}, Deletable: true, PageSize: 20, CountBudget: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSlicePaging pages through a slice source on every sortable column,
// both ways, with ties.
func TestSlicePaging(t *testing.T) {
	g := newGrid(t, sliceEngine().open(t, map[string]int{"alice": 500}))
	testPaging(t, g, 500, 37)
}

func testPaging(t *testing.T, g *Grid[task], n, limit int) {
	testPagingOn(t, g, n, limit, sortable)
}

func testPagingOn(t *testing.T, g *Grid[task], n, limit int, fields []string) {
	ctx := as("alice")
	for _, f := range fields {
		for _, desc := range []bool{false, true} {
			pageAll(t, ctx, g, []Sort{{Field: f, Desc: desc}}, Filter{}, limit, n)
		}
	}
	pageAll(t, ctx, g, []Sort{{Field: "status"}, {Field: "rank", Desc: true}}, Filter{}, limit, n)
	pageAll(t, ctx, g, []Sort{}, Filter{}, limit, n)
}

func TestRefusals(t *testing.T) {
	g := newGrid(t, sliceEngine().open(t, map[string]int{"alice": 30}))
	testRefusals(t, g)
}

func testRefusals(t *testing.T, g *Grid[task]) {
	alice, bob := as("alice"), as("bob")
	// bob may not read the secret column: no sort, no filter on it, and it
	// is not in his columns.
	if _, err := g.Page(bob, Request{Sort: []Sort{{Field: "secret"}}}); webos.StatusOf(err) != 400 {
		t.Errorf("sort on unreadable column: %v", err)
	}
	if _, err := g.Page(bob, Request{Where: Where("secret", Eq, "s1")}); webos.StatusOf(err) != 400 {
		t.Errorf("filter on unreadable column: %v", err)
	}
	if _, err := g.Page(alice, Request{Where: Where("secret", Eq, "s1")}); err != nil {
		t.Errorf("alice's filter on secret: %v", err)
	}
	cols, _ := g.Columns(bob)
	if slices.ContainsFunc(cols, func(c Column) bool { return c.Field == "secret" }) {
		t.Error("bob sees the secret column")
	}
	if row := g.Row(bob, &task{Secret: "x"}); row["secret"] != nil {
		t.Errorf("bob's row carries the secret: %v", row)
	}
	for name, req := range map[string]Request{
		"not sortable":   {Sort: []Sort{{Field: "note"}}},
		"unknown column": {Where: Where("nope", Eq, "x")},
		"op not allowed": {Where: Where("rank", Contains, "1")},
		"bad number":     {Where: Where("rank", Eq, "one")},
		"bad enum":       {Where: Where("status", Eq, "maybe")},
		"bad date":       {Where: Where("due", Gt, "yesterday")},
		"negative limit": {Limit: -1},
		"two cursors":    {After: "a", Before: "b"},
	} {
		if _, err := g.Page(alice, req); webos.StatusOf(err) != 400 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Cursors: tampered, of another filter, order or user → 400.
	res, err := g.Page(alice, Request{Sort: []Sort{{Field: "rank"}}, Limit: 5})
	if err != nil || res.Next == "" {
		t.Fatalf("first page: %v", err)
	}
	body, sig, _ := strings.Cut(res.Next, ".")
	tampered := []string{
		base64.RawURLEncoding.EncodeToString([]byte(`{"v":[6],"id":"zzz"}`)) + "." + sig,
		body + "." + flip(sig),
		"x" + res.Next,
		body,
		res.Next[:len(res.Next)-1],
	}
	for _, c := range tampered {
		if _, err := g.Page(alice, Request{Sort: []Sort{{Field: "rank"}}, After: c}); !errors.Is(err, ErrBadCursor) || webos.StatusOf(err) != 400 {
			t.Errorf("tampered cursor %q: %v", c, err)
		}
	}
	for name, req := range map[string]Request{
		"other order":  {Sort: []Sort{{Field: "rank", Desc: true}}, After: res.Next},
		"other filter": {Sort: []Sort{{Field: "rank"}}, Where: Where("done", Eq, true), After: res.Next},
		"as before":    {Sort: []Sort{{Field: "rank"}}, Before: res.Next},
	} {
		if _, err := g.Page(alice, req); !errors.Is(err, ErrBadCursor) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := g.Page(bob, Request{Sort: []Sort{{Field: "rank"}}, After: res.Next}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("another user's cursor: %v", err)
	}
	// Without a user or with the zero grid: refused.
	if _, err := g.Page(context.Background(), Request{}); webos.StatusOf(err) != 401 {
		t.Errorf("anonymous: %v", err)
	}
	var zero Grid[task]
	if _, err := zero.Page(alice, Request{}); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("zero grid: %v", err)
	}
}

// TestFilters checks every operator against the rows computed in Go.
func TestFilters(t *testing.T) {
	g := newGrid(t, sliceEngine().open(t, map[string]int{"alice": 200}))
	testFilters(t, g, 200, 30)
}

// testFilters checks every operator; with page false it checks the count
// and the first page only, not every page.
func testFilters(t *testing.T, g *Grid[task], n, limit int, page ...bool) {
	ctx := as("alice")
	all := make([]task, n)
	for i := range all {
		all[i] = makeTask(i)
	}
	count := func(pred func(task) bool) int {
		c := 0
		for _, it := range all {
			if pred(it) {
				c++
			}
		}
		return c
	}
	due := base.Add(10 * time.Hour)
	cases := []struct {
		f    string
		pred func(task) bool
	}{
		{"rank:eq:3", func(x task) bool { return x.Rank == 3 }},
		{"rank:ne:3", func(x task) bool { return x.Rank != 3 }},
		{"rank:lt:3", func(x task) bool { return x.Rank < 3 }},
		{"rank:lte:3", func(x task) bool { return x.Rank <= 3 }},
		{"rank:gt:3", func(x task) bool { return x.Rank > 3 }},
		{"rank:gte:3", func(x task) bool { return x.Rank >= 3 }},
		{"rank:in:1;5", func(x task) bool { return x.Rank == 1 || x.Rank == 5 }},
		{"score:gt:1.5", func(x task) bool { return x.Score > 1.5 }},
		{"title:eq:task 007", func(x task) bool { return x.Title == "task 007" }},
		{"title:startsWith:task 01", func(x task) bool { return strings.HasPrefix(x.Title, "task 01") }},
		{"title:lt:task 010", func(x task) bool { return x.Title < "task 010" }},
		{"note:contains:tea", func(x task) bool { return strings.Contains(strings.ToLower(x.Note), "tea") }},
		{"note:isEmpty", func(x task) bool { return x.Note == "" }},
		{"!note:isEmpty", func(x task) bool { return x.Note != "" }},
		{"seen:isEmpty", func(x task) bool { return x.Seen == nil }},
		{"done:eq:true", func(x task) bool { return x.Done }},
		{"done:ne:true", func(x task) bool { return !x.Done }},
		{"status:in:closed", func(x task) bool { return x.Status == "closed" }},
		{"due:gte:" + due.Format(time.RFC3339), func(x task) bool { return !x.Due.Before(due) }},
		{"due:lt:2026-03-01 10:00:00", func(x task) bool { return x.Due.Before(due) }},
		{"due:eq:2026-03-01T10:00:00Z", func(x task) bool { return x.Due.Equal(due) }},
		{"labels:eq:red", func(x task) bool { return slices.Contains(x.Labels, "red") }},
		{"labels:ne:red", func(x task) bool { return !slices.Contains(x.Labels, "red") }},
		{"labels:in:green;blue", func(x task) bool { return slices.Contains(x.Labels, "green") || slices.Contains(x.Labels, "blue") }},
		{"rank:eq:1,done:eq:false|rank:eq:2", func(x task) bool { return x.Rank == 1 && !x.Done || x.Rank == 2 }},
		{"!(rank:lt:2|rank:gt:4)", func(x task) bool { return x.Rank >= 2 && x.Rank <= 4 }},
	}
	for _, c := range cases {
		f, err := ParseFilter(c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.f, err)
		}
		want := count(c.pred)
		var rows []task
		if len(page) == 0 || page[0] {
			rows = pageAll(t, ctx, g, []Sort{{Field: "rank"}}, f, limit, want)
		} else {
			res, err := g.Page(ctx, Request{Where: f, Sort: []Sort{{Field: "rank"}}, Limit: limit})
			if err != nil {
				t.Fatalf("%s: %v", c.f, err)
			}
			rows = res.Rows
		}
		for _, r := range rows {
			if !c.pred(r) {
				t.Errorf("%s: row %+v does not match", c.f, r)
			}
		}
		res, err := g.Page(ctx, Request{Where: f, Count: true, Limit: 5})
		if err != nil || res.Total == nil || res.Total.N != int64(want) || res.Total.More {
			t.Errorf("%s: count %+v, %v, want %d", c.f, res.Total, err, want)
		}
	}
}

func reflectValue(v *task) reflect.Value { return reflect.ValueOf(v).Elem() }

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// TestListFilterValues checks that a list column's filter takes only the
// declared element values and only its operators.
func TestListFilterValues(t *testing.T) {
	g := newGrid(t, sliceEngine().open(t, map[string]int{"alice": 20}))
	for _, f := range []string{"labels:eq:purple", "labels:contains:re", "labels:isEmpty"} {
		w, err := ParseFilter(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Page(as("alice"), Request{Where: w, Limit: 5}); !errors.Is(err, webos.ErrBadRequest) {
			t.Errorf("%s: %v, want a bad request", f, err)
		}
	}
}
