package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/webos-go/webos"
)

// ErrClosed is returned by calls on a closed [Cache], and by computations
// that Close cancelled.
var ErrClosed = fmt.Errorf("cache: closed: %w", webos.ErrUnavailable)

// Store keeps encoded entries by key. [DiskStore] and [RedisStore] are the
// two implementations; a store that also implements io.Closer is closed by
// [Cache.Close]. Implementations must be safe for concurrent use.
type Store interface {
	// Get returns the value stored under key; ok is false when there is
	// none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key. A positive ttl allows the store to drop
	// the entry after that long; the cache checks expiry itself.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes the entry under key, if any.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every entry whose key starts with prefix ("" is
	// every entry).
	DeletePrefix(ctx context.Context, prefix string) error
}

// Config is the cache part of the application's configuration, read from
// the environment by the kernel's config loader (WEBOS_CACHE_DIR,
// WEBOS_CACHE_REDIS_URL, WEBOS_CACHE_REDIS_PREFIX).
type Config struct {
	// Dir holds the on-disk store, cache.db, used unless RedisURL is set.
	Dir string `env:"CACHE_DIR" envDefault:"./data/cache"`
	// RedisURL, when set, keeps entries in Redis instead, shared by every
	// instance of the application.
	RedisURL webos.Secret `env:"CACHE_REDIS_URL"`
	// RedisPrefix is put before every key in Redis.
	RedisPrefix string `env:"CACHE_REDIS_PREFIX" envDefault:"webos:cache:"`
}

// Options configures a [Cache].
type Options struct {
	// Clock returns the current time, for expiry; nil means time.Now.
	// Tests set it to move time forward.
	Clock func() time.Time
	// Logger reports entries that were dropped as corrupt and store errors,
	// which never fail a call; nil means slog.Default().
	Logger *slog.Logger
}

// Cache memoizes computations in a [Store]. Make memoized functions with
// [Memoize]. A Cache is safe for concurrent use.
type Cache struct {
	store Store
	now   func() time.Time
	log   *slog.Logger

	flights singleflight.Group

	// life is cancelled by Close; computations in flight derive from it.
	life context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// New returns a cache over store. The cache owns the store: Close closes it
// when it is an io.Closer.
func New(store Store, opts Options) *Cache {
	c := &Cache{store: store, now: opts.Clock, log: opts.Logger}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.life, c.stop = context.WithCancel(context.Background())
	return c
}

// Open returns a cache as cfg says: over Redis when cfg.RedisURL is set,
// otherwise over a [DiskStore] in cfg.Dir.
func Open(ctx context.Context, cfg Config, opts Options) (*Cache, error) {
	if cfg.RedisURL != "" {
		s, err := OpenRedis(ctx, cfg.RedisURL.Reveal(), cfg.RedisPrefix)
		if err != nil {
			return nil, err
		}
		return New(s, opts), nil
	}
	if cfg.Dir == "" {
		return nil, errors.New("cache: no Dir and no RedisURL configured")
	}
	s, err := OpenDisk(filepath.Join(cfg.Dir, "cache.db"), opts.Logger)
	if err != nil {
		return nil, err
	}
	return New(s, opts), nil
}

// Store returns the cache's store.
func (c *Cache) Store() Store { return c.store }

// Invalidate drops the entry under key (see [Memo.Key]).
func (c *Cache) Invalidate(ctx context.Context, key string) error {
	if err := c.store.Delete(ctx, key); err != nil {
		return fmt.Errorf("cache: invalidate %q: %w", key, err)
	}
	return nil
}

// InvalidatePrefix drops every entry whose key starts with prefix. Keys are
// the memoized function's name, a colon and the encoded argument (see
// [Memo.Key]), so "thumb:" drops all of "thumb", and
// "thumb:fs://local/photos/" the thumbnails of one folder.
func (c *Cache) InvalidatePrefix(ctx context.Context, prefix string) error {
	if err := c.store.DeletePrefix(ctx, prefix); err != nil {
		return fmt.Errorf("cache: invalidate prefix %q: %w", prefix, err)
	}
	return nil
}

// Clear drops every entry.
func (c *Cache) Clear(ctx context.Context) error { return c.InvalidatePrefix(ctx, "") }

// Close cancels the computations in flight (their callers get an error),
// waits for them to end, and closes the store. Calls after Close fail with
// [ErrClosed].
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.wg.Wait()
	if cl, ok := c.store.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// begin registers a computation; false once the cache is closed.
func (c *Cache) begin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.wg.Add(1)
	return true
}

func (c *Cache) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
