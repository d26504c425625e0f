package files_test

// The browser tests drive the reference server (package demo) in headless
// Chromium through chromedp, with two file sources: "local", a folder on
// disk, and "s3", a fresh bucket on the test S3 server. One browser and
// one server serve every test of the package; each test gets a tab in a
// browser context of its own. Screenshots go to artifacts/browser/.

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
	"github.com/webos-go/webos/registry"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "admin-password-1"
)

var shared struct {
	browser browsertest.Browser

	serverOnce sync.Once
	srv        *server
	serverErr  error

	stops []func()
}

// server is the demo server of the tests.
type server struct {
	*httptest.Server
	app      *webos.App
	fs       *afs.FS
	files    *files.Module
	localDir string
	bucket   string
	s3       *s3.Client
	admin    *auth.User
}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.browser.Close()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// demoServer starts the reference server once.
func demoServer(t testing.TB) *server {
	t.Helper()
	testenv.Integration(t)
	endpoint, key, secret := testenv.S3(t)
	shared.serverOnce.Do(func() { shared.srv, shared.serverErr = startDemo(endpoint, key, secret) })
	if shared.serverErr != nil {
		t.Fatal(shared.serverErr)
	}
	return shared.srv
}

func startDemo(endpoint, key, secret string) (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "webos-files-demo-")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	bucket, err := s3test.New(ctx, endpoint, key, secret, "webos-files-browser")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = bucket.Drop(ctx)
	})
	local := filepath.Join(dir, "local")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return nil, err
	}
	// The sources as an operator configures them: disk and S3.
	sources := "local=file://" + filepath.ToSlash(local) + "," + "s3=" + bucket.URL
	if err := os.Setenv("WEBOS_AFS_SOURCES", sources); err != nil {
		return nil, err
	}
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return nil, err
	}
	cfg.DataDir = filepath.Join(dir, "data")
	app, err := demo.NewApp(cfg)
	_ = os.Unsetenv("WEBOS_AFS_SOURCES")
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
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		return nil, err
	}
	admin, err := am.CreateUser(ctx, auth.NewUser{Email: adminEmail, Password: adminPassword, DisplayName: "Ada Admin", Roles: []string{auth.RoleAdmin}})
	if err != nil {
		return nil, err
	}
	fsys, err := registry.Get[*afs.FS](app.Registry())
	if err != nil {
		return nil, err
	}
	fm, err := registry.Get[*files.Module](app.Registry())
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(app.Handler())
	shared.stops = append(shared.stops, func() { srv.CloseClientConnections(); srv.Close() })
	return &server{Server: srv, app: app, fs: fsys, files: fm, localDir: local, bucket: bucket.Name, s3: bucket.Client, admin: admin}, nil
}

// tab is a browser tab of its own on the demo server.
type tab struct {
	*browsertest.Tab
	srv *server
}

func newTab(t *testing.T) *tab {
	t.Helper()
	srv := demoServer(t)
	return &tab{Tab: shared.browser.NewTab(t, browsertest.Options{Base: srv.URL, Timeout: 120 * time.Second}), srv: srv}
}

// signIn signs in as the administrator.
func (tb *tab) signIn() {
	tb.T().Helper()
	tb.SignIn(adminEmail, adminPassword)
}

// commander opens the commander with the panels on left and right and
// waits until both listed their folders.
func (tb *tab) commander(left, right string) {
	tb.T().Helper()
	tb.Do("open the commander", chromedp.Navigate(tb.srv.URL+"/files/?left="+url.QueryEscape(left)+"&right="+url.QueryEscape(right)))
	tb.waitForPanels()
}

func (tb *tab) waitForPanels() {
	tb.T().Helper()
	tb.WaitFor("both panels listed", `document.querySelectorAll(".fc-panel").length === 2 && [...document.querySelectorAll(".fc-panel")].every(p => !p.hasAttribute("data-loading") && p.querySelector(".fc-status").textContent !== "")`)
}

// key presses a key (with modifiers) in the page.
func (tb *tab) key(k string, mods ...chromedp.Modifier) {
	tb.T().Helper()
	tb.Do("press "+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...)))
}

// put writes a file through afs.
func (s *server) put(t *testing.T, urn string, body []byte) {
	t.Helper()
	if _, err := s.fs.Save(t.Context(), afs.MustParse(urn), strings.NewReader(string(body)), nil); err != nil {
		t.Fatal(err)
	}
}

// exists reports whether urn exists.
func (s *server) exists(t *testing.T, urn string) bool {
	t.Helper()
	_, err := s.fs.Stat(t.Context(), afs.MustParse(urn))
	return err == nil
}
