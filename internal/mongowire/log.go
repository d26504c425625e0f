package mongowire

import (
	"context"
	"log/slog"
	"strings"
)

// errorsOnly returns a logger that passes on only ERROR records to l's
// handler (slog.Default() when l is nil), less the unique-index violations
// its PostgreSQL backend logs: the client gets them as duplicate-key errors
// and reports them itself, so as server errors they would be noise.
func errorsOnly(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(minLevel{h: l.Handler(), min: slog.LevelError})
}

// minLevel is a slog.Handler that drops records below min.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error {
	dup := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && strings.Contains(a.Value.String(), uniqueViolation) {
			dup = true
			return false
		}
		return true
	})
	if dup {
		return nil
	}
	return m.h.Handle(ctx, r)
}

// uniqueViolation marks PostgreSQL's unique_violation error.
const uniqueViolation = "(SQLSTATE 23505)"

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(as), min: m.min}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
