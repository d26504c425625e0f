package scaleout_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
)

// server is a private server process the fault tests may kill and start
// again on the same port with the same data; never one of the shared
// servers.
type server struct {
	name string
	addr string // 127.0.0.1:PORT
	argv func(addr string) []string
	logs *testenv.Buffer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// freeAddr returns a TCP address on 127.0.0.1 that nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startServer starts a private server and waits until it accepts
// connections; it is stopped with the test.
func startServer(t *testing.T, name string, argv func(addr string) []string) *server {
	t.Helper()
	s := &server{name: name, addr: freeAddr(t), argv: argv, logs: &testenv.Buffer{}}
	s.start(t)
	t.Cleanup(func() {
		s.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("%s logs:\n%s", name, s.logs.String())
		}
	})
	return s
}

func (s *server) start(t *testing.T) {
	t.Helper()
	args := s.argv(s.addr)
	deadline := time.Now().Add(30 * time.Second)
	for {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = s.logs, s.logs
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		s.mu.Lock()
		s.cmd, s.done = cmd, done
		s.mu.Unlock()
		for {
			if c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond); err == nil {
				c.Close()
				return
			}
			select {
			case <-done:
			case <-time.After(50 * time.Millisecond):
				if time.Now().Before(deadline) {
					continue
				}
				t.Fatalf("%s does not answer on %s\n%s", s.name, s.addr, s.logs.String())
			}
			break // exited: the port may still be held for a moment; try again
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s keeps exiting\n%s", s.name, s.logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop ends the server with sig and waits for it.
func (s *server) stop(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// kill ends the server at once, as a crash would.
func (s *server) kill() { s.stop(syscall.SIGKILL) }

// privateRedis starts a redis-server of its own that keeps every
// acknowledged write across a kill (append-only file, fsync always).
func privateRedis(t *testing.T) *server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server: %v", err)
	}
	dir := t.TempDir()
	return startServer(t, "redis", func(addr string) []string {
		_, port, _ := net.SplitHostPort(addr)
		return []string{bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
			"--appendfsync", "always", "--dir", dir, "--logfile", ""}
	})
}

// privateMongo builds ./internal/cmd/mongowire and starts it over the
// shared PostgreSQL server (the test's database names are its own).
func privateMongo(t *testing.T) *server {
	t.Helper()
	pg := testenv.Require(t, testenv.PostgresURLVar)
	bin := filepath.Join(t.TempDir(), "mongowire")
	root := moduleRoot(t)
	build := exec.Command("go", "build", "-o", bin, "./internal/cmd/mongowire")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./internal/cmd/mongowire: %v\n%s", err, out)
	}
	return startServer(t, "mongowire", func(addr string) []string {
		return []string{bin, "-listen", addr, "-postgresql", pg}
	})
}

// privateS3 starts a versitygw of its own over a folder, from the shared
// tools folder where scripts/services.sh installs it, and creates bucket.
func privateS3(t *testing.T, bucket string) (*server, string) {
	t.Helper()
	bin := os.Getenv("WEBOS_TOOLS_DIR")
	if bin == "" {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, ".cache", "webos-tools", "bin")
	}
	bin = filepath.Join(bin, "versitygw")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("versitygw (scripts/services.sh up s3 installs it): %v", err)
	}
	dir := t.TempDir()
	const key, secret = "faults-test", "faults-test-secret"
	s := startServer(t, "versitygw", func(addr string) []string {
		return []string{bin, "--port", addr, "--access", key, "--secret", secret, "--health", "/health", "--quiet", "posix", dir}
	})
	endpoint := "http://" + s.addr
	client := s3test.Client(endpoint, key, secret)
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return s, s3test.SourceURL(endpoint, key, secret, bucket)
}

// s3Objects counts the objects in bucket whose key starts with prefix.
func s3Objects(t *testing.T, sourceURL, prefix string) map[string]bool {
	t.Helper()
	u, err := url.Parse(sourceURL)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := u.User.Password()
	b := s3test.Bucket{Client: s3test.Client(u.Query().Get("endpoint"), u.User.Username(), secret), Name: u.Host, URL: sourceURL}
	keys, err := b.Keys(context.Background(), prefix)
	if err != nil {
		t.Fatalf("listing the bucket: %v", err)
	}
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// moduleRoot is the folder of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not in a module")
	}
	return filepath.Dir(gomod)
}
