package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/webos-go/webos/store/internal/query"
)

// containsFunc is the SQL name of the case-insensitive substring function.
const containsFunc = "webos_contains_fold"

// drv is this package's own driver instance, so that its function does not
// leak into other users of modernc.org/sqlite.
var drv = newDriver()

func newDriver() *sqlite.Driver {
	d := &sqlite.Driver{}
	if err := d.RegisterFunction(containsFunc, &sqlite.FunctionImpl{
		NArgs:         2,
		Deterministic: true,
		VolatileArgs:  true, // containsFold keeps neither argument
		Scalar:        containsFold,
	}); err != nil {
		panic(err) // only on a duplicate name, which cannot happen here
	}
	return d
}

// containsFold(hay, needle) is 1 when the text hay contains the text
// needle ignoring case, 0 for other text, NULL for non-text arguments.
func containsFold(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	hay, ok1 := args[0].(string)
	needle, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, nil
	}
	if foldContains(hay, needle) {
		return int64(1), nil
	}
	return int64(0), nil
}

// foldContains reports whether hay contains needle under Unicode case
// folding.
func foldContains(hay, needle string) bool {
	if needle == "" {
		return true
	}
	if isASCII(hay) && isASCII(needle) {
		n := len(needle)
		for i := 0; i+n <= len(hay); i++ {
			if asciiEqualFold(hay[i:i+n], needle) {
				return true
			}
		}
		return false
	}
	// strings.EqualFold on every rune-aligned window whose rune count
	// equals the needle's: simple folding keeps rune counts.
	nr := utf8.RuneCountInString(needle)
	for i := 0; i < len(hay); {
		j, k := i, 0
		for k < nr && j < len(hay) {
			_, w := utf8.DecodeRuneInString(hay[j:])
			j += w
			k++
		}
		if k < nr {
			return false
		}
		if strings.EqualFold(hay[i:j], needle) {
			return true
		}
		_, w := utf8.DecodeRuneInString(hay[i:])
		i += w
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// gate admits at most cap(g) holders at a time, in the order they came:
// the goroutines blocked sending on a channel are woken first in, first
// out.
type gate chan struct{}

// enter waits for a place, or for ctx to end.
func (g gate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave frees the place enter took.
func (g gate) leave() { <-g }

// connector opens connections of drv on one DSN.
type connector struct{ dsn string }

func (c connector) Connect(context.Context) (driver.Conn, error) { return drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return drv }

// Options tunes an Engine; the zero value is the default.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// process before failing (default 5s). Within one process writes are
	// queued in Go and readers never wait.
	BusyTimeout time.Duration
	// ReadConns is the size of the read connection pool (default 4).
	ReadConns int
}

// Engine is an embedded SQLite database holding collections. It
// implements query.Engine; every method is safe for concurrent use.
type Engine struct {
	path string
	w    *sql.DB // one connection: all writes, serialized
	r    *sql.DB // query_only connections: all reads

	// writers and readers admit operations to w and r first come, first
	// served: database/sql hands a freed connection to a random waiter,
	// so under a queue longer than the pool some requests would wait
	// many times their share (seconds, at hundreds of clients).
	writers, readers gate

	ck    *sql.DB       // one connection: background WAL checkpoints
	dirty atomic.Bool   // a write happened since the last checkpoint
	stop  chan struct{} // closed by Close: the checkpointer ends
	ended chan struct{} // closed by the checkpointer when it ends

	gen atomic.Uint64 // bumped by Drop, so that tables are created again

	tmu    sync.Mutex
	tables map[string]*table

	omu     sync.Mutex
	closed  bool
	running int
	idle    chan struct{} // closed when running drops to 0 after Close
}

var _ query.Engine = (*Engine)(nil)

// Open opens (creating it if needed) the database file at path; its folder
// is created with mode 0700 if missing. The database runs in WAL mode with
// synchronous=NORMAL: a committed write survives a process crash, and all
// but the last transactions survive a power loss.
func Open(path string, opts Options) (*Engine, error) {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("%w: invalid database path %q", query.ErrBadRequest, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", query.ErrUnavailable, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("%w: %w", query.ErrUnavailable, err)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	readers := opts.ReadConns
	if readers <= 0 {
		readers = 4
	}
	// A file: URI, so that the path is escaped (a '?' in a plain path
	// would start the parameters); SQLite ignores the driver's _ keys.
	base := (&url.URL{Scheme: "file", Path: abs}).String() +
		"?_pragma=busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")" +
		"&_pragma=cache_size(-16384)"
	// The writer checkpoints only when the WAL grows large: the background
	// checkpointer does it, so that a commit does not wait for fsync.
	w := sql.OpenDB(connector{base +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)" +
		"&_pragma=wal_autocheckpoint(16384)&_pragma=journal_size_limit(67108864)&_txlock=immediate"})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer connects first: it creates the file and switches it to
	// WAL, which is persistent, before any reader opens it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, mapErr(context.Background(), err)
	}
	r := sql.OpenDB(connector{base + "&_query_only=1"})
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	if err := r.Ping(); err != nil {
		r.Close()
		w.Close()
		return nil, mapErr(context.Background(), err)
	}
	ck := sql.OpenDB(connector{base + "&_pragma=synchronous(NORMAL)"})
	ck.SetMaxOpenConns(1)
	ck.SetMaxIdleConns(1)
	ck.SetConnMaxLifetime(0)
	ck.SetConnMaxIdleTime(0)
	e := &Engine{path: abs, w: w, r: r, ck: ck, tables: map[string]*table{},
		writers: make(gate, 1), readers: make(gate, readers),
		stop: make(chan struct{}), ended: make(chan struct{})}
	go e.checkpointer()
	return e, nil
}

