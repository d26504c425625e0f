package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DB is a connection to one database. It is safe for concurrent use.
type DB struct {
	client  *mongo.Client
	db      *mongo.Database
	now     func() time.Time
	timeout time.Duration

	mu    sync.Mutex
	colls []indexed
}

// indexed is a collection with declared indexes.
type indexed interface {
	EnsureIndexes(ctx context.Context) error
}

// Option configures [Connect].
type Option func(*config)

type config struct {
	timeout time.Duration
	now     func() time.Time
	client  []func(*options.ClientOptions)
}

// WithTimeout bounds connecting and the first ping (default 10s). It is also
// the server selection timeout of every later operation: how long an
// operation waits for an unreachable server before it fails with
// [ErrUnavailable].
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

// WithClientOptions lets f adjust the driver's client options after the URL
// was applied, e.g. to set a pool size or a registry.
func WithClientOptions(f func(*options.ClientOptions)) Option {
	return func(c *config) {
		if f != nil {
			c.client = append(c.client, f)
		}
	}
}

// Connect connects to the server at url (a mongodb:// connection string),
// checks that it answers a ping, and returns the database named database.
// A server that does not answer within the timeout (see [WithTimeout]) is an
// error that wraps [ErrUnavailable].
func Connect(ctx context.Context, url, database string, opts ...Option) (*DB, error) {
	db, err := Open(url, database, opts...)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		_ = db.client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

// Open returns the database named database on the server at url without
// waiting for the server: connections are made in the background and by the
// first operation, which fails with [ErrUnavailable] when the server does
// not answer within the timeout. Only a malformed URL, option or name is an
// error. Most programs want [Connect].
func Open(url, database string, opts ...Option) (*DB, error) {
	cfg := config{timeout: 10 * time.Second, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
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
	return &DB{client: client, db: client.Database(database), now: cfg.now, timeout: cfg.timeout}, nil
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

// Ping checks that the server answers. A failure wraps [ErrUnavailable].
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, nil); err != nil {
		if errors.Is(err, context.Canceled) {
			return wrap("ping", "", err)
		}
		return &Error{Op: "ping", Kind: ErrUnavailable, Err: err}
	}
	return nil
}

// Close closes the connections, waiting for operations in progress until
// ctx is done.
func (db *DB) Close(ctx context.Context) error {
	if err := db.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Name returns the database name.
func (db *DB) Name() string { return db.db.Name() }

// Database returns the driver's database handle, for what this package does
// not cover. What is done through it gets no audit fields, no owner scoping
// and no error mapping.
func (db *DB) Database() *mongo.Database { return db.db }

// Client returns the driver's client.
func (db *DB) Client() *mongo.Client { return db.client }

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
