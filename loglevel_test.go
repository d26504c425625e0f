package webos

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// levelSink is a LogSink whose level follows the application's.
type levelSink struct {
	mu    sync.Mutex
	level slog.Level
	msgs  []string
}

func (s *levelSink) ModuleInfo() ModuleInfo             { return ModuleInfo{ID: "sink"} }
func (s *levelSink) LogHandler() slog.Handler           { return s }
func (s *levelSink) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s *levelSink) WithGroup(string) slog.Handler      { return s }
func (s *levelSink) SetLevel(l slog.Level)              { s.mu.Lock(); s.level = l; s.mu.Unlock() }
func (s *levelSink) Enabled(_ context.Context, l slog.Level) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return l >= s.level
}
func (s *levelSink) Handle(_ context.Context, r slog.Record) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, r.Message)
	s.mu.Unlock()
	return nil
}

func TestSetLogLevelWhileRunning(t *testing.T) {
	cfg := testConfig()
	cfg.LogLevel = "info"
	var buf bytes.Buffer
	sink := &levelSink{}
	app := New(cfg, sink)
	app.SetLogger(NewLogger(cfg, &buf))
	derived := app.Logger().With("part", "early") // made before the change: follows it too
	if app.LogLevel() != slog.LevelInfo {
		t.Fatalf("level %v", app.LogLevel())
	}
	derived.Debug("hidden")
	app.SetLogLevel(slog.LevelDebug)
	derived.Debug("shown")
	app.Logger().Debug("shown too")
	app.SetLogLevel(slog.LevelWarn)
	app.Logger().Info("hidden again")
	out := buf.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, "msg=shown") || !strings.Contains(out, `msg="shown too"`) {
		t.Fatalf("log:\n%s", out)
	}
	if got := strings.Join(sink.msgs, ","); got != "shown,shown too" {
		t.Fatalf("the sink got %q", got)
	}
	if app.LogLevel() != slog.LevelWarn {
		t.Fatalf("level %v", app.LogLevel())
	}
}
