package demo

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/trace"
)

func startDemo(t *testing.T, cfg webos.Config) (*webos.App, *httptest.Server) {
	t.Helper()
	app, err := NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := app.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return app, srv
}

func baseConfig(t *testing.T) webos.Config {
	t.Setenv("WEBOS_DATA_DIR", t.TempDir())
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// TestZeroSetup runs the demo exactly as `make run` does: no MongoDB URL, so
// an embedded server over SQLite in the data folder.
func TestZeroSetup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded database")
	}
	_, srv := startDemo(t, baseConfig(t))
	var rep webos.HealthReport
	if status := getJSON(t, srv.URL+"/health", &rep); status != 200 {
		t.Fatalf("health %d: %+v", status, rep)
	}
	if rep.Checks["mongodb"].Status != "up" {
		t.Fatalf("health does not name mongodb up: %+v", rep)
	}
	exerciseHello(t, srv)
}

// TestAgainstMongo runs the demo against the test MongoDB-wire server.
func TestAgainstMongo(t *testing.T) {
	url := testenv.MongoURL(t)
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(url)
	cfg.MongoDatabase = "demo_" + trace.NewID()[:12]
	app, srv := startDemo(t, cfg)
	exerciseHello(t, srv)
	m, ok := app.Module("hello")
	if !ok {
		t.Fatal("hello module missing")
	}
	deadline := time.Now().Add(5 * time.Second)
	for m.(*hello.Module).Heard() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the bus listener never heard the greeting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exerciseHello(t *testing.T, srv *httptest.Server) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/hello/greetings", "application/json", strings.NewReader(`{"name":"Ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"message":"Hello, Ada!"`) {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var list []hello.Greeting
	if status := getJSON(t, srv.URL+"/hello/greetings", &list); status != 200 || len(list) != 1 || list[0].Name != "Ada" || list[0].CreatedAt.IsZero() {
		t.Fatalf("list: %d %+v", status, list)
	}
	resp, err = http.Post(srv.URL+"/hello/greetings", "application/json", strings.NewReader(`{"name":""}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 422 {
		t.Fatalf("empty name: %d", resp.StatusCode)
	}
}
