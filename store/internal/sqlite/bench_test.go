package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

var (
	newest   = []query.SortKey{{Field: "created_at", Desc: true}, {Field: "_id", Desc: true}}
	benchDir string
	benchMu  sync.Mutex
	benchDBs = map[int]*Engine{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	benchMu.Lock()
	for _, e := range benchDBs {
		e.Close(ctx)
	}
	benchMu.Unlock()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchDoc(i int) bson.D {
	return D("_id", fmt.Sprintf("doc%08d", i), "created_at", bson.DateTime(1_700_000_000_000+int64(i)*1000),
		"owner", fmt.Sprintf("user%d", i%50), "title", fmt.Sprintf("Title number %d", i),
		"body", strings.Repeat("lorem ipsum ", 16), "tags", bson.A{"a", "b"}, "n", int32(i))
}

// benchEngine returns an engine whose collection "posts" holds n documents
// (built once per size and kept for the other benchmarks).
func benchEngine(b *testing.B, n int) (*Engine, *collection) {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	e := benchDBs[n]
	if e == nil {
		if benchDir == "" {
			d, err := os.MkdirTemp("", "sqlite-bench")
			if err != nil {
				b.Fatal(err)
			}
			benchDir = d
		}
		var err error
		if e, err = Open(filepath.Join(benchDir, fmt.Sprintf("db%d", n)), Options{}); err != nil {
			b.Fatal(err)
		}
		coll(b, e, "posts", query.Index{Name: "created", Keys: newest[:1]},
			query.Index{Name: "owner_created", Keys: []query.SortKey{{Field: "owner"}, {Field: "created_at", Desc: true}}})
		// One transaction for the fixture, through the engine's own statement.
		tx, err := e.w.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare(`INSERT INTO "posts" (id, bson, doc) VALUES (?, ?, jsonb(?))`)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			r := raw(b, benchDoc(i))
			id, js, err := encode(r)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Exec(id, []byte(r), string(js)); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		benchDBs[n] = e
	}
	c, _ := e.Collection("posts", nil)
	return e, c.(*collection)
}

// cpuTime returns the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and also reports the process CPU time per
// operation, which a loaded machine disturbs less than the wall time.
func loop(b *testing.B, op func()) {
	start := cpuTime()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func page(b *testing.B, c *collection, q query.Find) {
	n := 0
	if err := c.Find(ctx, q, func(bson.Raw) error { n++; return nil }); err != nil {
		b.Fatal(err)
	}
	if n != int(q.Limit) {
		b.Fatalf("page of %d", n)
	}
}

func BenchmarkNewest20(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			_, c := benchEngine(b, n)
			q := query.Find{Sort: newest, Limit: 20}
			b.ResetTimer()
			loop(b, func() { page(b, c, q) })
		})
	}
}

// BenchmarkSeekDeep reads the page 500 pages (10,000 documents) down from
// the newest of 100,000 by its keyset cursor, for comparison the first page
// and the same page by Skip, and one owner's first page and page 50.
func BenchmarkSeekDeep(b *testing.B) {
	_, c := benchEngine(b, 100_000)
	at := 100_000 - 1 - 500*20
	cursor := query.Node{Op: query.Seek, Keys: newest, Values: []any{bson.DateTime(1_700_000_000_000 + int64(at)*1000), fmt.Sprintf("doc%08d", at)}}
	b.Run("first", func(b *testing.B) {
		q := query.Find{Sort: newest, Limit: 20}
		loop(b, func() { page(b, c, q) })
	})
	b.Run("page500", func(b *testing.B) {
		q := query.Find{Sort: newest, Limit: 20, Filter: cursor}
		loop(b, func() { page(b, c, q) })
	})
	b.Run("skip10000", func(b *testing.B) {
		q := query.Find{Sort: newest, Limit: 20, Skip: 10_000}
		loop(b, func() { page(b, c, q) })
	})
	owner := leaf(query.Eq, "owner", "user7")
	b.Run("owner_first", func(b *testing.B) {
		q := query.Find{Sort: newest, Limit: 20, Filter: owner}
		loop(b, func() { page(b, c, q) })
	})
	b.Run("owner_page50", func(b *testing.B) {
		// user7 holds i%50 == 7 (2,000 documents); 50 pages down its newest.
		at := 99_957 - 50*20*50
		q := query.Find{Sort: newest, Limit: 20, Filter: query.Node{Op: query.And, Children: []query.Node{owner,
			{Op: query.Seek, Keys: newest, Values: []any{bson.DateTime(1_700_000_000_000 + int64(at)*1000), fmt.Sprintf("doc%08d", at)}}}}}
		loop(b, func() { page(b, c, q) })
	})
}

// BenchmarkGet reads documents by _id through Find and, alternating under
// the same conditions, through a prepared SELECT bson FROM t WHERE id = ?
// on the same read pool (the floor): it reports both and their ratio.
func BenchmarkGet(b *testing.B) {
	e, c := benchEngine(b, 100_000)
	st, err := e.r.Prepare(`SELECT bson FROM "posts" WHERE id = ?`)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rawGet := func(id string) {
		rows, err := st.Query(id)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var raw sql.RawBytes
		for rows.Next() {
			rows.Scan(&raw)
			n++
		}
		rows.Close()
		if n != 1 {
			b.Fatal(n)
		}
	}
	var engine, floor time.Duration
	i := 0
	for b.Loop() {
		i = (i + 7919) % 100_000
		id := fmt.Sprintf("doc%08d", i)
		t0 := time.Now()
		if i%2 == 0 {
			rawGet(id)
		}
		t1 := time.Now()
		page(b, c, query.Find{Filter: leaf(query.Eq, "_id", id), Limit: 1})
		t2 := time.Now()
		if i%2 != 0 {
			rawGet(id)
		}
		t3 := time.Now()
		engine += t2.Sub(t1)
		floor += t1.Sub(t0) + t3.Sub(t2)
	}
	b.ReportMetric(float64(engine.Nanoseconds())/float64(b.N), "get-ns/op")
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(float64(floor)/float64(engine), "raw/get")
}

func BenchmarkInsert(b *testing.B) {
	e, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close(ctx)
	c := coll(b, e, "posts", query.Index{Name: "created", Keys: newest[:1]},
		query.Index{Name: "owner_created", Keys: []query.SortKey{{Field: "owner"}, {Field: "created_at", Desc: true}}})
	docs := make([]bson.Raw, 1000)
	for i := range docs {
		docs[i] = raw(b, benchDoc(i))
	}
	i := 0
	loop(b, func() {
		r := docs[i%len(docs)]
		// A fresh _id: the same length, so patch it in place.
		d := append(bson.Raw(nil), r...)
		copy(d[bytesIndex(d, "doc")+3:], fmt.Sprintf("%08d", i))
		if err := c.Insert(ctx, d); err != nil {
			b.Fatal(err)
		}
		i++
	})
}

func BenchmarkUpdate(b *testing.B) {
	e, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close(ctx)
	c := coll(b, e, "posts", query.Index{Name: "created", Keys: newest[:1]})
	for i := 0; i < 1000; i++ {
		insert(b, c, benchDoc(i))
	}
	i := 0
	loop(b, func() {
		f := leaf(query.Eq, "_id", fmt.Sprintf("doc%08d", i%1000))
		if _, err := c.Update(ctx, f, []query.Update{{Kind: query.Inc, Path: "n", Value: int32(1)}}); err != nil {
			b.Fatal(err)
		}
		i++
	})
}

func bytesIndex(b []byte, s string) int { return strings.Index(string(b), s) }
