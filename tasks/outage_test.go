package tasks_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
)

// redisServer is a redis-server of the test's own, which it may stop,
// freeze and start again. Unless volatile, it keeps its data in an
// append-only file that is synced on every write, so a restart keeps
// everything Redis acknowledged; a volatile one starts empty every time.
type redisServer struct {
	t        *testing.T
	port     int
	dir      string
	volatile bool
	cmd      *exec.Cmd
	frozen   bool
}

// startRedisServer starts a redis-server that persists every write.
func startRedisServer(t *testing.T) *redisServer { return newRedisServer(t, false) }

// startVolatileRedisServer starts a redis-server that keeps nothing across
// restarts.
func startVolatileRedisServer(t *testing.T) *redisServer { return newRedisServer(t, true) }

func newRedisServer(t *testing.T, volatile bool) *redisServer {
	t.Helper()
	testenv.Integration(t)
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &redisServer{t: t, port: port, dir: t.TempDir(), volatile: volatile}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

func (s *redisServer) start() {
	s.t.Helper()
	persist := []string{"--appendonly", "yes", "--appendfsync", "always"}
	if s.volatile {
		persist = []string{"--appendonly", "no"}
	}
	args := append([]string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", ""}, persist...)
	s.cmd = exec.Command("redis-server", append(args, "--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"))...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server cleanly (SIGTERM).
func (s *redisServer) stop() { s.end(syscall.SIGTERM) }

// kill ends the server at once (SIGKILL), as a crash would.
func (s *redisServer) kill() { s.end(syscall.SIGKILL) }

func (s *redisServer) end(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	s.thaw()
	_ = s.cmd.Process.Signal(sig)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// freeze stops the server process (SIGSTOP): connections stay open, and
// nothing answers, until thaw.
func (s *redisServer) freeze() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
	s.frozen = true
}

// thaw lets a frozen server run again (SIGCONT).
func (s *redisServer) thaw() {
	if s.frozen {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
		s.frozen = false
	}
}

// TestRedisOutage: while Redis is down, enqueue answers 503 JSON and
// /health says so; once it is back, work continues without a restart, and
// no task that was acknowledged is lost.
func TestRedisOutage(t *testing.T) {
	t.Parallel()
	rs := startRedisServer(t)
	var mu sync.Mutex
	ran := map[string]int{}
	running := make(chan struct{}, 100)
	release := make(chan struct{})     // closed once Redis is down
	returned := make(chan struct{}, 3) // a slow handler returned
	var count *tasks.Def[echoIn]
	// The per-user limits are tested on their own (TestFairness); here
	// one user's 33 tasks must all run through the outage.
	e := newEnv(t, rs.url(), tasks.Options{MaxQueuedPerUser: -1, MaxRunningPerUser: -1}, func(*slog.Logger) []tasks.Definition {
		count = tasks.Define("test.count", func(ctx context.Context, p echoIn) (any, error) {
			if p.Text == "slow" {
				running <- struct{}{}
				<-release
				defer func() { returned <- struct{}{} }()
			}
			mu.Lock()
			ran[tasks.ID(ctx)]++
			mu.Unlock()
			return nil, nil
		}, tasks.Expose(permRun), tasks.Backoff(func(int, error) time.Duration { return 0 }))
		return []tasks.Definition{count}
	})
	var acked []string
	enqueue := func(n int) {
		for i := range n {
			acked = append(acked, e.enqueue("test.count", "alice", echoIn{Text: strconv.Itoa(i)}))
		}
	}
	enqueue(10)
	// These are running when Redis goes away.
	for range 3 {
		acked = append(acked, e.enqueue("test.count", "alice", echoIn{Text: "slow"}))
	}
	// These wait in Redis while it goes down and comes back.
	ctx := contextAs("alice")
	for range 10 {
		id, err := count.Enqueue(ctx, echoIn{Text: "delayed"}, tasks.Delay(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, id)
	}

	for range 3 {
		<-running
	}
	rs.kill() // appendfsync always: what Redis acknowledged is on disk
	res := e.do("POST", "/tasks/test.count", "alice", echoIn{Text: "down"})
	var body webos.ErrorBody
	res.json(t, &body)
	if res.Code != http.StatusServiceUnavailable || body.Error == "" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("enqueue while Redis is down: %d %s", res.Code, res.Body)
	}
	if res := e.do("GET", "/health", "", nil); res.Code != http.StatusServiceUnavailable {
		t.Fatalf("health while Redis is down: %d %s", res.Code, res.Body)
	}
	if health := e.app.Health(context.Background()); health.Checks["redis"].Status != "down" {
		t.Fatalf("health details while Redis is down: %+v", health)
	}
	if res := e.do("GET", "/tasks/"+acked[0], "alice", nil); res.Code != http.StatusServiceUnavailable {
		t.Fatalf("status while Redis is down: %d %s", res.Code, res.Body)
	}
	// The running tasks end during the outage: their outcomes wait for Redis.
	close(release)
	for range 3 {
		<-returned
	}

	rs.start()
	e.waitHealthy(20 * time.Second)
	enqueue(10)

	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		missing := 0
		for _, id := range acked {
			if ran[id] == 0 {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged tasks never ran", missing, len(acked))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, id := range acked {
		if st := e.waitDone(id, "alice", 10*time.Second); st.State != tasks.StateSucceeded {
			t.Fatalf("task %s: %+v", id, st)
		}
	}
}
