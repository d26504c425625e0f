package webos

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// sinkModule is a module that is a LogSink writing text to buf.
type sinkModule struct{ buf *bytes.Buffer }

func (sinkModule) ModuleInfo() ModuleInfo { return ModuleInfo{ID: "sink", Name: "Sink"} }
func (s sinkModule) LogHandler() slog.Handler {
	return slog.NewTextHandler(s.buf, &slog.HandlerOptions{Level: slog.LevelDebug})
}

// TestLogSinksFollowTheLogLevel: a sink gets the records at the
// application's log level and above, not those below.
func TestLogSinksFollowTheLogLevel(t *testing.T) {
	cfg := testConfig()
	cfg.LogLevel = "warn"
	var buf bytes.Buffer
	app := New(cfg, sinkModule{&buf})
	app.SetLogger(slog.New(slog.DiscardHandler))
	log := app.Logger()
	log.InfoContext(context.Background(), "below the level")
	log.WarnContext(context.Background(), "at the level")
	if out := buf.String(); strings.Contains(out, "below the level") || !strings.Contains(out, "at the level") {
		t.Fatalf("the sink got:\n%s", out)
	}
}
