package testenv

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
)

// Environment variables set by `make test`.
const (
	MongoURLVar    = "WEBOS_TEST_MONGO_URL"   // mongodb://<url-encoded Unix socket path>/ (FerretDB over PostgreSQL)
	RedisURLVar    = "WEBOS_TEST_REDIS_URL"   // redis://127.0.0.1:PORT/0
	S3EndpointVar  = "WEBOS_TEST_S3_ENDPOINT" // http://127.0.0.1:PORT (versitygw)
	S3AccessKeyVar = "WEBOS_TEST_S3_ACCESS_KEY"
	// #nosec G101 -- the name of an environment variable, not a credential
	S3SecretKeyVar = "WEBOS_TEST_S3_SECRET_KEY"
	PostgresURLVar = "WEBOS_TEST_POSTGRES_URL" // postgres://postgres@127.0.0.1:PORT/postgres
	ChromiumVar    = "WEBOS_TEST_CHROMIUM"     // path of the chromium binary
)

// Integration marks t as an integration test: skipped under -short.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs real servers (run `make test`)")
	}
}

// Require returns the value of the environment variable name for an
// integration test. Under -short the test is skipped; otherwise an unset
// variable fails the test.
func Require(t testing.TB, name string) string {
	t.Helper()
	Integration(t)
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: integration tests need the servers that `make test` starts", name)
	}
	return v
}

// MongoURL returns the MongoDB-wire server's URL.
func MongoURL(t testing.TB) string { t.Helper(); return Require(t, MongoURLVar) }

// RedisURL returns the Redis server's URL.
func RedisURL(t testing.TB) string { t.Helper(); return Require(t, RedisURLVar) }

// S3 returns the S3 server's endpoint and credentials.
func S3(t testing.TB) (endpoint, accessKey, secretKey string) {
	t.Helper()
	return Require(t, S3EndpointVar), Require(t, S3AccessKeyVar), Require(t, S3SecretKeyVar)
}

// Chromium returns the path of the headless browser binary.
func Chromium(t testing.TB) string { t.Helper(); return Require(t, ChromiumVar) }

// Buffer is a bytes.Buffer that is safe for concurrent use, for capturing
// the output of loggers and servers that write from several goroutines.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// DatabaseName returns a database name unique to this call, starting with
// prefix, so that tests sharing one server never see each other's data.
func DatabaseName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}
