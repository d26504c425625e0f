package files_test

// The browser tests drive the reference server (package demo) in headless
// Chromium through chromedp, with two file sources: "local", a folder on
// disk, and "s3", a fresh bucket on the test S3 server. One browser and
// one server serve every test of the package; each test gets a tab in a
// browser context of its own. Screenshots go to artifacts/browser/.

import (
	"context"
	"fmt"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "admin-password-1"
)

var shared struct {
	browserOnce sync.Once
	browser     context.Context
	browserErr  error

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
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// s3Client connects to the test S3 server.
func s3Client(t testing.TB) (*s3.Client, string, string, string) {
	endpoint, key, secret := testenv.S3(t)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(key, secret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return client, endpoint, key, secret
}

// s3SourceURL is the afs URL of bucket on the test server.
func s3SourceURL(endpoint, key, secret, bucket string) string {
	return "s3://" + url.QueryEscape(key) + ":" + url.QueryEscape(secret) + "@" + bucket +
		"?endpoint=" + url.QueryEscape(endpoint) + "&use_path_style=true&region=us-east-1" +
		"&request_checksum_calculation=when_required&response_checksum_validation=when_required"
}

// newBucket makes a bucket with a unique name and removes it at stop.
func newBucket(ctx context.Context, client *s3.Client, prefix string) (string, func(), error) {
	bucket := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return "", nil, err
	}
	return bucket, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				break
			}
			for _, o := range out.Contents {
				_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			}
		}
		_, _ = client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	}, nil
}

// demoServer starts the reference server once.
func demoServer(t testing.TB) *server {
	t.Helper()
	testenv.Integration(t)
	client, endpoint, key, secret := s3Client(t)
	shared.serverOnce.Do(func() { shared.srv, shared.serverErr = startDemo(client, endpoint, key, secret) })
	if shared.serverErr != nil {
		t.Fatal(shared.serverErr)
	}
	return shared.srv
}

func startDemo(client *s3.Client, endpoint, key, secret string) (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "webos-files-demo-")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	bucket, drop, err := newBucket(ctx, client, "webos-files-browser")
	if err != nil {
		return nil, err
	}
	shared.stops = append(shared.stops, drop)
	local := filepath.Join(dir, "local")
	if err := os.MkdirAll(local, 0o755); err != nil {
		return nil, err
	}
	// The sources as an operator configures them: disk and S3.
	sources := "local=file://" + filepath.ToSlash(local) + "," + "s3=" + s3SourceURL(endpoint, key, secret, bucket)
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
	return &server{Server: srv, app: app, fs: fsys, files: fm, localDir: local, bucket: bucket, s3: client, admin: admin}, nil
}

// sharedBrowser starts the package's one headless Chromium.
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	path := testenv.Chromium(t)
	shared.browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "webos-files-chromium-")
		if err != nil {
			shared.browserErr = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("force-color-profile", "srgb"),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.WindowSize(1280, 860),
			chromedp.UserDataDir(dir),
		)
		browser, cancelBrowser := chromedp.NewContext(alloc)
		shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) }, cancelAlloc, cancelBrowser)
		if err := chromedp.Do(browser); err != nil {
			shared.browserErr = fmt.Errorf("start chromium: %w", err)
			return
		}
		shared.browser = browser
	})
	if shared.browserErr != nil {
		t.Fatal(shared.browserErr)
	}
	return shared.browser
}

// tab is a browser tab of its own on the demo server.
type tab struct {
	t    *testing.T
	ctx  context.Context
	srv  *server
	logs *consoleLog
}

type consoleLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *consoleLog) add(s string) { l.mu.Lock(); l.seen = append(l.seen, s); l.mu.Unlock() }

func newTab(t *testing.T) *tab {
	t.Helper()
	srv := demoServer(t)
	browser := sharedBrowser(t)
	tabCtx, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tabCtx); err != nil {
		cancelTab()
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, 120*time.Second)
	t.Cleanup(func() { cancel(); cancelTab() })
	tb := &tab{t: t, ctx: ctx, srv: srv, logs: &consoleLog{}}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry != nil && e.Entry.Level == "error" {
			tb.logs.add(e.Entry.Text)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tb.logs.mu.Lock()
		defer tb.logs.mu.Unlock()
		for _, s := range tb.logs.seen {
			if strings.Contains(s, "Content Security Policy") {
				t.Errorf("console: %s", s)
			} else {
				t.Logf("console: %s", s)
			}
		}
	})
	tb.scheme("light")
	return tb
}

func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor evaluates a JavaScript condition until it holds.
func (tb *tab) waitFor(what, js string, within time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if tb.ctx.Err() != nil {
			break
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("waiting for %s (%s): not within %s (last error: %v)", what, js, within, last)
}

func (tb *tab) scheme(s string) {
	tb.t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}},
	}); err != nil {
		tb.t.Fatal(err)
	}
}

// signIn signs in through the form.
func (tb *tab) signIn() {
	tb.t.Helper()
	tb.do("open the sign-in page", chromedp.Navigate(tb.srv.URL+"/login"))
	tb.waitFor("the sign-in form", `document.querySelector("form input#email") !== null`, 15*time.Second)
	tb.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), adminEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), adminPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	tb.waitFor("the launchpad", `location.pathname === "/" && document.querySelector("main .launchpad") !== null`, 15*time.Second)
}

// commander opens the commander with the panels on left and right and
// waits until both listed their folders.
func (tb *tab) commander(left, right string) {
	tb.t.Helper()
	tb.do("open the commander", chromedp.Navigate(tb.srv.URL+"/files/?left="+url.QueryEscape(left)+"&right="+url.QueryEscape(right)))
	tb.waitForPanels()
}

func (tb *tab) waitForPanels() {
	tb.t.Helper()
	tb.waitFor("both panels listed", `document.querySelectorAll(".fc-panel").length === 2 && [...document.querySelectorAll(".fc-panel")].every(p => !p.hasAttribute("data-loading") && p.querySelector(".fc-status").textContent !== "")`, 15*time.Second)
}

// key presses a key (with modifiers) in the page.
func (tb *tab) key(k string, mods ...chromedp.Modifier) {
	tb.t.Helper()
	tb.do("press "+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...)))
}

// screenshot saves a PNG of the viewport as artifacts/browser/name.png.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(repoRoot(tb.t), "artifacts", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", p)
}

func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
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
