package scaleout_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/internal/testenv/s3test"
	"github.com/webos-go/webos/store"
)

// roleVar makes the test binary run one demo process instead of the
// tests: "web" serves HTTP on a free port and prints "ADDR host:port",
// "worker" runs only the task worker.
const roleVar = "SCALEOUT_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleVar) {
	case "":
		os.Exit(m.Run())
	case "web", "worker":
		os.Exit(child(os.Getenv(roleVar)))
	default:
		fmt.Fprintln(os.Stderr, "unknown", roleVar)
		os.Exit(2)
	}
}

// child runs one demo process from the environment until SIGTERM.
func child(role string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	webos.SetDefaultLogger(webos.NewLogger(cfg, os.Stderr))
	app, err := demo.NewApp(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if role == "worker" {
		if err := app.Exec(ctx, []string{"worker"}, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return 0
	}
	if err := app.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	err = app.ServeListener(ctx, ln)
	err = errors.Join(err, app.Stop(context.WithoutCancel(ctx)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Administrator of the cluster, created by the first instance.
const (
	adminEmail    = "root@example.com"
	adminPassword = "scale-out-admin-password"
)

// cluster is the shared environment of the package's tests: a database,
// a bucket, a bus channel and task namespace of their own on the shared
// servers, and the environment every instance is configured from.
type cluster struct {
	mongoURL, db string
	env          []string // WEBOS_* variables of every instance
}

// newCluster sets up the shared environment, in the process environment
// too, so that in-process instances read the same configuration.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{mongoURL: testenv.MongoURL(t), db: testenv.DatabaseName("scaleout")}
	redisURL := testenv.RedisURL(t)
	id := c.db[len("scaleout_"):]
	vars := map[string]string{
		"WEBOS_MONGO_URL":       c.mongoURL,
		"WEBOS_MONGO_DB":        c.db,
		"WEBOS_REDIS_URL":       redisURL,
		"WEBOS_SECRET_KEYS":     "scale-out-secret-key-of-32-bytes-or-more-" + id,
		"WEBOS_ADMIN_EMAIL":     adminEmail,
		"WEBOS_ADMIN_PASSWORD":  adminPassword,
		"WEBOS_AFS_SOURCES":     "files=" + s3test.Temp(t, "scaleout-"+id).URL,
		"WEBOS_BUS_CHANNEL":     "scaleout:" + id,
		"WEBOS_TASKS_NAMESPACE": "scaleout-" + id,
		"WEBOS_TASKS_WORKER":    "false",
		"WEBOS_LOG_LEVEL":       "warn",
	}
	for k, v := range vars {
		t.Setenv(k, v)
		c.env = append(c.env, k+"="+v)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, c.mongoURL, c.db); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})
	return c
}

// instance is a demo instance running in the test process.
type instance struct {
	app  *webos.App
	url  string // http://127.0.0.1:PORT
	logs *testenv.Buffer
}

// start runs a web-only demo instance in this process; it stops with the
// test.
func (c *cluster) start(t *testing.T, name string) *instance {
	t.Helper()
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	return startInstance(t, cfg, name)
}

// startInstance runs a demo instance with cfg in this process; it stops
// with the test.
func startInstance(t *testing.T, cfg webos.Config, name string) *instance {
	t.Helper()
	app, err := demo.NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{app: app, logs: &testenv.Buffer{}}
	app.SetLogger(slog.New(slog.NewTextHandler(in.logs, &slog.HandlerOptions{Level: slog.LevelWarn})).With("instance", name))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.url = "http://" + ln.Addr().String()
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.ServeListener(serveCtx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("%s: serve: %v", name, err)
		}
		if err := app.Stop(context.Background()); err != nil {
			t.Errorf("%s: stop: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s logs:\n%s", name, in.logs.String())
		}
	})
	return in
}

// process is a demo process started from the test binary.
type process struct {
	cmd  *exec.Cmd
	addr string // host:port of a web process
	logs *testenv.Buffer
	done chan error
}

// spawn starts a demo process in role "web" or "worker" with the
// cluster's configuration; it is stopped (SIGTERM) with the test unless
// killed before.
func (c *cluster) spawn(t *testing.T, role string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Env = append(cmd.Env, roleVar+"="+role, "WEBOS_DATA_DIR="+t.TempDir())
	p := &process{cmd: cmd, logs: &testenv.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addr <- a
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s process logs:\n%s", role, p.logs.String())
		}
	})
	if role == "web" {
		select {
		case p.addr = <-addr:
		case err := <-p.done:
			t.Fatalf("web process exited: %v\n%s", err, p.logs.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("web process did not start\n%s", p.logs.String())
		}
	}
	return p
}

// kill ends the process at once (SIGKILL), as a crash would.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- nil // for the cleanup
}

// client makes requests as one user: with a bearer token or a cookie jar.
type client struct {
	t     *testing.T
	hc    *http.Client
	token string
}

var transport = func() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}()

// do sends a request with an optional JSON body and returns the status
// and the body.
func (c *client) do(method, url string, body any) (int, []byte) {
	c.t.Helper()
	resp, err := c.send(method, url, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v", method, url, err)
	}
	return resp.StatusCode, b
}

func (c *client) send(method, url string, body any) (*http.Response, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return nil, err
	}
	if _, isJSON := body.([]byte); body != nil && !isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	hc := c.hc
	if hc == nil {
		hc = &http.Client{Transport: transport, Timeout: 30 * time.Second}
	}
	return hc.Do(req)
}

// expect fails the test unless the request answers want; it returns the
// body decoded into v (when v is not nil).
func (c *client) expect(want int, method, url string, body, v any) {
	c.t.Helper()
	code, b := c.do(method, url, body)
	if code != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, url, code, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
}

// login signs in through base: with a token when token is true, else
// with a session cookie kept in the client's jar.
func login(t *testing.T, base, email, password string, token bool) *client {
	t.Helper()
	c := &client{t: t}
	if !token {
		jar := &sharedJar{cookies: map[string]*http.Cookie{}}
		c.hc = &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second}
	}
	var out struct {
		Token string `json:"token"`
	}
	c.expect(200, "POST", base+"/auth/login", map[string]any{"email": email, "password": password, "token": token}, &out)
	if token {
		if out.Token == "" {
			t.Fatal("login gave no token")
		}
		c.token = out.Token
	}
	return c
}

// sharedJar sends the same cookies to every host: the instances are one
// site behind a load balancer, reached here on different ports.
type sharedJar struct{ cookies map[string]*http.Cookie }

func (j *sharedJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	for _, c := range cs {
		if c.MaxAge < 0 {
			delete(j.cookies, c.Name)
			continue
		}
		j.cookies[c.Name] = c
	}
}

func (j *sharedJar) Cookies(*url.URL) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(j.cookies))
	for _, c := range j.cookies {
		out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	return out
}

// within polls check every few milliseconds until it is true and returns
// how long that took; it fails the test after limit.
func within(t *testing.T, limit time.Duration, what string, check func() bool) time.Duration {
	t.Helper()
	begun := time.Now()
	for !check() {
		if time.Since(begun) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(begun)
	t.Logf("%s after %s", what, d.Round(100*time.Microsecond))
	return d
}

func randomName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
