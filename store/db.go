package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos/store/internal/query"
	"github.com/webos-go/webos/store/internal/sqlite"
)

// DB is one database on one of the two engines: MongoDB ([ConnectMongo],
// for production and several instances) or the embedded SQLite document
// store ([OpenSQLite], the zero-setup default for one process). Collections
// made on it behave the same on both. It is safe for concurrent use.
type DB struct {
	eng     query.Engine
	engine  string
	name    string
	now     func() time.Time
	timeout time.Duration

	mu    sync.Mutex
	colls []indexed
}

// indexed is a collection with declared indexes.
type indexed interface {
	EnsureIndexes(ctx context.Context) error
}

// Engine names, as [DB.Engine] reports them.
const (
	EngineMongo  = "mongodb"
	EngineSQLite = "sqlite"
)

// Option configures [ConnectMongo] and [OpenSQLite].
type Option func(*config)

type config struct {
	timeout time.Duration
	now     func() time.Time
	client  []func(*options.ClientOptions)
}

// WithTimeout bounds connecting and the first ping (default 10s). On
// MongoDB it is also the server selection timeout of every later operation:
// how long an operation waits for an unreachable server before it fails
// with [ErrUnavailable]. On SQLite it is how long a write waits for the
// database file's lock.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithClock sets the clock that stamps created_at and updated_at (default
// time.Now). Tests use it to get predictable times.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMongoClientOptions lets f adjust the MongoDB driver's client options
// after the URL was applied, e.g. to set a pool size. SQLite ignores it.
func WithMongoClientOptions(f func(*options.ClientOptions)) Option {
	return func(c *config) {
		if f != nil {
			c.client = append(c.client, f)
		}
	}
}

func newConfig(opts []Option) config {
	cfg := config{timeout: 10 * time.Second, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// ConnectMongo connects to the MongoDB server at url (a mongodb://
// connection string), checks that it answers a ping, and returns the
// database named database. A server that does not answer within the
// timeout (see [WithTimeout]) is an error that wraps [ErrUnavailable].
func ConnectMongo(ctx context.Context, url, database string, opts ...Option) (*DB, error) {
	db, err := OpenMongo(url, database, opts...)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		_ = db.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

// OpenMongo returns the database named database on the MongoDB server at
// url without waiting for the server: connections are made in the
// background and by the first operation, which fails with [ErrUnavailable]
// when the server does not answer within the timeout. Only a malformed URL,
// option or name is an error.
func OpenMongo(url, database string, opts ...Option) (*DB, error) {
	cfg := newConfig(opts)
	if url == "" {
		return nil, errors.New("store: connect: empty URL")
	}
	if err := checkDatabaseName(database); err != nil {
		return nil, err
	}
	co := options.Client().ApplyURI(url).
		SetConnectTimeout(cfg.timeout).
		SetServerSelectionTimeout(cfg.timeout)
	for _, f := range cfg.client {
		f(co)
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	eng := &mongoEngine{client: client, db: client.Database(database)}
	return &DB{eng: eng, engine: EngineMongo, name: database, now: cfg.now, timeout: cfg.timeout}, nil
}

// OpenSQLite opens (creating it if needed) the embedded SQLite document
// store in the file path; its folder is created too. Only one process may
// use the file: several instances of an application need MongoDB.
func OpenSQLite(path string, opts ...Option) (*DB, error) {
	cfg := newConfig(opts)
	if path == "" {
		return nil, errors.New("store: open: empty path")
	}
	eng, err := sqlite.Open(path, sqlite.Options{BusyTimeout: cfg.timeout})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", filepath.Base(path), err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return &DB{eng: eng, engine: EngineSQLite, name: name, now: cfg.now, timeout: cfg.timeout}, nil
}

// checkDatabaseName rejects names MongoDB refuses.
func checkDatabaseName(name string) error {
	switch {
	case name == "":
		return errors.New("store: connect: empty database name")
	case len(name) > 63:
		return fmt.Errorf("store: connect: database name %q is longer than 63 bytes", name)
	case strings.ContainsAny(name, "/\\. \"$*<>:|?\x00"):
		return fmt.Errorf("store: connect: database name %q holds a character MongoDB refuses", name)
	}
	return nil
}

// Ping checks that the database answers. A failure wraps [ErrUnavailable].
func (db *DB) Ping(ctx context.Context) error { return wrap("ping", "", db.eng.Ping(ctx)) }

// Close closes the database, waiting for operations in progress until ctx
// is done.
func (db *DB) Close(ctx context.Context) error {
	if err := db.eng.Close(ctx); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Drop deletes every collection of the database and its documents. It is
// for tests and tools; there is no undo.
func (db *DB) Drop(ctx context.Context) error { return wrap("drop", "", db.eng.Drop(ctx)) }

// Name returns the database name (for SQLite, the file's base name).
func (db *DB) Name() string { return db.name }

// Engine returns [EngineMongo] or [EngineSQLite].
func (db *DB) Engine() string { return db.engine }

// ServerVersion asks the database for its product and version, for
// readiness reports: "MongoDB 7.0.42" (with "(FerretDB v1.24.2)" after it
// when the server is FerretDB) or "SQLite 3.49.1". A failure wraps
// [ErrUnavailable].
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	v, ok := db.eng.(interface {
		Version(ctx context.Context) (string, error)
	})
	if !ok {
		return "", fmt.Errorf("store: version: the %s engine does not say", db.engine)
	}
	s, err := v.Version(ctx)
	return s, wrap("version", "", err)
}

// stamp returns the current time as the database stores it: UTC, whole
// milliseconds.
func (db *DB) stamp() time.Time { return db.now().UTC().Truncate(time.Millisecond) }

// register records c so that [DB.EnsureIndexes] includes it.
func (db *DB) register(c indexed) {
	db.mu.Lock()
	db.colls = append(db.colls, c)
	db.mu.Unlock()
}

// EnsureIndexes creates the declared indexes of every collection made on db
// so far (see [NewCollection] and [NewOwned]). Creating an index that exists
// is a no-op, so it is safe at every start. It returns all errors joined.
func (db *DB) EnsureIndexes(ctx context.Context) error {
	db.mu.Lock()
	colls := append([]indexed(nil), db.colls...)
	db.mu.Unlock()
	var errs []error
	for _, c := range colls {
		errs = append(errs, c.EnsureIndexes(ctx))
	}
	return errors.Join(errs...)
}
