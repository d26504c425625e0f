package ui_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// benchWriter is a ResponseWriter that keeps nothing.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(int)             {}

// shellAndBare returns handlers for the launchpad rendered by the shell
// (two modules contributing apps, menu entries, widgets in four slots and
// palette commands) and for a bare route that writes the very same bytes,
// both served through the same kernel.
func shellAndBare(b *testing.B) (shell, bare func(b *testing.B), size int) {
	var page []byte
	raw := &contributor{id: "raw", routes: func(r *webos.Router) {
		r.HandleFunc("GET /page", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, err := w.Write(page)
			return err
		})
	}}
	notes, sales := demoModules()
	env := startShell(b, ui.Config{LogLines: -1}, notes, sales, raw)
	env.app.SetLogger(slog.New(slog.DiscardHandler)) // no access log in either
	handler := env.app.Handler()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page = rec.Body.Bytes()

	run := func(path string) func(b *testing.B) {
		return func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			w := &benchWriter{h: http.Header{}}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				handler.ServeHTTP(w, req)
			}
		}
	}
	return run("/"), run("/raw/page"), len(page)
}

// BenchmarkShellPage renders the full launchpad page and, as the baseline,
// a bare handler that writes the same bytes, side by side in one run; the
// "ratio" line reports shell time / bare time.
func BenchmarkShellPage(b *testing.B) {
	shell, bare, _ := shellAndBare(b)
	var bareNs, shellNs float64
	timed := func(f func(*testing.B), ns *float64) func(*testing.B) {
		return func(b *testing.B) {
			f(b)
			*ns = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		}
	}
	b.Run("bare", timed(bare, &bareNs))
	b.Run("shell", timed(shell, &shellNs))
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		b.ReportMetric(0, "ns/op")
		if bareNs > 0 {
			b.ReportMetric(shellNs/bareNs, "shell/bare")
		}
	})
}
