package memredis

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// snapshotVersion is the version of the file format.
const snapshotVersion = 1

// snapshot is what a server's file holds: every key of database 0 with its
// type, value and the time its lifetime ends.
type snapshot struct {
	Version int
	Saved   time.Time
	Keys    []entry
}

type entry struct {
	Key      string
	Type     string    // string, list, set, hash, zset or stream
	ExpireAt time.Time // zero for a key without a lifetime
	// Values: the string; the list's or set's elements; the hash's fields
	// and values, alternating; the sorted set's members and scores,
	// alternating.
	Values []string
	Stream []streamEntry
}

type streamEntry struct {
	ID     string
	Values []string
}

// dumpScript reads every key in one go, so that the snapshot is of one
// moment: [key, type, milliseconds to live or -1, value] for each. Stream
// consumer groups are not kept.
var dumpScript = redis.NewScript(`
local out = {}
for _, k in ipairs(redis.call("KEYS", "*")) do
  local t = redis.call("TYPE", k)["ok"]
  local v
  if t == "string" then v = {redis.call("GET", k)}
  elseif t == "list" then v = redis.call("LRANGE", k, 0, -1)
  elseif t == "set" then v = redis.call("SMEMBERS", k)
  elseif t == "hash" then v = redis.call("HGETALL", k)
  elseif t == "zset" then v = redis.call("ZRANGE", k, 0, -1, "WITHSCORES")
  elseif t == "stream" then v = redis.call("XRANGE", k, "-", "+")
  end
  if v then table.insert(out, {k, t, redis.call("PTTL", k), v}) end
end
return out`)

// save writes the data the server behind rdb holds to file.
func save(ctx context.Context, rdb *redis.Client, file string) error {
	now := time.Now()
	res, err := dumpScript.Run(ctx, rdb, nil).Slice()
	if err != nil {
		return fmt.Errorf("memredis: reading the data to save: %w", err)
	}
	snap := snapshot{Version: snapshotVersion, Saved: now.UTC(), Keys: make([]entry, 0, len(res))}
	for _, r := range res {
		e, err := entryOf(r, now)
		if err != nil {
			return fmt.Errorf("memredis: reading the data to save: %w", err)
		}
		snap.Keys = append(snap.Keys, e)
	}
	return writeFile(file, &snap)
}

var errShape = errors.New("unexpected reply")

func entryOf(r any, now time.Time) (entry, error) {
	f, ok := r.([]any)
	if !ok || len(f) != 4 {
		return entry{}, errShape
	}
	key, _ := f[0].(string)
	typ, _ := f[1].(string)
	ttl, _ := f[2].(int64)
	vals, ok := f[3].([]any)
	if !ok {
		return entry{}, errShape
	}
	e := entry{Key: key, Type: typ}
	if ttl >= 0 {
		e.ExpireAt = now.Add(time.Duration(ttl) * time.Millisecond).UTC()
	}
	if typ != "stream" {
		e.Values = make([]string, len(vals))
		for i, v := range vals {
			if e.Values[i], ok = v.(string); !ok {
				return entry{}, errShape
			}
		}
		return e, nil
	}
	for _, v := range vals {
		se, ok := v.([]any)
		if !ok || len(se) != 2 {
			return entry{}, errShape
		}
		id, _ := se[0].(string)
		fields, _ := se[1].([]any)
		ent := streamEntry{ID: id, Values: make([]string, len(fields))}
		for i, fv := range fields {
			ent.Values[i], _ = fv.(string)
		}
		e.Stream = append(e.Stream, ent)
	}
	return e, nil
}

func writeFile(file string, snap *snapshot) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("memredis: saving: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("memredis: saving: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is none
	w := bufio.NewWriter(tmp)
	err = gob.NewEncoder(w).Encode(snap)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("memredis: saving to %s: %w", file, err)
	}
	return nil
}

// load puts the data saved in file into mr; a missing file is no data.
func load(mr *miniredis.Miniredis, file string) error {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("memredis: reading the saved data: %w", err)
	}
	defer f.Close()
	var snap snapshot
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&snap); err != nil {
		return fmt.Errorf("memredis: %s does not hold saved data (%v): move it away to start empty", file, err)
	}
	if snap.Version != snapshotVersion {
		return fmt.Errorf("memredis: %s holds data saved in format %d, not %d: move it away to start empty", file, snap.Version, snapshotVersion)
	}
	now := time.Now()
	for _, e := range snap.Keys {
		var ttl time.Duration
		if !e.ExpireAt.IsZero() {
			if ttl = e.ExpireAt.Sub(now); ttl <= 0 {
				continue
			}
		}
		if err := restore(mr, e); err != nil {
			return fmt.Errorf("memredis: loading key %q from %s: %w", e.Key, file, err)
		}
		if ttl > 0 {
			mr.SetTTL(e.Key, ttl)
		}
	}
	return nil
}

func restore(mr *miniredis.Miniredis, e entry) error {
	var err error
	switch e.Type {
	case "string":
		if len(e.Values) != 1 {
			return errShape
		}
		err = mr.Set(e.Key, e.Values[0])
	case "list":
		_, err = mr.RPush(e.Key, e.Values...)
	case "set":
		_, err = mr.SAdd(e.Key, e.Values...)
	case "hash":
		if len(e.Values)%2 != 0 {
			return errShape
		}
		mr.HSet(e.Key, e.Values...)
	case "zset":
		if len(e.Values)%2 != 0 {
			return errShape
		}
		for i := 0; i < len(e.Values); i += 2 {
			score, perr := strconv.ParseFloat(e.Values[i+1], 64)
			if perr != nil {
				return perr
			}
			if _, err = mr.ZAdd(e.Key, score, e.Values[i]); err != nil {
				return err
			}
		}
	case "stream":
		for _, se := range e.Stream {
			if _, err = mr.XAdd(e.Key, se.ID, se.Values); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown type %q", e.Type)
	}
	return err
}
