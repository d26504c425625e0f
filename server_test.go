package webos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// bodyApp serves routes that read their bodies, with a one-second body
// idle timeout.
func bodyApp(t *testing.T, cfgs ...func(*Config)) *httptest.Server {
	t.Helper()
	cfg := testConfig()
	cfg.MaxBodyBytes = 10 << 20
	cfg.BodyIdleTimeout = time.Second
	cfg.BodyMinRate = 1024
	for _, f := range cfgs {
		f(&cfg)
	}
	read := func(w http.ResponseWriter, r *http.Request) error {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			return err // as a careless handler does: no wrapping
		}
		WriteJSON(w, http.StatusOK, map[string]int64{"bytes": n})
		return nil
	}
	app := New(cfg, &testModule{id: "up", rec: &recorder{}, routes: func(r *Router) {
		r.HandleFunc("PUT /stream", read, BodyLimit(-1), Stream())
		r.HandleFunc("POST /json", read, Timeout(700*time.Millisecond))
		r.HandleFunc("PUT /pause", func(w http.ResponseWriter, r *http.Request) error {
			var one [1]byte
			if _, err := io.ReadFull(r.Body, one[:]); err != nil {
				return err
			}
			time.Sleep(1500 * time.Millisecond) // the handler's own work
			return read(w, r)
		}, BodyLimit(-1), Stream())
		r.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) error {
			mr, err := r.MultipartReader()
			if err != nil {
				return fmt.Errorf("%w: %v", ErrBadRequest, err)
			}
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					return fmt.Errorf("%w: malformed multipart body: %v", ErrBadRequest, err)
				}
				if _, err := io.Copy(io.Discard, p); err != nil {
					return err
				}
			}
			w.WriteHeader(http.StatusNoContent)
			return nil
		}, BodyLimit(-1))
	}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	return startApp(t, app)
}

