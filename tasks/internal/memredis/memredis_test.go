package memredis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestKeysExpire: key lifetimes follow the wall clock.
func TestKeysExpire(t *testing.T) {
	defer func(d time.Duration) { tick = d }(tick)
	tick = 10 * time.Millisecond
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opts := s.ClientOptions()
	c := redis.NewClient(opts)
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 100*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Exists(ctx, "k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("key did not expire")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSaveLoad: a server with a file keeps every kind of key asynq and the
// tasks module use, binary values and lifetimes, across a close and an
// open; keys whose lifetime ended meanwhile are gone.
func TestSaveLoad(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sub", "redis.gob")
	s, err := Open(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := client(s)
	ctx := context.Background()
	bin := "a\xff\x00b"
	c.Set(ctx, "str", bin, 0)
	c.Set(ctx, "ttl", "v", time.Hour)
	c.Set(ctx, "short", "v", time.Millisecond)
	c.RPush(ctx, "list", "1", bin, "3")
	c.SAdd(ctx, "set", "x", "y")
	c.HSet(ctx, "hash", "f", bin, "g", "2")
	c.ZAdd(ctx, "zset", redis.Z{Score: 1.5, Member: "m"}, redis.Z{Score: -3, Member: bin})
	id := c.XAdd(ctx, &redis.XAddArgs{Stream: "stream", Values: []any{"e", bin}}).Val()
	c.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // "short" expires while closed

	s, err = Open(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c = client(s)
	defer c.Close()
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	check("str", c.Get(ctx, "str").Val(), bin)
	if ttl := c.TTL(ctx, "ttl").Val(); ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("ttl: %v", ttl)
	}
	check("str ttl", c.TTL(ctx, "str").Val(), time.Duration(-1))
	check("short", c.Exists(ctx, "short").Val(), 0)
	check("list", c.LRange(ctx, "list", 0, -1).Val(), []string{"1", bin, "3"})
	check("set", c.SMembers(ctx, "set").Val(), []string{"x", "y"})
	check("hash", c.HGetAll(ctx, "hash").Val(), map[string]string{"f": bin, "g": "2"})
	check("zset", c.ZRangeWithScores(ctx, "zset", 0, -1).Val(), []redis.Z{{Score: -3, Member: bin}, {Score: 1.5, Member: "m"}})
	check("stream", c.XRange(ctx, "stream", "-", "+").Val(), []redis.XMessage{{ID: id, Values: map[string]any{"e": bin}}})
}

// TestSavesWhileRunning: the file is written while the server runs, so a
// crash loses only what changed since.
func TestSavesWhileRunning(t *testing.T) {
	defer func(d time.Duration) { saveInterval = d }(saveInterval)
	saveInterval = 50 * time.Millisecond
	file := filepath.Join(t.TempDir(), "redis.gob")
	s, err := Open(file, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := client(s)
	defer c.Close()
	c.Set(context.Background(), "k", "v", 0)
	// What a crash would leave: the file as it is at some moment.
	deadline := time.Now().Add(10 * time.Second)
	for !savedKey(t, file, "k") {
		if time.Now().After(deadline) {
			t.Fatal("k not saved while running")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// savedKey reports whether a server opened on a copy of file has key.
func savedKey(t *testing.T, file, key string) bool {
	t.Helper()
	if _, err := os.Stat(file); err != nil {
		return false
	}
	cp := file + ".copy"
	copyFile(t, file, cp)
	s, err := Open(cp, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := client(s)
	defer c.Close()
	return c.Exists(context.Background(), key).Val() == 1
}

// TestBadFile: a file that holds no saved data stops Open, and stays as it
// was.
func TestBadFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "redis.gob")
	if err := os.WriteFile(file, []byte("not a snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(file, nil); err == nil {
		s.Close()
		t.Fatal("Open accepted a bad file")
	} else if !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("error: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "not a snapshot" {
		t.Fatalf("the file changed: %q", b)
	}
}

func client(s *Server) *redis.Client {
	opts := s.ClientOptions()
	return redis.NewClient(opts)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPasswordRequired: the server refuses clients without its password,
// or with a wrong one, and serves those with ClientOptions; neither its
// address nor the texts of refusals carry the password.
func TestPasswordRequired(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	pw := s.ClientOptions().Password
	if len(pw) < 20 {
		t.Fatalf("password %d characters long, want a random one of 20 or more", len(pw))
	}
	if strings.Contains(s.Addr(), pw) {
		t.Fatal("Addr carries the password")
	}
	for name, opts := range map[string]*redis.Options{
		"none":  {Addr: s.Addr()},
		"wrong": {Addr: s.Addr(), Password: "not-" + pw},
		"user":  {Addr: s.Addr(), Username: "other", Password: pw},
	} {
		opts.MaxRetries = -1
		c := redis.NewClient(opts)
		for _, cmd := range []redis.Cmder{c.Ping(ctx), c.Set(ctx, "forged", "x", 0), c.Keys(ctx, "*")} {
			if cmd.Err() == nil {
				t.Errorf("%s password: %s succeeded", name, cmd.Name())
			} else if strings.Contains(cmd.Err().Error(), pw) {
				t.Errorf("%s password: the error names the password: %v", name, cmd.Err())
			}
		}
		c.Close()
	}
	c := client(s)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("with ClientOptions: %v", err)
	}
	if n := c.Exists(ctx, "forged").Val(); n != 0 {
		t.Fatal("a client without the password wrote a key")
	}
	other, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.ClientOptions().Password == pw {
		t.Fatal("two servers have the same password")
	}
}
