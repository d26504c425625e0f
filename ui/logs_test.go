package ui_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/trace"
	"github.com/webos-go/webos/ui"
)

func TestLogBufferKeepsTheLastRecords(t *testing.T) {
	var out bytes.Buffer
	next := slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo})
	buf := ui.NewLogBuffer(next, 3)
	log := slog.New(buf)
	for i := 1; i <= 5; i++ {
		log.Info("step", "n", i)
	}
	log.Debug("hidden") // below the next handler's level
	recs := buf.Records(0)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for i, r := range recs {
		if r.Seq != uint64(i+3) || r.Message != "step" || r.Level != "INFO" || r.Attrs != fmt.Sprintf("n=%d", i+3) {
			t.Errorf("record %d: %+v", i, r)
		}
	}
	if got := buf.Records(4); len(got) != 1 || got[0].Seq != 5 {
		t.Errorf("after 4: %+v", got)
	}
	if n := strings.Count(out.String(), "msg=step"); n != 5 {
		t.Errorf("the next handler got %d records, want 5", n)
	}
}

func TestLogBufferAttrsGroupsAndTrace(t *testing.T) {
	buf := ui.NewLogBuffer(nil, 10)
	log := slog.New(buf).With("module", "blog").WithGroup("req")
	ctx := trace.WithID(context.Background(), "abc123")
	log.InfoContext(ctx, "served", "path", "/x", "status", 200)
	log.Warn("slow")
	recs := buf.Records(0)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if want := "module=blog req.path=/x req.status=200 req.trace_id=abc123"; recs[0].Attrs != want {
		t.Errorf("attrs %q, want %q", recs[0].Attrs, want)
	}
	if recs[1].Level != "WARN" || recs[1].Attrs != "module=blog" {
		t.Errorf("second %+v", recs[1])
	}
}

func TestLogBufferSubscribe(t *testing.T) {
	buf := ui.NewLogBuffer(nil, 100)
	log := slog.New(buf)
	log.Info("before")
	backlog, ch, cancel := buf.Subscribe(0)
	if len(backlog) != 1 || backlog[0].Message != "before" {
		t.Fatalf("backlog %+v", backlog)
	}
	log.Info("after")
	select {
	case r := <-ch:
		if r.Message != "after" || r.Seq != 2 {
			t.Errorf("live %+v", r)
		}
	case <-time.After(time.Second):
		t.Fatal("no live record")
	}
	cancel()
	cancel()
	if _, ok := <-ch; ok {
		t.Error("channel open after cancel")
	}
	// A subscriber that does not read never blocks the logger.
	_, _, cancel2 := buf.Subscribe(0)
	defer cancel2()
	done := make(chan struct{})
	go func() {
		for range 1000 {
			log.Info("flood")
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("logging blocked on a slow subscriber")
	}
}

type sseEvent struct{ id, event, data string }

// readEvents reads n events from an event stream.
func readEvents(t *testing.T, sc *bufio.Scanner, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != (sseEvent{}) {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			if cur.data != "" {
				cur.data += "\n"
			}
			cur.data += line[6:]
		}
	}
	if len(out) < n {
		t.Fatalf("stream ended after %d events: %v", len(out), sc.Err())
	}
	return out
}

