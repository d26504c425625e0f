package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store/internal/query"
)

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "db.sqlite")
	e, err := Open(path, Options{BusyTimeout: time.Second, ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("folder: %v %v", st, err)
	}
	c, _ := e.Collection("p", []query.Index{{Name: "k", Keys: []query.SortKey{key("k")}, Unique: true}})
	if err := c.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	insert(t, c, D("_id", "1", "k", "a"))
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(ctx, raw(t, D("_id", "2"))); !errors.Is(err, query.ErrUnavailable) {
		t.Fatalf("insert after close: %v", err)
	}
	if err := e.Ping(ctx); !errors.Is(err, query.ErrUnavailable) {
		t.Fatalf("ping after close: %v", err)
	}
	e, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(ctx)
	if err := e.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ = e.Collection("p", nil)
	if got := sortedIDs(t, c, leaf(query.Eq, "k", "a")); !eqIDs(got, []string{"1"}) {
		t.Fatal(got)
	}
	// The unique index is still there.
	if err := c.Insert(ctx, raw(t, D("_id", "2", "k", "a"))); !errors.Is(err, query.ErrConflict) {
		t.Fatal(err)
	}
	var mode string
	if err := e.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q %v", mode, err)
	}
	// A collection works before EnsureIndexes: its table is made on first use.
	fresh, _ := e.Collection("fresh", nil)
	if got := sortedIDs(t, fresh, query.Node{}); len(got) != 0 {
		t.Fatal(got)
	}
	insert(t, fresh, D("_id", "f"))
	if n, err := fresh.Count(ctx, query.Node{}, 0); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if err := e.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	// The handle recreates its table after Drop.
	if got := sortedIDs(t, c, query.Node{}); len(got) != 0 {
		t.Fatal(got)
	}
	insert(t, c, D("_id", "1"))
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); !errors.Is(err, query.ErrBadRequest) {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o600)
	if _, err := Open(filepath.Join(file, "db"), Options{}); !errors.Is(err, query.ErrUnavailable) {
		t.Fatalf("open under a file: %v", err)
	}
	notDB := filepath.Join(t.TempDir(), "garbage")
	os.WriteFile(notDB, make([]byte, 4096), 0o600)
	if _, err := Open(notDB, Options{}); err == nil {
		t.Fatal("opened a file that is no database")
	}
	// Paths with URI characters are files, not parameters.
	odd := filepath.Join(t.TempDir(), "a?b#c%d e")
	e, err := Open(odd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Close(ctx)
	if _, err := os.Stat(odd); err != nil {
		t.Fatal(err)
	}
}

func TestContext(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "ctx")
	for i := 0; i < 100; i++ {
		insert(t, c, D("_id", fmt.Sprint(i)))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Find(cctx, query.Find{}, func(bson.Raw) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("find: %v", err)
	}
	if err := c.Insert(cctx, raw(t, D("_id", "x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("insert: %v", err)
	}
	if _, err := c.Update(cctx, leaf(query.Eq, "_id", "1"), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("update: %v", err)
	}
	// Cancelled while rows are read.
	cctx, cancel = context.WithCancel(ctx)
	err := c.Find(cctx, query.Find{}, func(bson.Raw) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("find cancelled midway: %v", err)
	}
}

func TestCloseWaits(t *testing.T) {
	e, err := Open(filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := coll(t, e, "w")
	insert(t, c, D("_id", "1"))
	inside, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- c.Find(ctx, query.Find{}, func(bson.Raw) error { close(inside); <-release; return nil })
	}()
	<-inside
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := e.Close(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("close with a find running: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("find running during close: %v", err)
	}
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrent runs writers and readers at once (run it with -race):
// no operation fails with a busy error, and every reader sees consistent
// documents.
func TestConcurrent(t *testing.T) {
	e := openTest(t)
	c := coll(t, e, "cc", query.Index{Name: "n", Keys: []query.SortKey{{Field: "n", Desc: true}}})
	const writers, readers, perWriter = 4, 4, 150
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	stop := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := c.Insert(ctx, raw(t, D("_id", id, "n", int32(i), "w", int32(w)))); err != nil {
					errs <- err
					return
				}
				if _, err := c.Update(ctx, leaf(query.Eq, "_id", id), []query.Update{{Kind: query.Inc, Path: "n", Value: int32(1)}}); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, err := c.Delete(ctx, leaf(query.Eq, "_id", id), true); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for r := 0; r < readers; r++ {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := c.Find(ctx, query.Find{Sort: []query.SortKey{{Field: "n", Desc: true}, {Field: "_id", Desc: true}}, Limit: 20}, func(r bson.Raw) error {
					if _, err := r.LookupErr("n"); err != nil {
						return fmt.Errorf("document without n: %v", r)
					}
					return nil
				})
				if err == nil {
					_, err = c.Count(ctx, leaf(query.Gt, "n", int32(50)), 0)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n, err := c.Count(ctx, query.Node{}, 0)
	if want := int64(writers * (perWriter - perWriter/10)); n != want || err != nil {
		t.Fatalf("count %d %v, want %d", n, err, want)
	}
	n, _ = c.Count(ctx, leaf(query.Eq, "n", int32(perWriter)), 0)
	if n != writers {
		t.Fatalf("%d documents incremented to %d, want %d", n, perWriter, writers)
	}
}

// TestStatementCache runs more distinct statements than the cache keeps,
// from several goroutines: evicted statements still in use keep working.
func TestStatementCache(t *testing.T) {
	defer func(n int) { maxStmts = n }(maxStmts)
	maxStmts = 16
	e := openTest(t)
	c := coll(t, e, "sc")
	insert(t, c, D("_id", "1", "n", int32(1)))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2*maxStmts; i++ {
				in := make([]any, 1+(i*7+g)%(maxStmts+40))
				for j := range in {
					in[j] = int32(j + 1)
				}
				n := 0
				err := c.Find(ctx, query.Find{Filter: query.Node{Op: query.In, Field: "n", Values: in}}, func(bson.Raw) error { n++; return nil })
				if err == nil && n != 1 {
					err = fmt.Errorf("found %d", n)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c.t.smu.Lock()
	n := len(c.t.stmts)
	c.t.smu.Unlock()
	if n > maxStmts {
		t.Fatalf("%d statements cached", n)
	}
}
