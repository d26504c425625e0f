package webos

import (
	"context"
	"io"
	"log"
	"log/slog"
	"strings"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// NewLogger returns a logger for cfg writing to w: text in development, JSON
// in production (or as LogFormat says), at cfg.LogLevel, wrapped in a
// [ContextHandler] so records carry the trace and user ids of their context.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	level := new(slog.LevelVar)
	level.Set(ParseLevel(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "" {
		format = "text"
		if cfg.Production() {
			format = "json"
		}
	}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(&ContextHandler{next: h, level: level})
}

// LevelSetter is a log handler whose minimum level can change while the
// application runs: [App.SetLogLevel] sets the level of the application's
// handler and of its [LogSink]s that implement it. The handlers of
// [NewLogger] do.
type LevelSetter interface {
	SetLevel(slog.Level)
}

// ParseLevel turns "debug", "info", "warn" or "error" into a slog.Level;
// anything else is info.
func ParseLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// SetDefaultLogger makes l the process's default slog logger and routes the
// standard library's log package into it.
func SetDefaultLogger(l *slog.Logger) {
	slog.SetDefault(l)
	log.SetFlags(0)
}

// ContextHandler is a slog.Handler wrapper that adds "trace_id" and
// "user_id" attributes from each record's context, when present.
type ContextHandler struct {
	next  slog.Handler
	level *slog.LevelVar // the level of next when NewLogger made it
}

// NewContextHandler wraps next.
func NewContextHandler(next slog.Handler) *ContextHandler { return &ContextHandler{next: next} }

// Enabled reports whether the wrapped handler handles level.
func (h *ContextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the context's ids and passes the record on.
func (h *ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := trace.ID(ctx); id != "" {
			r.AddAttrs(slog.String("trace_id", id))
		}
		if id := identity.ID(ctx); id != "" {
			r.AddAttrs(slog.String("user_id", id))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a ContextHandler over next.WithAttrs.
func (h *ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &ContextHandler{next: h.next.WithAttrs(attrs), level: h.level}
}

// WithGroup returns a ContextHandler over next.WithGroup.
func (h *ContextHandler) WithGroup(name string) slog.Handler {
	return &ContextHandler{next: h.next.WithGroup(name), level: h.level}
}

// SetLevel changes the minimum level of a handler made by [NewLogger] and
// of every handler derived from it; otherwise it passes the level to the
// wrapped handler when that is a [LevelSetter].
func (h *ContextHandler) SetLevel(l slog.Level) {
	if h.level != nil {
		h.level.Set(l)
		return
	}
	if ls, ok := h.next.(LevelSetter); ok {
		ls.SetLevel(l)
	}
}
