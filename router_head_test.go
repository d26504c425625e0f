package webos

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

type streamer struct{}

func (streamer) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "streamer"} }
func (streamer) Routes(r *Router) {
	r.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return nil
			}
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
				return nil
			case <-time.After(10 * time.Millisecond):
			}
		}
	}, Stream())
}

// TestHeadOnStreamEnds: a HEAD request of a stream route gets the headers
// and ends, and the connection serves the next request.
func TestHeadOnStreamEnds(t *testing.T) {
	app := New(Config{ShutdownTimeout: time.Second}, streamer{})
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()
	client := &http.Client{Timeout: 3 * time.Second}
	for range 2 { // the second one on the kept-alive connection
		req, _ := http.NewRequest("HEAD", srv.URL+"/streamer/events", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("HEAD: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("HEAD: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
