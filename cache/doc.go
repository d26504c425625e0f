// Package cache memoizes expensive computations persistently: results
// survive restarts, expire after a TTL, and can be invalidated by key or
// by key prefix.
//
// # Mental model
//
// A [Cache] is a [Store] of byte entries plus the rules around it.
// [Memoize] wraps a function func(ctx, K) (V, error) into a [Memo] whose
// Get looks up the key made of the memo's name and the encoded argument
// ("thumb:fs://local/photos/a.jpg"), and on a miss calls the function once
// for all concurrent callers of that key (singleflight), stores the result
// with its expiry, and returns it. Errors are not stored.
//
// A stored result is served to every caller, so the function runs without
// the caller's identity: its context carries the first caller's trace id
// and nothing else of theirs — no acting user ([identity]), no deadline.
// An owner-scoped read memoized that way fails closed instead of serving
// one user's data to the next. Memoize a function whose result depends on
// who asks with [PerUser]: the user's id becomes part of the key
// ("notes:@u-42:recent") and the function runs as that user.
//
// Values are encoded with a [Codec]: [JSON] by default, because it is
// stable across Go versions and processes and readable when inspecting
// Redis; [Gob] is available with [WithCodec]. Each entry carries a format
// version, its expiry and a CRC-32 of the payload: an entry that fails any
// check, or no longer decodes into V, is dropped and computed again, never
// an error. Expiry is checked against the cache's clock ([Options].Clock),
// so tests can move time.
//
// # Stores
//
// The default store, [DiskStore], is one bbolt (go.etcd.io/bbolt) file.
// bbolt was chosen because it is a maintained (etcd's), pure-Go, embedded
// key/value store with ACID transactions and crash safety (copy-on-write
// B+tree, fsync on commit), a single file with no background compaction or
// goroutines to own, ordered keys that make prefix invalidation a cursor
// seek, and no cgo; the alternatives were heavier (Badger's LSM tree with
// value logs and garbage collection, Pebble) or needed cgo (SQLite
// drivers) for what is a small key/value job. Its one limit is one process
// per file: several instances share a cache through [RedisStore], which
// uses Redis (go-redis) with native expiry and SCAN-based prefix deletion.
// [Open] chooses by configuration ([Config]).
//
// # Usage
//
//	c, err := cache.Open(ctx, cfg, cache.Options{})
//	if err != nil { ... }
//	defer c.Close()
//	thumbs := cache.Memoize(c, "thumb", 24*time.Hour, makeThumbnail)
//	img, err := thumbs.Get(ctx, urn)        // computed once, then read from disk
//	err = thumbs.Invalidate(ctx, urn)        // one entry
//	err = c.InvalidatePrefix(ctx, "thumb:fs://local/photos/") // one folder's
//
//	recent := cache.Memoize(c, "notes.recent", time.Minute, listRecentNotes, cache.PerUser())
//	list, err := recent.Get(ctx, 20) // the acting user's own, computed as them
package cache
