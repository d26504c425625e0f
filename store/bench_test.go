package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// ratio reports the speed of the store's call relative to the raw one
// measured just before it (1.0 = as fast), against the fastest raw run so
// far, so that -count N cannot flatter it.
type ratio struct{ rawNs float64 }

func (r *ratio) raw(b *testing.B) {
	if ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N); r.rawNs == 0 || ns < r.rawNs {
		r.rawNs = ns
	}
}

func (r *ratio) report(b *testing.B) {
	if r.rawNs > 0 {
		b.ReportMetric(r.rawNs/(float64(b.Elapsed().Nanoseconds())/float64(b.N)), "x-raw")
	}
}

var benchItem = Item{Title: "benchmark", Body: "a body of some length to decode", N: 42, Tags: []string{"a", "b", "c"}}

// BenchmarkGetSQLite compares Collection.Get on the embedded store with a
// raw SQL query by primary key on the same file, decoding the same bytes.
func BenchmarkGetSQLite(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := store.OpenSQLite(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(context.Background())
	items := store.NewCollection[Item](db, "items")
	ctx := context.Background()
	n := benchItem
	if err := items.Insert(ctx, &n); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=journal_mode(WAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	stmt, err := raw.PrepareContext(ctx, `SELECT bson FROM "items" WHERE id = ?`)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	var r ratio
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			var blob []byte
			if err := stmt.QueryRowContext(ctx, n.ID).Scan(&blob); err != nil {
				b.Fatal(err)
			}
			var v Item
			if err := bson.Unmarshal(blob, &v); err != nil {
				b.Fatal(err)
			}
		}
		r.raw(b)
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := items.Get(ctx, n.ID); err != nil {
				b.Fatal(err)
			}
		}
		r.report(b)
	})
}

// BenchmarkGetMongo compares Collection.Get with the driver call it wraps,
// on the same document of the same server.
func BenchmarkGetMongo(b *testing.B) {
	db := mongoEngine().open(b)
	items := store.NewCollection[Item](db, "items")
	ctx := context.Background()
	n := benchItem
	if err := items.Insert(ctx, &n); err != nil {
		b.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(testenv.MongoURL(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	raw := client.Database(db.Name()).Collection("items")
	var r ratio
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			var v Item
			if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: n.ID}}).Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
		r.raw(b)
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := items.Get(ctx, n.ID); err != nil {
				b.Fatal(err)
			}
		}
		r.report(b)
	})
}

// seeded returns an embedded database with size items, indexed newest
// first.
func seeded(b *testing.B, size int) *store.Collection[Item] {
	db, err := store.OpenSQLite(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close(context.Background()) })
	items := store.NewCollection[Item](db, "items", store.Index{Keys: []string{"-created_at"}})
	ctx := context.Background()
	if err := db.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range size {
		n := benchItem
		n.N = i
		n.At = base.Add(time.Duration(i) * time.Second)
		if err := items.Insert(ctx, &n); err != nil {
			b.Fatal(err)
		}
	}
	return items
}

// BenchmarkNewest20 reads the newest 20 of 1,000, 10,000 and 100,000
// documents; with the index the page costs the same at every size.
func BenchmarkNewest20(b *testing.B) {
	for _, size := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			if testing.Short() && size > 10_000 {
				b.Skip("large seed")
			}
			items := seeded(b, size)
			ctx := context.Background()
			for b.Loop() {
				p, err := items.Page(ctx, store.Query{Sort: []string{"-created_at"}, Limit: 20})
				if err != nil || len(p.Items) != 20 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPageDeep reads the first page and the page 500 pages deep of
// 10,020 documents, reached by cursor.
func BenchmarkPageDeep(b *testing.B) {
	items := seeded(b, 10_020)
	ctx := context.Background()
	q := store.Query{Sort: []string{"-created_at"}, Limit: 20}
	var deep string
	for range 500 {
		p, err := items.Page(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		q.After = p.Next
		deep = p.Next
	}
	for name, after := range map[string]string{"first": "", "500-deep": deep} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p, err := items.Page(ctx, store.Query{Sort: []string{"-created_at"}, Limit: 20, After: after})
				if err != nil || len(p.Items) != 20 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInsertSQLite inserts documents one by one.
func BenchmarkInsertSQLite(b *testing.B) {
	items := seeded(b, 0)
	ctx := context.Background()
	for b.Loop() {
		n := benchItem
		if err := items.Insert(ctx, &n); err != nil {
			b.Fatal(err)
		}
	}
}
