package report_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
)

// signedIn is the application's authorizer in the tests: the X-User
// header names the request's user, who may generate reports.
type signedIn struct{}

func (signedIn) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "signed-in"} }
func (signedIn) Authorizer() webos.Authorizer { return signedIn{} }

func (signedIn) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if u := r.Header.Get("X-User"); u != "" {
		r = r.WithContext(identity.With(r.Context(), identity.Subject(u)))
	}
	return r, nil
}

func (signedIn) Authorize(ctx context.Context, perm string) error {
	if identity.ID(ctx) == "" {
		return webos.ErrUnauthorized
	}
	if perm != "" && perm != report.PermRun {
		return webos.ErrForbidden
	}
	return nil
}

func testReport(t *testing.T, redisURL string) {
	tm := tasks.New(tasks.Options{RedisURL: redisURL, Namespace: fmt.Sprint("report-test-", time.Now().UnixNano()), PollInterval: 50 * time.Millisecond})
	app := webos.New(webos.Config{MaxBodyBytes: 1 << 20}, signedIn{}, tm, report.New())
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/tasks/report.generate", strings.NewReader(`{"title":"T","steps":5,"step_ms":20}`))
	req.Header.Set("X-User", "ada")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st tasks.Status
	_ = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || st.ID == "" {
		t.Fatalf("enqueue: %d %+v", res.StatusCode, st)
	}

	req, _ = http.NewRequest("GET", srv.URL+"/tasks/"+st.ID+"/events", nil)
	req.Header.Set("X-User", "ada")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err = http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var names []string
	var last []byte
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
			names = append(names, name)
		}
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			last = bytes.Clone([]byte(data))
		}
	}
	if got := strings.Join(names, ","); !strings.HasSuffix(got, "started,progress,progress,progress,progress,progress,succeeded") {
		t.Fatalf("events %s", got)
	}
	var ev struct {
		Result report.Report `json:"result"`
	}
	if err := json.Unmarshal(last, &ev); err != nil || ev.Result.Total != 55 || ev.Result.GeneratedBy != "ada" {
		t.Fatalf("result %s", last)
	}

	// The finished report as a PDF, for its owner only.
	get := func(path, user string) (int, http.Header, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-User", user)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, b
	}
	code, hdr, body := get("/report/pdf/"+st.ID, "ada")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %s %.40q", code, hdr.Get("Content-Type"), body)
	}
	if err := api.Validate(bytes.NewReader(body), nil); err != nil {
		t.Errorf("the PDF is not valid: %v", err)
	}
	if code, _, body := get("/report/pdf/"+st.ID, "bob"); code != http.StatusNotFound || !strings.Contains(string(body), `"error"`) {
		t.Errorf("another user's report: %d %s", code, body)
	}
	if code, _, _ := get("/report/pdf/no-such-task", "ada"); code != http.StatusNotFound {
		t.Errorf("an unknown task: %d", code)
	}
	done, err := tm.Status(identity.With(context.Background(), identity.Subject("ada")), st.ID)
	if err != nil || done.State != tasks.StateSucceeded {
		t.Fatalf("status: %+v %v", done, err)
	}
	req, _ = http.NewRequest("POST", srv.URL+"/tasks/report.generate", strings.NewReader(`{"title":"Slow","steps":50,"step_ms":200}`))
	req.Header.Set("X-User", "ada")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var running tasks.Status
	_ = json.NewDecoder(res2.Body).Decode(&running)
	res2.Body.Close()
	if code, _, body := get("/report/pdf/"+running.ID, "ada"); code != http.StatusConflict || !strings.Contains(string(body), "not ready") {
		t.Errorf("a report still running: %d %s", code, body)
	}
}

func TestReportInProcess(t *testing.T) { testReport(t, "") }

func TestReportRedis(t *testing.T) { testReport(t, testenv.RedisURL(t)) }

func TestParamsValidated(t *testing.T) {
	tm := tasks.New(tasks.Options{})
	app := webos.New(webos.Config{MaxBodyBytes: 1 << 20}, signedIn{}, tm, report.New())
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	r := httptest.NewRequest("POST", "/tasks/report.generate", strings.NewReader(`{"steps":1000}`))
	r.Header.Set("X-User", "ada")
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	app.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"steps"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
