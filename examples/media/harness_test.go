package media_test

// The integration and browser tests run the reference server (package
// demo) with the library's files on a fresh bucket of the test S3 server
// and its tasks on the test Redis (a namespace of their own). One server
// and one browser serve every test of the package; each test gets users
// of its own. Screenshots go to artifacts/browser/.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/examples/media"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
	"github.com/webos-go/webos/registry"
)

var shared struct {
	serverOnce sync.Once
	srv        *server
	serverErr  error

	browser browsertest.Browser

	stops []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.browser.Close()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

type server struct {
	*httptest.Server
	app    *webos.App
	auth   *auth.Module
	fs     *afs.FS
	media  *media.Module
	bucket string
	s3     *s3.Client
	users  atomic.Int64
}

// user is a signed-up user with an API token.
type user struct {
	*auth.User
	token string
	ctx   context.Context
}

func demoServer(t testing.TB) *server {
	t.Helper()
	testenv.Integration(t)
	shared.serverOnce.Do(func() { shared.srv, shared.serverErr = startDemo(t) })
	if shared.serverErr != nil {
		t.Fatal(shared.serverErr)
	}
	return shared.srv
}

func startDemo(t testing.TB) (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	endpoint, key, secret := testenv.S3(t)
	bucket, err := s3test.New(ctx, endpoint, key, secret, "webos-media")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = bucket.Drop(ctx)
	})
	dir, err := os.MkdirTemp("", "webos-media-demo-")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	local := filepath.Join(dir, "local")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return nil, err
	}
	env := map[string]string{
		"WEBOS_AFS_SOURCES":        "local=file://" + filepath.ToSlash(local) + ",s3=" + bucket.URL,
		"WEBOS_MEDIA_ROOT":         "fs://s3/media",
		"WEBOS_MEDIA_MAX_ATTEMPTS": "2",
		"WEBOS_MEDIA_RETRY_DELAY":  "1s",
		"WEBOS_MEDIA_BUDGET_MB":    "256",
		"WEBOS_MEDIA_MAX_PIXELS":   "40000000",
		"WEBOS_TASKS_NAMESPACE":    fmt.Sprintf("media-test-%d", time.Now().UnixNano()),
		"WEBOS_BUS_CHANNEL":        fmt.Sprintf("media-test-%d", time.Now().UnixNano()),
	}
	for k, v := range env {
		if err := os.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return nil, err
	}
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.RedisURL = webos.Secret(testenv.RedisURL(t))
	cfg.SecretKeys = []webos.Secret{"a-secret-key-of-at-least-32-bytes-for-media-tests"}
	app, err := demo.NewApp(cfg)
	for k := range env {
		_ = os.Unsetenv(k)
	}
	if err != nil {
		return nil, err
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(ctx); err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	})
	s := &server{app: app, bucket: bucket.Name, s3: bucket.Client}
	if s.auth, err = registry.Get[*auth.Module](app.Registry()); err != nil {
		return nil, err
	}
	if s.fs, err = registry.Get[*afs.FS](app.Registry()); err != nil {
		return nil, err
	}
	if s.media, err = registry.Get[*media.Module](app.Registry()); err != nil {
		return nil, err
	}
	if _, err := s.auth.SaveRole(ctx, auth.Role{Name: "photographer", Description: "Keeps a media library",
		Permissions: []string{media.PermUse, afs.PermRead, afs.PermWrite}}); err != nil {
		return nil, err
	}
	s.Server = httptest.NewServer(app.Handler())
	shared.stops = append(shared.stops, func() { s.CloseClientConnections(); s.Close() })
	return s, nil
}

const password = "a-password-for-tests-1"

// newUser signs up a user with roles (default: the photographer role).
func (s *server) newUser(t testing.TB, roles ...string) *user {
	t.Helper()
	if len(roles) == 0 {
		roles = []string{"photographer"}
	}
	n := s.users.Add(1)
	u, err := s.auth.CreateUser(t.Context(), auth.NewUser{Email: fmt.Sprintf("user%d-%d@example.com", n, time.Now().UnixNano()),
		Password: password, DisplayName: fmt.Sprintf("User %d", n), Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := s.auth.IssueToken(t.Context(), u.ID, "tests", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &user{User: u, token: secret, ctx: auth.WithUser(context.Background(), u)}
}

// do sends a request as u and returns the status and body.
func (s *server) do(t testing.TB, u *user, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// ingest adds content to u's library in Go.
func (s *server) ingest(t testing.TB, u *user, name string, content []byte) *media.Ingested {
	t.Helper()
	res, err := s.media.Ingest(u.ctx, name, bytes.NewReader(content))
	if err != nil {
		t.Fatalf("ingest %s: %v", name, err)
	}
	return res
}

// waitThumbs waits until the asset's thumbnails are no longer pending.
func (s *server) waitThumbs(t testing.TB, u *user, id string, within time.Duration) media.Ref {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		status, b := s.do(t, u, "GET", "/media/api/assets/"+id, nil)
		if status != 200 {
			t.Fatalf("asset %s: %d %s", id, status, b)
		}
		var r media.Ref
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Thumbs != media.ThumbsPending {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s still pending after %s", id, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func hasPrefix(b []byte, s string) bool { return strings.HasPrefix(string(b), s) }