// checkpointInterval is how often the checkpointer copies committed WAL
// frames into the database file when there were writes.
const checkpointInterval = 100 * time.Millisecond

// checkpointer runs passive WAL checkpoints (which wait for no reader and
// no writer) while there are writes, off the write path.
func (e *Engine) checkpointer() {
	defer close(e.ended)
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-tick.C:
			if e.dirty.Swap(false) {
				// A failure is retried at the next tick; the writer's own
				// automatic checkpoint is the safety net.
				if _, err := e.ck.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
					e.dirty.Store(true)
				}
			}
		}
	}
}

// wrote notes a write for the checkpointer.
func (e *Engine) wrote() {
	if !e.dirty.Load() {
		e.dirty.Store(true)
	}
}

// enter registers an operation in progress; it fails once Close has begun.
func (e *Engine) enter() error {
	e.omu.Lock()
	defer e.omu.Unlock()
	if e.closed {
		return fmt.Errorf("%w: sqlite engine closed", query.ErrUnavailable)
	}
	e.running++
	return nil
}

func (e *Engine) leave() {
	e.omu.Lock()
	e.running--
	if e.closed && e.running == 0 && e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
	e.omu.Unlock()
}

// Collection returns the collection name with the given indexes (created
// by EnsureIndexes). Its table is created on first use. The name is used
// as the table name; it must not start with "sqlite_".
func (e *Engine) Collection(name string, indexes []query.Index) (query.Collection, error) {
	if name == "" || strings.IndexByte(name, 0) >= 0 || strings.HasPrefix(strings.ToLower(name), "sqlite_") {
		return nil, fmt.Errorf("%w: invalid collection name %q", query.ErrBadRequest, name)
	}
	for _, idx := range indexes {
		if _, err := indexStatements(name, idx); err != nil {
			return nil, err
		}
	}
	e.tmu.Lock()
	t := e.tables[name]
	if t == nil {
		t = newTable(e, name)
		e.tables[name] = t
	}
	e.tmu.Unlock()
	return &collection{t: t, indexes: append([]query.Index(nil), indexes...)}, nil
}

// Ping checks that the database answers. It asks on the checkpointer's
// connection, not the readers': under a load that keeps every reader busy
// a health check would otherwise wait behind the queued requests and call
// a busy database down.
func (e *Engine) Ping(ctx context.Context) error {
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	var one int
	return mapErr(ctx, e.ck.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Version returns "SQLite <version>" of the linked library.
func (e *Engine) Version(ctx context.Context) (string, error) {
	if err := e.enter(); err != nil {
		return "", err
	}
	defer e.leave()
	var v string
	if err := mapErr(ctx, e.ck.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v)); err != nil {
		return "", err
	}
	return "SQLite " + v, nil
}

// Drop deletes every collection of the database.
func (e *Engine) Drop(ctx context.Context) error {
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	if err := e.writers.enter(ctx); err != nil {
		return mapErr(ctx, err)
	}
	defer e.writers.leave()
	tx, err := e.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
	if err != nil {
		return mapErr(ctx, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return mapErr(ctx, err)
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return mapErr(ctx, err)
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(n)); err != nil {
			return mapErr(ctx, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return mapErr(ctx, err)
	}
	e.wrote()
	e.gen.Add(1)
	e.tmu.Lock()
	for _, t := range e.tables {
		t.resetStmts()
	}
	e.tmu.Unlock()
	return nil
}

// Close waits until the operations in progress end or ctx is done, then
// closes the database. New operations fail with ErrUnavailable from the
// moment Close is called.
func (e *Engine) Close(ctx context.Context) error {
	e.omu.Lock()
	if e.closed {
		e.omu.Unlock()
		return nil
	}
	e.closed = true
	var wait chan struct{}
	if e.running > 0 {
		wait = make(chan struct{})
		e.idle = wait
	}
	e.omu.Unlock()
	closeAll := func() error {
		close(e.stop)
		<-e.ended
		e.tmu.Lock()
		for _, t := range e.tables {
			t.resetStmts()
		}
		e.tmu.Unlock()
		return errors.Join(e.ck.Close(), e.r.Close(), e.w.Close())
	}
	if wait != nil {
		select {
		case <-wait:
		case <-ctx.Done():
			// Operations still run: close once they end, without blocking.
			go func() { <-wait; closeAll() }()
			return ctx.Err()
		}
	}
	if err := closeAll(); err != nil {
		return fmt.Errorf("%w: %w", query.ErrUnavailable, err)
	}
	return nil
}

// mapErr wraps a database error in the query error it stands for.
func mapErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	for _, q := range []error{query.ErrNotFound, query.ErrConflict, query.ErrBadRequest, query.ErrUnavailable} {
		if errors.Is(err, q) {
			return err
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code()
		switch {
		case code == sqlite3.SQLITE_INTERRUPT && ctx != nil && ctx.Err() != nil:
			return fmt.Errorf("%w: %w", ctx.Err(), err)
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", query.ErrConflict, err)
		case code&0xFF == sqlite3.SQLITE_CONSTRAINT,
			code&0xFF == sqlite3.SQLITE_TOOBIG, code&0xFF == sqlite3.SQLITE_MISMATCH, code&0xFF == sqlite3.SQLITE_RANGE:
			return fmt.Errorf("%w: %w", query.ErrBadRequest, err)
		case code&0xFF == sqlite3.SQLITE_ERROR:
			// SQL the engine generated and SQLite refused: the engine's
			// fault, not the client's (a 500, logged).
			return err
		}
	}
	if ctx != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return fmt.Errorf("%w: %w", query.ErrUnavailable, err)
}