// rawRequest sends head, then feeds the body with send, and reads the
// response (with a 10 s limit).
func rawRequest(t *testing.T, srv *httptest.Server, head string, send func(c *net.TCPConn)) (*http.Response, string, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		send(c.(*net.TCPConn))
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("no response after %s: %v", took, err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = c.Close()
	<-done
	return resp, string(b), took
}

// trickle writes one byte every interval until the connection fails or
// max bytes are written.
func trickle(interval time.Duration, max int) func(c *net.TCPConn) {
	return func(c *net.TCPConn) {
		for range max {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(interval)
		}
	}
}

func checkErrorBody(t *testing.T, resp *http.Response, body string, status int, want string) {
	t.Helper()
	var eb ErrorBody
	if resp.StatusCode != status || json.Unmarshal([]byte(body), &eb) != nil || !strings.Contains(eb.Error, want) {
		t.Fatalf("want %d %q, got %d %q", status, want, resp.StatusCode, body)
	}
	for _, leak := range []string{"127.0.0.1", "tcp", "i/o timeout", "EOF", "unexpected"} {
		if strings.Contains(body, leak) {
			t.Fatalf("the answer shows %q: %s", leak, body)
		}
	}
}

func TestTrickledBodyIsCutOff(t *testing.T) {
	srv := bodyApp(t)
	head := "PUT /up/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
	resp, body, took := rawRequest(t, srv, head, trickle(100*time.Millisecond, 1000))
	checkErrorBody(t, resp, body, http.StatusRequestTimeout, "too slowly")
	if took > 3*time.Second {
		t.Fatalf("cut off after %s, want about 1 s", took)
	}
}

func TestTrickledBodyIsCutOffOnChunkedBodies(t *testing.T) {
	srv := bodyApp(t)
	head := "PUT /up/stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	resp, body, _ := rawRequest(t, srv, head, func(c *net.TCPConn) {
		for range 100 {
			if _, err := io.WriteString(c, "1\r\nx\r\n"); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	checkErrorBody(t, resp, body, http.StatusRequestTimeout, "too slowly")
}

func TestSteadyStreamRunsPastTheIdleTimeout(t *testing.T) {
	srv := bodyApp(t)
	const chunk, chunks = 8 << 10, 24 // 3 s at 64 KiB/s
	head := fmt.Sprintf("PUT /up/stream HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", chunk*chunks)
	resp, body, took := rawRequest(t, srv, head, func(c *net.TCPConn) {
		buf := make([]byte, chunk)
		for range chunks {
			if _, err := c.Write(buf); err != nil {
				return
			}
			time.Sleep(125 * time.Millisecond)
		}
	})
	if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprint(chunk*chunks)) || took < 2*time.Second {
		t.Fatalf("%d %s after %s", resp.StatusCode, body, took)
	}
}

func TestHandlerWorkBetweenReadsDoesNotCount(t *testing.T) {
	srv := bodyApp(t)
	head := "PUT /up/pause HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("x", 100)
	resp, body, _ := rawRequest(t, srv, head, func(*net.TCPConn) {})
	if resp.StatusCode != 200 || !strings.Contains(body, "99") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestTimedRouteKeepsItsDeadline(t *testing.T) {
	srv := bodyApp(t)
	// 20 KiB/s, well above the minimum rate, for 2 s; the route allows 0.7 s.
	head := "POST /up/json HTTP/1.1\r\nHost: x\r\nContent-Length: 40960\r\n\r\n"
	resp, body, took := rawRequest(t, srv, head, func(c *net.TCPConn) {
		buf := make([]byte, 1024)
		for range 40 {
			if _, err := c.Write(buf); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	checkErrorBody(t, resp, body, http.StatusRequestTimeout, "request timeout")
	if took > 1500*time.Millisecond {
		t.Fatalf("cut off after %s, want the route's 0.7 s", took)
	}
}

func TestTruncatedBodyIs400(t *testing.T) {
	srv := bodyApp(t)
	half := func(c *net.TCPConn) {
		_, _ = io.WriteString(c, strings.Repeat("x", 10))
		_ = c.CloseWrite()
	}
	resp, body, _ := rawRequest(t, srv, "PUT /up/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", half)
	checkErrorBody(t, resp, body, http.StatusBadRequest, "ended early")

	// A multipart body cut off in a part, handled by a route that wraps
	// the reader's error in its text.
	var form strings.Builder
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "a.txt")
	_, _ = io.WriteString(fw, strings.Repeat("y", 5000))
	_ = mw.Close()
	full := form.String()
	head := fmt.Sprintf("POST /up/form HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", mw.FormDataContentType(), len(full))
	resp, body, _ = rawRequest(t, srv, head, func(c *net.TCPConn) {
		_, _ = io.WriteString(c, full[:len(full)/2])
		_ = c.CloseWrite()
	})
	checkErrorBody(t, resp, body, http.StatusBadRequest, "ended early")
}

func TestWriteErrorShowsNoInternals(t *testing.T) {
	opErr := &net.OpError{Op: "read", Net: "tcp", Source: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 18305},
		Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 44290}, Err: errors.New("i/o timeout")}
	for _, c := range []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"bus down", fmt.Errorf("%w: dial tcp 10.0.0.7:6379: connection refused", ErrUnavailable), 503, "service unavailable"},
		{"store down", fmt.Errorf("store: find notes: %w: database unreachable: server selection error: mongo 10.0.0.8:27017", ErrUnavailable), 503, "service unavailable"},
		{"driver text in a conflict", fmt.Errorf("%w: E11000 duplicate key error collection: webos.users index: email_1", ErrConflict), 409, "conflict"},
		{"network error as text", fmt.Errorf("%w: %v", ErrBadRequest, opErr), 400, "bad request"},
		{"network error wrapped", fmt.Errorf("%w: %w", ErrBadRequest, opErr), 400, "bad request"},
		{"address in the text", fmt.Errorf("%w: upstream [::1]:9000 refused", ErrForbidden), 403, "forbidden"},
		{"plain client error", fmt.Errorf("%w: no route for GET /x", ErrNotFound), 404, "not found: no route for GET /x"},
		{"validation", Invalid("email", "must be an e-mail address"), 422, "validation failed: email: must be an e-mail address"},
		{"other 5xx", &RetryAfterError{Err: fmt.Errorf("%w: redis 10.0.0.9:6379 down", ErrUnavailable), After: time.Second}, 503, "service unavailable"},
		{"unknown", errors.New("sql: no rows at 10.0.0.1"), 500, "internal server error"},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/x", nil)
		r = r.WithContext(context.WithoutCancel(r.Context()))
		WriteError(rec, r, c.err)
		var eb ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || rec.Code != c.status || eb.Error != c.want {
			t.Errorf("%s: %d %s, want %d %q", c.name, rec.Code, rec.Body, c.status, c.want)
		}
	}
}

