package mongowire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Options configure an embedded server. Exactly one of SQLiteDir and
// PostgreSQLURL must be set.
type Options struct {
	// Addr is the TCP address to listen on. "" means "127.0.0.1:0": a free
	// port on the loopback interface, read back with [Server.URI].
	Addr string

	// SQLiteDir is the folder that holds the data, one SQLite file per
	// database. It is created when missing. Good for a zero-setup demo; every
	// query but one by _id scans the whole collection.
	SQLiteDir string

	// PostgreSQLURL is a PostgreSQL connection URL, e.g.
	// "postgres://user@127.0.0.1:5432/db". Use it for anything with more
	// than a few thousand documents: indexes are used.
	PostgreSQLURL string

	// Logger receives the server's log. nil means slog.Default(). Only
	// records at level ERROR and above are passed on: the server logs every
	// failed command in full at lower levels.
	Logger *slog.Logger
}

// Server is a running MongoDB-wire server inside the process.
type Server struct {
	uri     string
	backend string
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// ErrOptions is returned by [Start] when its options are unusable.
var ErrOptions = errors.New("embedded: invalid options")

// Start listens on opts.Addr and serves the MongoDB wire protocol from the
// chosen backend until [Server.Close]. It returns once the server answers a
// ping, which needs a working backend: a wrong PostgreSQL URL is an error
// here, not at the first query. ctx bounds only the start itself (10s when
// it has no deadline); the server runs until closed.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := &ferretdb.Config{Logger: errorsOnly(opts.Logger)}
	switch {
	case opts.SQLiteDir != "" && opts.PostgreSQLURL != "":
		return nil, fmt.Errorf("%w: set SQLiteDir or PostgreSQLURL, not both", ErrOptions)
	case opts.SQLiteDir != "":
		dir, err := filepath.Abs(opts.SQLiteDir)
		if err != nil {
			return nil, fmt.Errorf("embedded: sqlite folder: %w", err)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("embedded: sqlite folder: %w", err)
		}
		cfg.Handler = "sqlite"
		cfg.SQLiteURL = "file:" + filepath.ToSlash(dir) + "/"
	case opts.PostgreSQLURL != "":
		cfg.Handler = "postgresql"
		cfg.PostgreSQLURL = opts.PostgreSQLURL
	default:
		return nil, fmt.Errorf("%w: set SQLiteDir or PostgreSQLURL", ErrOptions)
	}

	// The server leaks its backend when it fails to listen, and the leak
	// panics later when the garbage collector finds it: find out here
	// whether the address is usable, and turn port 0 into a fixed one.
	addr, err := probe(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded: listen: %w", err)
	}
	cfg.Listener.TCP = addr

	f, err := ferretdb.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded: start %s backend on %s: %w", cfg.Handler, cfg.Listener.TCP, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Server{
		uri:     f.MongoDBURI(),
		backend: cfg.Handler,
		cancel:  cancel,
		done:    make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	if err := s.ping(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("embedded: %s backend: %w", cfg.Handler, err)
	}
	return s, nil
}

// probe binds addr ("" means "127.0.0.1:0") and releases it at once. It
// returns the bound address, with a free port when addr asked for port 0.
func probe(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	bound := ln.Addr().String()
	return bound, ln.Close()
}

// ping asks the server for a ping, which it answers only when its backend
// is reachable.
func (s *Server) ping(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	c, err := mongo.Connect(options.Client().ApplyURI(s.uri).SetMaxPoolSize(1))
	if err != nil {
		return err
	}
	defer c.Disconnect(context.WithoutCancel(ctx))
	return c.Ping(ctx, nil)
}

// URI returns the MongoDB connection URL of the server, e.g.
// "mongodb://127.0.0.1:41234/".
func (s *Server) URI() string { return s.uri }

// Backend returns "sqlite" or "postgresql".
func (s *Server) Backend() string { return s.backend }

// Close stops accepting connections, closes the open ones and the backend,
// and waits until all of that is done. Clients still connected get a few
// seconds to finish first, so disconnect them before. It is safe to call
// more than once.
func (s *Server) Close() error {
	s.once.Do(s.cancel)
	<-s.done
	return nil
}
