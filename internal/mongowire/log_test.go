package mongowire

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestErrorsOnly(t *testing.T) {
	var buf bytes.Buffer
	l := errorsOnly(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l = l.With("name", "postgresql")
	ctx := context.Background()
	l.DebugContext(ctx, "dump")
	l.InfoContext(ctx, "info")
	l.WarnContext(ctx, "warn")
	l.ErrorContext(ctx, "Query", "err", errors.New(`ERROR: duplicate key value violates unique constraint "x" (SQLSTATE 23505)`))
	l.ErrorContext(ctx, "Connect", "err", errors.New("connection refused"))
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "msg=Connect") || !strings.Contains(out, "name=postgresql") {
		t.Fatalf("log output:\n%s", out)
	}
}