func TestBadQueryEscapeIsJSON(t *testing.T) {
	srv := startApp(t, New(testConfig(), newItems(&recorder{})))
	for _, q := range []string{"x=%zz", "x=%4", "%"} {
		resp, err := http.Get(srv.URL + "/items/1?" + q)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 400 {
			t.Errorf("?%s: %d", q, resp.StatusCode)
		}
		decodeError(t, resp)
	}
	resp, err := http.Get(srv.URL + "/items/1?x=%41%2f+b")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("good escapes: %d", resp.StatusCode)
	}
}

// serveListener serves an app through App.ServeListener, as in production.
func serveListener(t *testing.T, cfg Config) string {
	t.Helper()
	app := New(cfg, newItems(&recorder{}))
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = app.Stop(context.Background())
	})
	return ln.Addr().String()
}

func TestServerTimeoutsFromConfig(t *testing.T) {
	cfg := testConfig()
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	cfg.IdleTimeout = 300 * time.Millisecond
	addr := serveListener(t, cfg)
	closedWithin := func(c net.Conn, d time.Duration) bool {
		_ = c.SetReadDeadline(time.Now().Add(d))
		_, err := io.Copy(io.Discard, c)
		return err == nil // EOF: the server closed the connection
	}
	// Headers that never end.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /items/1 HTTP/1.1\r\nHost: x\r\n")
	if !closedWithin(c, 2*time.Second) {
		t.Fatal("a request whose headers never end kept its connection")
	}
	// A kept-alive connection with no next request.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, _ = io.WriteString(c2, "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c2)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	start := time.Now()
	_ = c2.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("idle connection: %v after %s", err, time.Since(start))
	}
}

func TestServerTimeoutsLoadFromEnv(t *testing.T) {
	t.Setenv("WEBOS_READ_HEADER_TIMEOUT", "3s")
	t.Setenv("WEBOS_IDLE_TIMEOUT", "45s")
	t.Setenv("WEBOS_BODY_IDLE_TIMEOUT", "20s")
	t.Setenv("WEBOS_BODY_MIN_RATE", "4096")
	cfg, err := LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReadHeaderTimeout != 3*time.Second || cfg.IdleTimeout != 45*time.Second || cfg.BodyIdleTimeout != 20*time.Second || cfg.BodyMinRate != 4096 {
		t.Fatalf("%+v", cfg)
	}
}

// TestClientGoneIsNotAServerError checks that a handler failing because
// its client went away is recorded as 499 and not logged as an error.
func TestClientGoneIsNotAServerError(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/stream", nil)
	rec := httptest.NewRecorder()
	WriteError(rec, req, fmt.Errorf("streaming: %w", context.Canceled))
	if rec.Code != StatusClientClosedRequest || logs.Len() != 0 {
		t.Fatalf("status %d, logs %q", rec.Code, logs.String())
	}
	// A cancellation inside a request that is still alive is the server's
	// own failure.
	rec = httptest.NewRecorder()
	WriteError(rec, httptest.NewRequest("GET", "/x", nil), context.Canceled)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "request failed") {
		t.Fatalf("status %d, logs %q", rec.Code, logs.String())
	}
}
