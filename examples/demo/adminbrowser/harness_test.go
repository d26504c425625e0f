package adminbrowser

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

const (
	adminEmail    = "root@example.com"
	adminPassword = "root-password-1234"
	plainEmail    = "pat@example.com" // role "user" only
	plainPassword = "pat-password-1234"
)

// shared is the server and the browser of the package, started by the
// first test that needs them and stopped by TestMain.
var shared struct {
	once    sync.Once
	err     error
	srv     *httptest.Server
	app     *webos.App
	auth    *auth.Module
	browser browsertest.Browser
	stops   []func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.browser.Close()
	for i := len(shared.stops) - 1; i >= 0; i-- {
		shared.stops[i]()
	}
	os.Exit(code)
}

// env starts the demo server once.
func env(t *testing.T) {
	t.Helper()
	testenv.Integration(t)
	mongo := testenv.MongoURL(t)
	shared.once.Do(func() { shared.err = startAll(mongo) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
}

func startAll(mongoURL string) error {
	dir, err := os.MkdirTemp("", "webos-admin-browser-")
	if err != nil {
		return err
	}
	shared.stops = append(shared.stops, func() { _ = os.RemoveAll(dir) })
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		return err
	}
	cfg.DataDir = dir
	cfg.MongoURL = webos.Secret(mongoURL)
	cfg.MongoDatabase = testenv.DatabaseName("adminbrowser")
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, mongoURL, cfg.MongoDatabase); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})
	app, err := demo.NewApp(cfg)
	if err != nil {
		return err
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		return err
	}
	shared.stops = append(shared.stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	})
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		return err
	}
	for _, u := range []auth.NewUser{
		{Email: adminEmail, Password: adminPassword, DisplayName: "Rita Root", Roles: []string{auth.RoleAdmin}},
		{Email: plainEmail, Password: plainPassword, DisplayName: "Pat"},
	} {
		if _, err := am.CreateUser(ctx, u); err != nil {
			return err
		}
	}
	srv := httptest.NewServer(app.Handler())
	shared.stops = append(shared.stops, func() { srv.CloseClientConnections(); srv.Close() })
	shared.srv, shared.app, shared.auth = srv, app, am

	return nil
}

// newTab opens a tab on the demo server. Each step waits up to 15 s (a
// query for its element), each wait 20 s; screenshots go to
// artifacts/browser/admin/.
func newTab(t *testing.T) *browsertest.Tab {
	t.Helper()
	env(t)
	return shared.browser.NewTab(t, browsertest.Options{
		Base: shared.srv.URL, Dir: "admin",
		Timeout: 120 * time.Second, ActionTimeout: 15 * time.Second, WaitTimeout: 20 * time.Second,
	})
}

// setValue sets a form control's value as typing would, with its input
// and change events.
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, v))
}