func TestLogEventsStream(t *testing.T) {
	env := startShell(t, ui.Config{LogLines: 50}, testUsers{})
	log := env.app.Logger()
	log.Info("first", "k", "v")
	log.Warn("second")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Anonymous readers are refused.
	anon, _ := http.NewRequestWithContext(ctx, "GET", env.srv.URL+ui.LogsSSEPath, nil)
	if resp, err := http.DefaultClient.Do(anon); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous log stream: %v %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", env.srv.URL+ui.LogsSSEPath, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Test-Perms", ui.PermLogs)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	evs := readEvents(t, sc, 2)
	var first ui.LogRecord
	if err := json.Unmarshal([]byte(evs[0].data), &first); err != nil {
		t.Fatal(err)
	}
	if evs[0].event != "log" || first.Message != "first" || first.Attrs != "module=ui k=v" && first.Attrs != "k=v" || evs[0].id != fmt.Sprint(first.Seq) {
		t.Errorf("first event %+v → %+v", evs[0], first)
	}
	log.Error("live one")
	for {
		ev := readEvents(t, sc, 1)[0]
		var r ui.LogRecord
		_ = json.Unmarshal([]byte(ev.data), &r)
		if r.Message == "live one" && r.Level == "ERROR" {
			break
		}
	}

	// Resuming after the last id sends only newer records.
	req2, _ := http.NewRequestWithContext(ctx, "GET", env.srv.URL+ui.LogsSSEPath, nil)
	req2.Header.Set("Last-Event-ID", evs[1].id)
	req2.Header.Set("X-Test-Perms", ui.PermLogs)
	resp2, err := http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	next := readEvents(t, bufio.NewScanner(resp2.Body), 1)[0]
	var r ui.LogRecord
	_ = json.Unmarshal([]byte(next.data), &r)
	if r.Seq <= first.Seq+1 {
		t.Errorf("resumed at %d, want after %s", r.Seq, evs[1].id)
	}
}

func TestEventStreamFormat(t *testing.T) {
	rec := &flushRecorder{header: http.Header{}}
	s, err := ui.NewEventStream(rec)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Send("progress", "7", "line one\nline two")
	_ = s.SendJSON("", "", map[string]int{"percent": 50})
	_ = s.Comment("ping")
	_ = s.Retry(1500 * time.Millisecond)
	want := "id: 7\nevent: progress\ndata: line one\ndata: line two\n\n" +
		"data: {\"percent\":50}\n\n" + ": ping\n\n" + "retry: 1500\n\n"
	if rec.body.String() != want {
		t.Errorf("stream:\n%q\nwant\n%q", rec.body.String(), want)
	}
	if rec.flushes < 5 || rec.header.Get("Content-Type") != "text/event-stream" || rec.header.Get("Cache-Control") != "no-store" {
		t.Errorf("flushes %d, headers %v", rec.flushes, rec.header)
	}
	if err := s.Send("bad\nname", "", "x"); err == nil {
		t.Error("a two-line event name was accepted")
	}
}

type flushRecorder struct {
	header  http.Header
	body    bytes.Buffer
	flushes int
}

func (f *flushRecorder) Header() http.Header         { return f.header }
func (f *flushRecorder) Write(b []byte) (int, error) { return f.body.Write(b) }
func (f *flushRecorder) WriteHeader(int)             {}
func (f *flushRecorder) Flush()                      { f.flushes++ }

// early is a module listed before the shell that logs from its Provision
// and Start and from a request, through the application's logger.
type early struct{ log *slog.Logger }

func (e *early) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "early"} }
func (e *early) Provision(_ context.Context, app *webos.App) error {
	e.log = app.Logger().With("module", "early")
	e.log.Info("early provisioned")
	return nil
}
func (e *early) Start(context.Context) error { e.log.Warn("early started"); return nil }

// TestLogTerminalSeesEveryModule: the log terminal receives the records of
// a module listed before the shell, from its first line on.
func TestLogTerminalSeesEveryModule(t *testing.T) {
	e := &early{}
	shell := ui.New(ui.Config{LogLines: 50})
	app := webos.New(webos.Config{}, e, webos.AllowAll(), shell) // the shell last
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	e.log.Info("early after start")
	var got []string
	for _, r := range shell.Logs().Records(0) {
		got = append(got, r.Message)
	}
	for _, want := range []string{"early provisioned", "early started", "early after start"} {
		if !slices.Contains(got, want) {
			t.Errorf("the log terminal lacks %q: %q", want, got)
		}
	}
}

func TestLogBufferFollowsTheLevel(t *testing.T) {
	b := ui.NewLogBuffer(nil, 10)
	l := slog.New(b)
	l.Debug("before")
	b.SetLevel(slog.LevelDebug)
	l.Debug("after")
	var msgs []string
	for _, r := range b.Records(0) {
		msgs = append(msgs, r.Message)
	}
	if strings.Join(msgs, ",") != "after" {
		t.Fatalf("records %q", msgs)
	}
}
