package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore is a [Store] in Redis, for several instances of an
// application that share one cache. Keys are the cache keys after a prefix;
// entries with a ttl expire in Redis too.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
	owned  bool
}

// NewRedis returns a store that uses client, putting prefix (say
// "webos:cache:") before every key. Closing the store leaves the client
// open.
func NewRedis(client redis.UniversalClient, prefix string) *RedisStore {
	return &RedisStore{client: client, prefix: prefix}
}

// OpenRedis connects to the Redis server at url (redis://host:port/db) and
// checks it answers. Closing the store closes the connection.
func OpenRedis(ctx context.Context, url, prefix string) (*RedisStore, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("cache: malformed Redis URL")
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("cache: Redis at %s: %w", opts.Addr, err)
	}
	return &RedisStore{client: client, prefix: prefix, owned: true}, nil
}

// Get implements [Store].
func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Set implements [Store].
func (s *RedisStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		ttl = 0
	}
	return s.client.Set(ctx, s.prefix+key, value, ttl).Err()
}

// Delete implements [Store].
func (s *RedisStore) Delete(ctx context.Context, key string) error {
	return s.client.Unlink(ctx, s.prefix+key).Err()
}

// DeletePrefix implements [Store]. It scans for the keys (SCAN, never
// KEYS), on every master of a cluster.
func (s *RedisStore) DeletePrefix(ctx context.Context, prefix string) error {
	match := globEscape(s.prefix+prefix) + "*"
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return deleteMatching(ctx, c, match, true)
		})
	}
	return deleteMatching(ctx, s.client, match, false)
}

// deleteMatching deletes the keys matching match. In a cluster, keys of
// different hash slots cannot go in one command, so each is unlinked on
// its own (pipelined).
func deleteMatching(ctx context.Context, c redis.Cmdable, match string, perKey bool) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, match, 500).Result()
		if err != nil {
			return err
		}
		switch {
		case len(keys) == 0:
		case perKey:
			_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					p.Unlink(ctx, k)
				}
				return nil
			})
			if err != nil {
				return err
			}
		default:
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// globEscape escapes the characters that Redis MATCH patterns treat
// specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes the connection when the store opened it.
func (s *RedisStore) Close() error {
	if s.owned {
		return s.client.Close()
	}
	return nil
}
