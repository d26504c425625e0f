package webos

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkHealth measures GET /health from parallel clients over real
// connections, with the checks a production server has: a database ping
// and an object-store request, each a round trip to a local HTTP server.
func BenchmarkHealth(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Microsecond) // a backend's own work
	}))
	defer backend.Close()
	client := backend.Client()
	ping := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, backend.URL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	app := New(testConfig())
	app.SetLogger(slog.New(slog.DiscardHandler))
	app.AddHealthCheck("database", ping)
	app.AddHealthCheck("storage:s3", ping)
	if err := app.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = app.Stop(context.Background()) }()
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost = 64

	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := srv.Client().Get(srv.URL + "/health")
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
