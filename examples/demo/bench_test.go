package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos"
)

// BenchmarkRequests measures the demo's handler, zero-setup defaults, on
// the cases of the load suite, each beside its baseline in the same run:
// the anonymous route for the same route with a token or a cookie, a bare
// handler writing the launchpad's bytes for the launchpad, http.ServeFile
// for a 1 MiB download. Compare the sub-benchmarks' ns/op.
func BenchmarkRequests(b *testing.B) {
	app, dir := benchApp(b)
	h := app.Handler()

	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"email":"bench@example.com","password":"bench-password-1","token":true}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	var login struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &login); err != nil || login.Token == "" {
		b.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var cookie string
	for _, c := range rec.Result().Cookies() {
		cookie = c.Name + "=" + c.Value
	}
	bearer := "Bearer " + login.Token

	blob := make([]byte, 1<<20)
	_, _ = rand.Read(blob)
	file := filepath.Join(dir, "blob.bin")
	if err := os.WriteFile(file, blob, 0o600); err != nil {
		b.Fatal(err)
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("PUT", "/api/fs/files/local/bench/blob.bin", bytes.NewReader(blob))
	req.Header.Set("Authorization", bearer)
	h.ServeHTTP(rec, req)
	if rec.Code != 201 {
		b.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", cookie)
	h.ServeHTTP(rec, req)
	page := rec.Body.Bytes()
	if rec.Code != 200 || len(page) < 1000 {
		b.Fatalf("launchpad: %d %d bytes", rec.Code, len(page))
	}

	run := func(name string, h http.Handler, path, header, value string) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", path, nil)
				if header != "" {
					req.Header.Set(header, value)
				}
				for pb.Next() {
					w := &discard{h: http.Header{}}
					h.ServeHTTP(w, req)
					if w.code != 200 {
						b.Fatalf("%s: %d", path, w.code)
					}
				}
			})
		})
	}
	run("hi/anonymous", h, "/hello/hi", "", "")
	run("hi/bearer", h, "/hello/hi", "Authorization", bearer)
	run("me/bearer", h, "/auth/me", "Authorization", bearer)
	run("me/cookie", h, "/auth/me", "Cookie", cookie)
	run("launchpad/cookie", h, "/", "Cookie", cookie)
	run("launchpad/bytes", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}), "/", "", "")
	run("health", h, "/health", "", "")
	run("download/bearer", h, "/api/fs/files/local/bench/blob.bin", "Authorization", bearer)
	run("download/servefile", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, file) }), "/blob.bin", "", "")
}

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = 200
	}
	return len(p), nil
}
func (d *discard) ReadFrom(r io.Reader) (int64, error) {
	if d.code == 0 {
		d.code = 200
	}
	return io.Copy(io.Discard, struct{ io.Reader }{r})
}

// benchApp starts the demo for a benchmark as `make run` does — zero-setup
// defaults in a fresh data folder, the administrator bench@example.com
// with the password bench-password-1 — with extra modules, and returns it
// and its data folder; it stops after b.
func benchApp(b *testing.B, extra ...webos.Module) (*webos.App, string) {
	b.Helper()
	dir := b.TempDir()
	b.Setenv("WEBOS_DATA_DIR", dir)
	b.Setenv("WEBOS_ADMIN_EMAIL", "bench@example.com")
	b.Setenv("WEBOS_ADMIN_PASSWORD", "bench-password-1")
	b.Setenv("WEBOS_LOG_LEVEL", "warn")
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		b.Fatal(err)
	}
	app, err := newApp(cfg, extra...)
	if err != nil {
		b.Fatal(err)
	}
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = app.Stop(context.Background()) })
	return app, dir
}
