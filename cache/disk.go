package cache

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DiskStore is the default [Store]: one bbolt file on the local disk that
// survives restarts. One process at a time may open the file (a second
// waits a few seconds, then fails); instances that share a cache use
// [RedisStore]. Entries past their ttl are removed when the store opens and
// by [DiskStore.Sweep].
type DiskStore struct {
	db *bolt.DB
}

var entriesBucket = []byte("entries")

// OpenDisk opens the store file at path, making it and its folder when
// missing. A file that is not a valid store (damaged, or another program's)
// is renamed to path + ".corrupt-<time>" and a new one started, since a
// cache can always be rebuilt; log reports that (nil: slog.Default()).
func OpenDisk(path string, log *slog.Logger) (*DiskStore, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	opts := &bolt.Options{Timeout: 5 * time.Second}
	db, err := bolt.Open(path, 0o600, opts)
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch) {
		aside := fmt.Sprintf("%s.corrupt-%d", path, time.Now().Unix())
		log.Warn("cache: store file unreadable; starting a new one", "path", path, "moved_to", aside, "err", err)
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("cache: %s: %w (and moving it aside: %v)", path, err, rerr)
		}
		db, err = bolt.Open(path, 0o600, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(entriesBucket)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	s := &DiskStore{db: db}
	if _, err := s.Sweep(); err != nil {
		log.Warn("cache: sweeping expired entries failed", "err", err)
	}
	return s, nil
}

// Stored values carry the wall-clock deadline (Unix nanoseconds, 0 for
// none) after which Sweep may remove them.
const deadlineLen = 8

// Get implements [Store].
func (s *DiskStore) Get(_ context.Context, key string) ([]byte, bool, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(entriesBucket).Get([]byte(key))
		if v == nil {
			return nil
		}
		if len(v) < deadlineLen {
			out = []byte{} // unreadable: the cache drops it
			return nil
		}
		out = bytes.Clone(v[deadlineLen:])
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, out != nil, nil
}

// Set implements [Store].
func (s *DiskStore) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	v := make([]byte, deadlineLen+len(value))
	if ttl > 0 {
		binary.BigEndian.PutUint64(v, uint64(time.Now().Add(ttl).UnixNano()))
	}
	copy(v[deadlineLen:], value)
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(entriesBucket).Put([]byte(key), v)
	})
}

// Delete implements [Store].
func (s *DiskStore) Delete(_ context.Context, key string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(entriesBucket).Delete([]byte(key))
	})
}

// DeletePrefix implements [Store].
func (s *DiskStore) DeletePrefix(_ context.Context, prefix string) error {
	p := []byte(prefix)
	return s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(entriesBucket).Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Seek(p) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

// Sweep removes the entries whose ttl has passed and returns how many.
func (s *DiskStore) Sweep() (int, error) {
	now := time.Now().UnixNano()
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(entriesBucket).Cursor()
		for k, v := c.First(); k != nil; {
			expired := len(v) < deadlineLen
			if !expired {
				d := int64(binary.BigEndian.Uint64(v)) // #nosec G115 -- the deadline was stored as uint64(int64 UnixNano): converted back bit for bit
				expired = d != 0 && d < now
			}
			if !expired {
				k, v = c.Next()
				continue
			}
			k = bytes.Clone(k)
			if err := c.Delete(); err != nil {
				return err
			}
			n++
			// After a delete the cursor may skip; look up the next key anew.
			k, v = c.Seek(k)
		}
		return nil
	})
	return n, err
}

// Close closes the file.
func (s *DiskStore) Close() error { return s.db.Close() }
