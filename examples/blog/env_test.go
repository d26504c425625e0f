package blog_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/stack"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/tasks/monitor"
)

type env struct {
	srv   *httptest.Server
	auth  *auth.Module
	tasks *tasks.Module
	blog  *blog.Module
	app   *webos.App
	fs    *afs.Module
	// namespace is the tasks' namespace on a shared Redis.
	namespace string
}

var shared struct {
	once sync.Once
	env  *env
	err  error
	stop func()
}

// sharedEnv is the package's one server: the standard stack with the blog,
// on the embedded store and an in-process Redis.
func sharedEnv(t *testing.T) *env {
	t.Helper()
	shared.once.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			shared.err = err
			return
		}
		shared.env, shared.stop, shared.err = newEnv(dir, "")
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.env
}

// newEnv starts the demo's composition of the blog in dir; redisURL, when
// set, is a real Redis for the tasks, in a namespace of its own.
func newEnv(dir, redisURL string) (*env, func(), error) {
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		return nil, nil, err
	}
	cfg.DataDir = dir
	std, err := stack.Standard(cfg)
	if err != nil {
		return nil, nil, err
	}
	ns := ""
	if redisURL != "" {
		ns = "blogtest" + randHex()
		std.Tasks = tasks.New(tasks.Options{RedisURL: redisURL, Namespace: ns, PollInterval: 200 * time.Millisecond,
			RestoreUser: func(ctx context.Context, id string) (context.Context, error) {
				u, err := std.Auth.User(ctx, id)
				if errors.Is(err, auth.ErrUserNotFound) {
					return ctx, tasks.Permanent(err)
				}
				if err != nil {
					return ctx, err
				}
				return auth.WithUser(ctx, u), nil
			}})
	}
	b := blog.New()
	app := webos.New(cfg, append(std.List(), monitor.New(std.Tasks), files.New(files.Options{}), b)...)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(app.Handler())
	e := &env{srv: srv, auth: std.Auth, tasks: std.Tasks, blog: b, app: app, namespace: ns, fs: std.Files}
	ctx := context.Background()
	for _, r := range []auth.Role{
		{Name: "writer", Permissions: []string{blog.PermWrite}},
		{Name: "blog-editor", Permissions: []string{blog.PermWrite, blog.PermAdmin}},
		{Name: "illustrator", Permissions: []string{blog.PermWrite, afs.PermRead}}, // may choose any file

	} {
		if _, err := std.Auth.SaveRole(ctx, r); err != nil {
			return nil, nil, err
		}
	}
	return e, func() { srv.Close(); _ = app.Stop(context.Background()) }, nil
}

var userSeq struct {
	sync.Mutex
	n int
}

// user creates a user with roles and returns its id and a bearer token.
func (e *env) user(t *testing.T, name string, roles ...string) (id, token string) {
	t.Helper()
	userSeq.Lock()
	userSeq.n++
	email := name + "-" + randHex() + "@example.com"
	userSeq.Unlock()
	ctx := context.Background()
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Email: email, DisplayName: name, Password: "a-long-password-1", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.auth.IssueToken(ctx, u.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, tok
}

type resp struct {
	code int
	body string
	hdr  http.Header
}

// do sends a request; header pairs follow the body.
func (e *env) do(t *testing.T, method, path, token, ctype, body string, header ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, string(b), res.Header}
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
)

func TestMain(m *testing.M) {
	os.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery-staple")
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	for _, d := range tempDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

var tempDirs []string

func osMkdirTemp() (string, error) {
	d, err := os.MkdirTemp("", "blogtest")
	if err == nil {
		tempDirs = append(tempDirs, d)
	}
	return d, err
}

func randHex() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
