package webos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/identity"
)

// healthGet fetches url and returns the status and the body.
func healthGet(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	return resp.StatusCode, string(b)
}

// switchable is a health check that fails while down is set and counts
// its runs.
type switchable struct {
	down atomic.Bool
	runs atomic.Int64
}

func (s *switchable) check(context.Context) error {
	s.runs.Add(1)
	if s.down.Load() {
		return errors.New("dial tcp 10.1.2.3:27017: connection refused")
	}
	return nil
}

// expireHealthCache ages the cached /health result past HealthCacheTTL, as
// the clock would, without waiting for it.
func expireHealthCache(app *App) {
	hc := &app.state().health
	hc.mu.Lock()
	hc.at = hc.at.Add(-HealthCacheTTL)
	hc.mu.Unlock()
}

func TestHealthPublicAnswerIsStatusOnly(t *testing.T) {
	app := New(testConfig())
	app.SetLogger(slog.New(slog.DiscardHandler))
	db := &switchable{}
	app.AddHealthCheck("mongodb", db.check)
	srv := startApp(t, app)
	status, body := healthGet(t, srv.URL+"/health")
	if status != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("up: %d %s", status, body)
	}
	db.down.Store(true)
	expireHealthCache(app)
	status, body = healthGet(t, srv.URL+"/health")
	if status != 503 || strings.TrimSpace(body) != `{"status":"unavailable","error":"service unavailable"}` {
		t.Fatalf("down: %d %s", status, body)
	}
	// The detailed report names the check but not the cause.
	rep := app.Health(context.Background())
	if rep.Checks["mongodb"].Status != "down" || !strings.Contains(rep.Error, "mongodb") {
		t.Fatalf("details: %+v", rep)
	}
	if b, _ := json.Marshal(rep); bytes.Contains(b, []byte("10.1.2.3")) || bytes.Contains(b, []byte("refused")) {
		t.Fatalf("the report shows the cause: %s", b)
	}
}

func TestHealthCachedAndShared(t *testing.T) {
	app := New(testConfig())
	app.SetLogger(slog.New(slog.DiscardHandler))
	release := make(chan struct{})
	var runs, waiting atomic.Int64
	app.AddHealthCheck("slow", func(ctx context.Context) error {
		runs.Add(1)
		<-release
		return nil
	})
	srv := startApp(t, app)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			waiting.Add(1)
			if status, body := healthGet(t, srv.URL+"/health"); status != 200 {
				t.Errorf("%d %s", status, body)
			}
		})
	}
	for waiting.Load() < 8 || runs.Load() < 1 {
		time.Sleep(5 * time.Millisecond)
	}
	// Requests still on their way when the run ends find its fresh result
	// in the cache: either way the check runs once.
	close(release)
	wg.Wait()
	for range 20 {
		healthGet(t, srv.URL+"/health")
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("the check ran %d times for 28 requests within a second, want 1", n)
	}
	expireHealthCache(app)
	healthGet(t, srv.URL+"/health")
	if n := runs.Load(); n != 2 {
		t.Fatalf("after the cache expired the check ran %d times, want 2", n)
	}
}

// TestRecentHealthSharesTheProbeCache checks that RecentHealth answers
// from the report GET /health made, with the details, and that a caller
// changing its copy leaves the cache alone.
func TestRecentHealthSharesTheProbeCache(t *testing.T) {
	app := New(testConfig())
	app.SetLogger(slog.New(slog.DiscardHandler))
	var runs atomic.Int64
	app.AddHealthCheck("db", func(ctx context.Context) error { runs.Add(1); return nil })
	srv := startApp(t, app)
	expireHealthCache(app)
	probed := time.Now()
	healthGet(t, srv.URL+"/health")
	ctx := context.Background()
	rep, err := app.RecentHealth(ctx)
	if err != nil || rep.Status != "ok" || rep.Checks["db"].Status != "up" {
		t.Fatalf("RecentHealth = %+v, %v", rep, err)
	}
	delete(rep.Checks, "db")
	if again, _ := app.RecentHealth(ctx); again.Checks["db"].Status != "up" {
		t.Fatalf("a caller's change reached the cache: %+v", again)
	}
	switch n := runs.Load(); {
	case time.Since(probed) >= HealthCacheTTL:
		t.Logf("the probe and the views took %v, over the cache's TTL: the run count (%d) is not checked", time.Since(probed), n)
	case n != 1:
		t.Fatalf("the check ran %d times for a probe and two views within a second, want 1", n)
	}
	expireHealthCache(app)
	runs.Store(1)
	if _, err := app.RecentHealth(ctx); err != nil || runs.Load() != 2 {
		t.Fatalf("after the cache expired: %v, %d runs, want 2", err, runs.Load())
	}
}

func TestHealthChecksRunInParallelWithOwnDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for HealthTimeout")
	}
	t.Parallel()
	app := New(testConfig())
	app.SetLogger(slog.New(slog.DiscardHandler))
	for _, name := range []string{"a", "b", "c"} {
		app.AddHealthCheck(name, func(context.Context) error { time.Sleep(300 * time.Millisecond); return nil })
	}
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	app.AddHealthCheck("stuck", func(context.Context) error { <-stuck; return nil }) // ignores its context
	start := time.Now()
	rep := app.Health(context.Background())
	took := time.Since(start)
	if took > HealthTimeout+time.Second {
		t.Fatalf("the checks took %s", took)
	}
	if rep.Checks["stuck"].Status != "down" || rep.Checks["a"].Status != "up" || rep.Checks["c"].Status != "up" {
		t.Fatalf("%+v", rep)
	}
	if l := rep.Checks["a"].LatencyMS; l < 300 || l > 1000 {
		t.Fatalf("latency of a: %v ms", l)
	}
}

func TestHealthLogsStateChanges(t *testing.T) {
	app := New(testConfig())
	var logs bytes.Buffer
	var mu sync.Mutex
	app.SetLogger(slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)))
	db := &switchable{}
	app.AddHealthCheck("mongodb", db.check)
	count := func(msg string) int {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(logs.String(), msg)
	}
	ctx := context.Background()
	app.Health(ctx)
	db.down.Store(true)
	for range 3 {
		app.Health(ctx)
	}
	if n := count("health check failed"); n != 1 {
		t.Fatalf("%d WARN lines for one failure, want 1:\n%s", n, logs.String())
	}
	db.down.Store(false)
	app.Health(ctx)
	app.Health(ctx)
	if n := count("health check recovered"); n != 1 {
		t.Fatalf("%d recovery lines, want 1:\n%s", n, logs.String())
	}
	db.down.Store(true)
	app.Health(ctx)
	if n := count("health check failed"); n != 2 {
		t.Fatalf("%d WARN lines after a second failure, want 2:\n%s", n, logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// headerAuth signs requests in from the X-User header and grants the
// permissions X-Perms names, as an auth module would.
type headerAuth struct{}

type headerUserKey struct{}

func (headerAuth) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "who"} }
func (headerAuth) Authorizer() Authorizer { return headerAuth{} }
func (headerAuth) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if id := r.Header.Get("X-User"); id != "" {
		perms := strings.Fields(r.Header.Get("X-Perms"))
		ctx := context.WithValue(identity.With(r.Context(), identity.Subject(id)), headerUserKey{}, perms)
		r = r.WithContext(ctx)
	}
	return r, nil
}
func (headerAuth) Authorize(ctx context.Context, perm string) error {
	perms, ok := ctx.Value(headerUserKey{}).([]string)
	if !ok {
		return ErrUnauthorized
	}
	for _, p := range perms {
		if p == "*" || p == perm {
			return nil
		}
	}
	return ErrForbidden
}

func TestHealthDetailsNeedThePermission(t *testing.T) {
	app := New(testConfig(), headerAuth{})
	app.SetLogger(slog.New(slog.DiscardHandler))
	db := &switchable{}
	db.down.Store(true)
	app.AddHealthCheck("mongodb", db.check)
	srv := startApp(t, app)
	url := srv.URL + HealthDetailsPath
	for _, c := range []struct {
		name   string
		header []string
		want   int
	}{
		{"anonymous", nil, 401},
		{"user without permissions", []string{"X-User", "u1"}, 403},
		{"user with another permission", []string{"X-User", "u1", "X-Perms", "notes.read"}, 403},
	} {
		if status, body := healthGet(t, url, c.header...); status != c.want || !strings.Contains(body, `"error"`) || strings.Contains(body, "mongodb") {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
	// Without an authorizer, nobody sees them.
	closed := startApp(t, New(testConfig()))
	if status, body := healthGet(t, closed.URL+HealthDetailsPath, "X-User", "admin", "X-Perms", "*"); status != 401 {
		t.Errorf("without an authorizer: %d %s", status, body)
	}
	for _, perms := range []string{"*", PermHealthDetails} {
		status, body := healthGet(t, url, "X-User", "admin", "X-Perms", perms)
		var rep HealthReport
		_ = json.Unmarshal([]byte(body), &rep)
		if status != 200 || rep.Checks["mongodb"].Status != "down" || rep.Status != "unavailable" {
			t.Errorf("permission %s: %d %s", perms, status, body)
		}
	}
	resp, err := http.Post(url, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	decodeError(t, resp)
}
