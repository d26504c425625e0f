package demo

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
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
// the embedded SQLite store in the data folder.
func TestZeroSetup(t *testing.T) {
	cfg := baseConfig(t)
	app, srv := startDemo(t, cfg)
	var rep webos.HealthReport
	if status := getJSON(t, srv.URL+"/health", &rep); status != 200 {
		t.Fatalf("health %d: %+v", status, rep)
	}
	if rep = app.Health(context.Background()); rep.Checks["database"].Status != "up" {
		t.Fatalf("health does not name the database up: %+v", rep)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, store.SQLiteFile)); err != nil {
		t.Fatalf("the embedded database file: %v", err)
	}
	exerciseHello(t, srv)
}

// TestAgainstMongo runs the demo against the test MongoDB-wire server.
func TestAgainstMongo(t *testing.T) {
	url := testenv.MongoURL(t)
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(url)
	cfg.MongoDatabase = testenv.DatabaseName("demo")
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
	var page store.Page[hello.Greeting]
	if status := getJSON(t, srv.URL+"/hello/greetings", &page); status != 200 || len(page.Items) != 1 || page.Items[0].Name != "Ada" || page.Items[0].CreatedAt.IsZero() || page.Next != "" {
		t.Fatalf("list: %d %+v", status, page)
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

// TestFilesNeedPermission uploads and downloads through the files API as
// the first-run admin; anonymous requests are refused.
func TestFilesNeedPermission(t *testing.T) {
	url := testenv.MongoURL(t)
	t.Setenv("WEBOS_ADMIN_EMAIL", "root@example.com")
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery")
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(url)
	cfg.MongoDatabase = testenv.DatabaseName("demo")
	app, srv := startDemo(t, cfg)

	resp, err := http.Post(srv.URL+"/auth/login", "application/json",
		strings.NewReader(`{"email":"root@example.com","password":"correct-horse-battery","token":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	if resp.StatusCode != 200 || login.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	do := func(method, path, token, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = do("PUT", "/api/fs/files/local/notes/hi.txt", "", "anonymous")
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("anonymous upload: %d", resp.StatusCode)
	}
	resp = do("PUT", "/api/fs/files/local/notes/hi.txt", login.Token, "hello files")
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	resp = do("GET", "/api/fs/files/local/notes/hi.txt", login.Token, "")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hello files" {
		t.Fatalf("download: %d %q", resp.StatusCode, b)
	}
	var rep webos.HealthReport
	if status := getJSON(t, srv.URL+"/health", &rep); status != 200 {
		t.Fatalf("health: %d %+v", status, rep)
	}
	if rep := app.Health(context.Background()); rep.Checks["storage:local"].Status != "up" {
		t.Fatalf("health: %+v", rep)
	}
}

// TestProductionServices runs the demo as in production: MongoDB and Redis
// from the configuration, so tasks and events go through Redis.
func TestProductionServices(t *testing.T) {
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(testenv.MongoURL(t))
	cfg.MongoDatabase = testenv.DatabaseName("demo")
	cfg.RedisURL = webos.Secret(testenv.RedisURL(t))
	cfg.SecretKeys = []webos.Secret{"a-secret-key-of-at-least-32-bytes-for-tests"}
	app, srv := startDemo(t, cfg)
	var rep webos.HealthReport
	if status := getJSON(t, srv.URL+"/health", &rep); status != 200 {
		t.Fatalf("health %d: %+v", status, rep)
	}
	rep = app.Health(context.Background())
	for _, name := range []string{"database", "redis", "bus", "storage:local"} {
		if rep.Checks[name].Status != "up" {
			t.Errorf("%s not up: %+v", name, rep.Checks)
		}
	}
	if _, ok := app.Module("bus.redis"); !ok {
		t.Fatal("no shared bus module")
	}
	exerciseHello(t, srv)
}

// TestTaskRunsAsTheSignedInUser enqueues a report over HTTP with a real
// bearer token: the task runs as that user (restored through auth), and
// another user cannot see it.
func TestTaskRunsAsTheSignedInUser(t *testing.T) {
	t.Setenv("WEBOS_ADMIN_EMAIL", "root@example.com")
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery")
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(testenv.MongoURL(t))
	cfg.MongoDatabase = testenv.DatabaseName("demo")
	_, srv := startDemo(t, cfg)

	login := func(email, password string) (token, id string) {
		resp, err := http.Post(srv.URL+"/auth/login", "application/json",
			strings.NewReader(`{"email":"`+email+`","password":"`+password+`","token":true}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Token string `json:"token"`
			User  struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("login %s: %d %v", email, resp.StatusCode, err)
		}
		return out.Token, out.User.ID
	}
	call := func(method, path, token, body string, v any) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			_ = json.NewDecoder(resp.Body).Decode(v)
		}
		return resp.StatusCode
	}
	adminToken, adminID := login("root@example.com", "correct-horse-battery")
	if status := call("POST", "/auth/users", adminToken, `{"email":"bea@example.com","password":"bea-password-1","display_name":"Bea"}`, nil); status != 201 {
		t.Fatalf("create bea: %d", status)
	}
	beaToken, _ := login("bea@example.com", "bea-password-1")

	var queued struct {
		ID string `json:"id"`
	}
	if status := call("POST", "/tasks/report.generate", adminToken, `{"title":"T","steps":2,"step_ms":10}`, &queued); status != 202 || queued.ID == "" {
		t.Fatalf("enqueue: %d %+v", status, queued)
	}
	var st struct {
		State  string `json:"state"`
		Result struct {
			GeneratedBy string `json:"generated_by"`
			Total       int    `json:"total"`
		} `json:"result"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for st.State != "succeeded" {
		if time.Now().After(deadline) {
			t.Fatalf("task never succeeded: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
		if status := call("GET", "/tasks/"+queued.ID, adminToken, "", &st); status != 200 {
			t.Fatalf("status: %d", status)
		}
	}
	if st.Result.GeneratedBy != adminID || st.Result.Total != 5 {
		t.Fatalf("result %+v, want generated by %s", st.Result, adminID)
	}
	var body webos.ErrorBody
	if status := call("GET", "/tasks/"+queued.ID, beaToken, "", &body); status != 404 || body.Error == "" {
		t.Fatalf("another user reads the task: %d %+v", status, body)
	}
}

// TestSettingsChangeTheGreeting: an administrator changes hello's
// salutation through the settings API; new greetings use it, and a bad
// value is refused naming the field.
func TestSettingsChangeTheGreeting(t *testing.T) {
	t.Setenv("WEBOS_ADMIN_EMAIL", "root@example.com")
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery")
	cfg := baseConfig(t)
	cfg.MongoURL = webos.Secret(testenv.MongoURL(t))
	cfg.MongoDatabase = testenv.DatabaseName("demo")
	_, srv := startDemo(t, cfg)

	resp, err := http.Post(srv.URL+"/auth/login", "application/json", strings.NewReader(`{"email":"root@example.com","password":"correct-horse-battery","token":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()
	patch := func(token, body string) int {
		req, _ := http.NewRequest("PATCH", srv.URL+"/settings/hello", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := patch("", `{"salutation":"Howdy"}`); status != 401 {
		t.Fatalf("anonymous change: %d", status)
	}
	if status := patch(login.Token, `{"salutation":""}`); status != 422 {
		t.Fatalf("empty salutation: %d", status)
	}
	if status := patch(login.Token, `{"salutation":"Howdy"}`); status != 200 {
		t.Fatalf("change: %d", status)
	}
	resp, err = http.Post(srv.URL+"/hello/greetings", "application/json", strings.NewReader(`{"name":"Ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"message":"Howdy, Ada!"`) {
		t.Fatalf("greeting after the change: %s", b)
	}
}
