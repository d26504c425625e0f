package tasks_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
)

// TestRoutesFailClosedWithoutAuthorizer: composed without an authorizer,
// every route of the tasks module answers 401 JSON; with webos.AllowAll
// (a single-user tool, chosen by name) they serve.
func TestRoutesFailClosedWithoutAuthorizer(t *testing.T) {
	for _, open := range []bool{false, true} {
		echo := tasks.Define("guard.echo", func(_ context.Context, p struct {
			Text string `json:"text"`
		}) (any, error) {
			return p, nil
		}, tasks.Expose("guard.run"))
		tm := tasks.New(tasks.Options{Namespace: "guard", Tasks: []tasks.Definition{echo}})
		mods := []webos.Module{tm}
		if open {
			mods = append(mods, webos.AllowAll())
		}
		app := webos.New(testConfig(t), mods...)
		app.SetLogger(slog.New(slog.DiscardHandler))
		if err := app.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app.Handler())
		for _, rq := range [][3]string{
			{"POST", "/tasks/guard.echo", `{"text":"hi"}`},
			{"GET", "/tasks/some-id", ""},
			{"GET", "/tasks/some-id/events", ""},
			{"DELETE", "/tasks/some-id", ""},
			{"GET", "/tasks/admin/queues", ""},
		} {
			req, _ := http.NewRequest(rq[0], srv.URL+rq[1], strings.NewReader(rq[2]))
			if rq[2] != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case !open && (resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json")):
				t.Errorf("without an authorizer %s %s: %d %s", rq[0], rq[1], resp.StatusCode, body)
			case open && (resp.StatusCode == 401 || resp.StatusCode == 403):
				t.Errorf("with AllowAll %s %s: %d %s", rq[0], rq[1], resp.StatusCode, body)
			}
		}
		srv.Close()
		_ = app.Stop(context.Background())
	}
}
