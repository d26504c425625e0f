package explorer

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// benchGrid fills an owner-scoped collection with n rows of one user
// (inserted in batches) and returns its grid.
func benchGrid(b *testing.B, db *store.DB, name string, n int) *Grid[task] {
	b.Helper()
	c := store.NewOwned[task](db, name, taskIndexes...)
	ctx := as("alice")
	if err := c.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	if have, _ := c.Count(ctx, store.Filter{}); have < int64(n) {
		for i := int(have); i < n; i++ {
			it := makeTask(i)
			if err := c.Insert(ctx, &it); err != nil {
				b.Fatal(err)
			}
		}
	}
	src, err := NewOwned(c)
	if err != nil {
		b.Fatal(err)
	}
	return newGrid(b, src)
}

// deepCursor pages to page n of 20 rows and returns its cursor.
func deepCursor(b *testing.B, g *Grid[task], sort string, n int) string {
	ctx := as("alice")
	req := Request{Sort: []Sort{{Field: sort}}, Limit: 20}
	for range n - 1 {
		res, err := g.Page(ctx, req)
		if err != nil || res.Next == "" {
			b.Fatalf("page: %v", err)
		}
		req.After = res.Next
	}
	return req.After
}

func benchPage(b *testing.B, g *Grid[task], sort, after string) {
	ctx := as("alice")
	req := Request{Sort: []Sort{{Field: sort}}, Limit: 20, After: after}
	b.ResetTimer()
	for b.Loop() {
		res, err := g.Page(ctx, req)
		if err != nil || len(res.Rows) != 20 {
			b.Fatalf("page: %v", err)
		}
	}
}

// BenchmarkSQLitePage: a page of 20 by an indexed key, at 1,000 and
// 100,000 rows, and the 500th page against the first (100,000 rows).
func BenchmarkSQLitePage(b *testing.B) {
	if testing.Short() {
		b.Skip("-short")
	}
	dir := b.TempDir()
	open := func(name string) *store.DB {
		db, err := store.OpenSQLite(filepath.Join(dir, name+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = db.Close(context.Background()) })
		return db
	}
	small := benchGrid(b, open("small"), "tasks", 1_000)
	large := benchGrid(b, open("large"), "tasks", 100_000)
	// By created_at (a key of few ties), and by title (333 rows a title).
	for _, sort := range []string{"created_at", "title"} {
		b.Run("sort="+sort+"/rows=1000/page=1", func(b *testing.B) { benchPage(b, small, sort, "") })
		b.Run("sort="+sort+"/rows=100000/page=1", func(b *testing.B) { benchPage(b, large, sort, "") })
		deep := deepCursor(b, large, sort, 500)
		b.Run("sort="+sort+"/rows=100000/page=500", func(b *testing.B) { benchPage(b, large, sort, deep) })
	}
}

// BenchmarkFerretDBPage: the same on the MongoDB-wire server, for
// information (FerretDB v1 sorts in memory).
func BenchmarkFerretDBPage(b *testing.B) {
	if testing.Short() {
		b.Skip("-short")
	}
	url := testenv.MongoURL(b)
	ctx := context.Background()
	db, err := store.ConnectMongo(ctx, url, testenv.DatabaseName("b_explorer"), store.WithTimeout(60*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Drop(ctx); _ = db.Close(ctx) })
	small := benchGrid(b, db, "small", 1_000)
	b.Run("rows=1000/page=1", func(b *testing.B) { benchPage(b, small, "created_at", "") })
	deep := deepCursor(b, small, "created_at", 40)
	b.Run("rows=1000/page=40", func(b *testing.B) { benchPage(b, small, "created_at", deep) })
}

// BenchmarkSlicePage: a slice source of 100,000 rows, the first page and a
// filtered page.
func BenchmarkSlicePage(b *testing.B) {
	items := make([]task, 100_000)
	for i := range items {
		items[i] = makeTask(i)
		items[i].ID = fmt.Sprintf("%06d", i)
		items[i].CreatedBy = "alice"
	}
	src, err := NewSlice(items)
	if err != nil {
		b.Fatal(err)
	}
	g := newGrid(b, src)
	ctx := as("alice")
	first := Request{Sort: []Sort{{Field: "title"}}, Limit: 50}
	f := And(Where("note", Contains, "tea"), Where("rank", Gte, "3"))
	filtered := Request{Sort: []Sort{{Field: "due", Desc: true}}, Where: f, Limit: 50}
	for name, req := range map[string]Request{"first": first, "filtered": filtered} {
		// cold: the order's index is sorted first (after an edit, or for a
		// new order); warm: it is kept.
		b.Run(name+"/cold", func(b *testing.B) {
			for b.Loop() {
				src.changed()
				if _, err := g.Page(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/warm", func(b *testing.B) {
			if _, err := g.Page(ctx, req); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := g.Page(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender: the grid's HTML for 50 rows — with the page fetched
// (render) and alone (html) — against writing the same bytes.
func BenchmarkRender(b *testing.B) {
	items := make([]task, 50)
	for i := range items {
		items[i] = makeTask(i)
		items[i].ID = fmt.Sprintf("%06d", i)
		items[i].CreatedBy = "alice"
	}
	src, _ := NewSlice(items)
	g := newGrid(b, src)
	ctx := as("alice")
	req := httptest.NewRequest("GET", "/tasks/?limit=50", nil).WithContext(ctx)
	node, err := g.gridNode(req, "/tasks", "")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	_ = node.Render(&buf)
	out := bytes.Clone(buf.Bytes())
	b.Run("render", func(b *testing.B) {
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			buf.Reset()
			n, err := g.gridNode(req, "/tasks", "")
			if err != nil {
				b.Fatal(err)
			}
			_ = n.Render(&buf)
		}
	})
	// The HTML alone: the page, the columns and the view made once.
	v, _ := g.parseView(ctx, req.URL.Query())
	res, _ := g.page(ctx, v)
	cols, _ := g.Columns(ctx)
	b.Run("html", func(b *testing.B) {
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			buf.Reset()
			_ = g.render("/tasks", v, res, cols, cols, map[string]bool{}, "", true).Render(&buf)
		}
	})
	b.Run("write", func(b *testing.B) {
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			buf.Reset()
			buf.Write(out)
		}
	})
}
