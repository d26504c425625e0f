package mongowire

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Options configure an embedded server. Exactly one of SQLiteDir and
// PostgreSQLURL must be set, and at most one of Addr and Socket.
type Options struct {
	// Addr is the TCP address to listen on. "" (with no Socket) means
	// "127.0.0.1:0": a free port on the loopback interface, read back with
	// [Server.URI]. Any local user can connect to a TCP port: the server
	// has no authentication (see the package documentation). Use Socket
	// to keep other users out.
	Addr string

	// Socket is the path of a Unix socket to listen on instead of TCP,
	// which only the user running the server can connect to: its folder
	// must be private to that user (mode 0700, created so when missing)
	// and the socket is made mode 0600 before the server accepts a
	// connection. The name must end in ".sock", as MongoDB drivers require
	// of socket paths. A socket file left behind by a server that is gone
	// is replaced; one that a server answers on is an error.
	Socket string

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
		if err := os.MkdirAll(dir, 0o700); err != nil {
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

	// The server binds its listener itself (its configuration takes an
	// address, not a net.Listener), and leaks its backend when that fails:
	// the leak panics later when the garbage collector finds it. So what
	// can be checked is checked first; a free port (port 0) is left to the
	// server to choose, bound once and kept.
	switch {
	case opts.Socket != "" && opts.Addr != "":
		return nil, fmt.Errorf("%w: set Addr or Socket, not both", ErrOptions)
	case opts.Socket != "":
		path, err := prepareSocket(opts.Socket)
		if err != nil {
			return nil, err
		}
		cfg.Listener.Unix = path
	default:
		addr, err := checkAddr(opts.Addr)
		if err != nil {
			return nil, fmt.Errorf("embedded: listen: %w", err)
		}
		cfg.Listener.TCP = addr
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded: start %s backend: %w", cfg.Handler, err)
	}
	uri := f.MongoDBURI()
	if cfg.Listener.Unix != "" {
		// Before the server accepts its first connection.
		if err := os.Chmod(cfg.Listener.Unix, 0o600); err != nil {
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			_ = f.Run(cancelled) // closes the listener and the backend
			return nil, fmt.Errorf("embedded: socket: %w", err)
		}
		// Drivers unescape the host as a query value.
		uri = "mongodb://" + url.QueryEscape(cfg.Listener.Unix) + "/"
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Server{
		uri:     uri,
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

// checkAddr returns the TCP address to give the server: addr, or
// "127.0.0.1:0" for "". It binds the address and releases it first, so that
// an address that cannot be had (a port in use, a host that is not this
// machine's) is an error here rather than a leak in the server. It keeps
// port 0 as it is: the server picks the free port itself when it binds,
// once, and keeps it, so no other process can take the port in between.
func checkAddr(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	return addr, ln.Close()
}

// maxSocketPath is the longest Unix socket path Linux takes (the size of
// sun_path less its terminating zero).
const maxSocketPath = 107

// prepareSocket checks a socket path for Options.Socket and returns it
// absolute: it ends in ".sock", fits a socket address, lies in a folder
// private to the user (made when missing), and is free — a socket file no
// server answers on is removed.
func prepareSocket(path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("embedded: socket: %w", err)
	}
	if !strings.HasSuffix(path, ".sock") {
		return "", fmt.Errorf("%w: the socket's name must end in .sock", ErrOptions)
	}
	if len(path) > maxSocketPath {
		return "", fmt.Errorf("%w: the socket's path is longer than %d bytes", ErrOptions, maxSocketPath)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("embedded: socket folder: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("embedded: socket folder: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%w: the socket's folder %s is open to other users (mode %v): make it 0700", ErrOptions, dir, fi.Mode().Perm())
	}
	fi, err = os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, nil
	case err != nil:
		return "", fmt.Errorf("embedded: socket: %w", err)
	case fi.Mode()&fs.ModeSocket == 0:
		return "", fmt.Errorf("%w: %s exists and is not a socket", ErrOptions, path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return "", fmt.Errorf("embedded: socket %s: another server is listening on it", path)
	}
	if err := os.Remove(path); err != nil {
		return "", fmt.Errorf("embedded: socket: %w", err)
	}
	return path, nil
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
// "mongodb://127.0.0.1:41234/", or "mongodb://%2Frun%2Fdb%2Fmongo.sock/"
// on a socket.
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
