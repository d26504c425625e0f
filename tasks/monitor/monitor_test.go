package monitor_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/tasks/monitor"
)

func TestMonitorAPI(t *testing.T) {
	hello := tasks.Define("monitor.hello", func(context.Context, struct{}) (any, error) { return nil, nil })
	tm := tasks.New(tasks.Options{
		Namespace: "mon",
		Tasks:     []tasks.Definition{hello},
	})
	app := webos.New(webos.Config{}, signedIn{}, tm, monitor.New(tm, monitor.ReadOnly()))
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	if _, err := hello.Enqueue(identity.With(context.Background(), identity.Subject("ada")), struct{}{}, tasks.Delay(3600e9)); err != nil {
		t.Fatal(err)
	}
	get := func(path, user string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		if user != "" {
			r.Header.Set("X-User", user)
		}
		w := httptest.NewRecorder()
		app.Handler().ServeHTTP(w, r)
		return w
	}
	w := get(monitor.Path+"/api/queues", "root")
	var body struct {
		Queues []struct {
			Queue     string `json:"queue"`
			Scheduled int    `json:"scheduled"`
		} `json:"queues"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != 200 || err != nil {
		t.Fatalf("queues: %d %s", w.Code, w.Body)
	}
	if len(body.Queues) != 1 || body.Queues[0].Queue != "mon:default" || body.Queues[0].Scheduled != 1 {
		t.Fatalf("queues: %s", w.Body)
	}
	if w := get(monitor.Path+"/api/queues", ""); w.Code != 401 {
		t.Fatalf("anonymous: %d", w.Code)
	}
	if w := get(monitor.Path+"/api/queues", "ada"); w.Code != 403 {
		t.Fatalf("ada: %d %s", w.Code, w.Body)
	}
}
