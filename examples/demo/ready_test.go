package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
	"github.com/webos-go/webos/store"
)

// runReady runs `webos-demo ready` in-process on the configuration in the
// environment and returns its output and error.
func runReady(t *testing.T) (string, error) {
	t.Helper()
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out testenv.Buffer
	err = app.Exec(ctx, []string{"ready"}, &out)
	return out.String(), err
}

// lineOf returns the report's line for a backend.
func lineOf(t *testing.T, out, backend string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == backend {
			return l
		}
	}
	t.Fatalf("no line for %s in\n%s", backend, out)
	return ""
}

func expectLine(t *testing.T, out, backend, pattern string) {
	t.Helper()
	if l := lineOf(t, out, backend); !regexp.MustCompile(pattern).MatchString(l) {
		t.Errorf("%s: %q does not match %s", backend, l, pattern)
	}
}

// TestReadyZeroSetup: with the embedded defaults, the report names the
// SQLite database with its version, the in-process Redis and the disk
// source, each up with a latency, and the command succeeds.
func TestReadyZeroSetup(t *testing.T) {
	t.Setenv("WEBOS_DATA_DIR", t.TempDir())
	out, err := runReady(t)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	expectLine(t, out, "database", `^database +sqlite +SQLite 3\.\d+\.\d+ +\d+\.\d ms +up$`)
	expectLine(t, out, "redis", `^redis +in-process +miniredis \(no WEBOS_REDIS_URL\) +\d+\.\d ms +up$`)
	expectLine(t, out, "storage:local", `^storage:local +disk +- +\d+\.\d ms +up$`)
	if !strings.Contains(out, "ready: all 3 backends up") {
		t.Errorf("no verdict:\n%s", out)
	}
}

// TestReadyReportsWhatIsDown: a file source on an S3 endpoint where
// nothing listens is reported down, the others up, and the command fails
// with ErrNotReady naming it (so the binary exits with status 1).
func TestReadyReportsWhatIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	t.Setenv("WEBOS_DATA_DIR", dir)
	t.Setenv("WEBOS_AFS_SOURCES", "local=file://"+filepath.Join(dir, "files")+
		",archive=s3://key:secret@archive?endpoint=http://"+closed+"&use_path_style=true&region=us-east-1")
	out, err := runReady(t)
	if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "storage:archive down") {
		t.Fatalf("err = %v\n%s", err, out)
	}
	expectLine(t, out, "storage:archive", `^storage:archive +s3 +- +\d+\.\d ms +down$`)
	expectLine(t, out, "storage:local", ` up$`)
	expectLine(t, out, "database", ` up$`)
	if !strings.Contains(out, "not ready: storage:archive down") {
		t.Errorf("no verdict:\n%s", out)
	}
}

// TestReadyOnServers: configured for MongoDB (the MongoDB-wire server),
// Redis and an S3 bucket, the report gives each server's version.
func TestReadyOnServers(t *testing.T) {
	mongoURL := testenv.MongoURL(t)
	redisURL := testenv.RedisURL(t)
	bucket := s3test.Temp(t, "ready")
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	ctx := context.Background()
	dbName := "ready_" + id
	t.Cleanup(func() {
		if db, err := store.ConnectMongo(ctx, mongoURL, dbName); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})
	dir := t.TempDir()
	t.Setenv("WEBOS_DATA_DIR", dir)
	t.Setenv("WEBOS_MONGO_URL", mongoURL)
	t.Setenv("WEBOS_MONGO_DB", dbName)
	t.Setenv("WEBOS_REDIS_URL", redisURL)
	t.Setenv("WEBOS_SECRET_KEYS", strings.Repeat(id, 6))
	t.Setenv("WEBOS_BUS_CHANNEL", "ready:"+id)
	t.Setenv("WEBOS_TASKS_NAMESPACE", "ready"+id)
	t.Setenv("WEBOS_VAULT_MASTER_KEYS", "")
	t.Setenv("WEBOS_AFS_SOURCES", "local=file://"+filepath.Join(dir, "files")+",s3="+bucket.URL)
	out, err := runReady(t)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	expectLine(t, out, "database", `^database +mongodb +MongoDB \d+\.\d+\.\d+ \(FerretDB\S*\) +\d+\.\d ms +up$`)
	expectLine(t, out, "redis", `^redis +redis +Redis \d+\.\d+\.\d+ +\d+\.\d ms +up$`)
	expectLine(t, out, "bus", `^bus +redis +Redis \d+\.\d+\.\d+ +\d+\.\d ms +up$`)
	expectLine(t, out, "storage:s3", `^storage:s3 +s3 +- +\d+\.\d ms +up$`)
	expectLine(t, out, "storage:local", `^storage:local +disk .* up$`)
	t.Logf("\n%s", out)
}
