package webos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/webos-go/webos/bus"
)

// LogSink is a module that receives every log record of the application,
// such as the shell's live log terminal. The kernel finds sinks among the
// modules given to [New] and puts them behind the application's logger
// from the start, so that a sink sees the records of every module wherever
// it is listed. LogHandler is called once, by New.
type LogSink interface {
	LogHandler() slog.Handler
}

// BusProvider is a module that gives the application its event bus, such
// as one whose events reach every instance through Redis. The kernel
// provisions it before every other module, wherever it is listed, then
// takes its bus, so that every module gets that bus; an application has at
// most one. Bus is called after the module's Provision.
type BusProvider interface {
	Provisioner
	Bus() *bus.Bus
}

// fanout is a slog.Handler that passes records to a primary handler and to
// the application's sinks; the sinks get only records at the
// application's log level ([App.LogLevel]: Config.LogLevel, or what
// [App.SetLogLevel] set) or above, like any handler made by [NewLogger].
type fanout struct {
	primary slog.Handler
	sinks   []slog.Handler
	level   *atomic.Int64 // the application's level, of the records the sinks get
}

func (f *fanout) min() slog.Level { return slog.Level(f.level.Load()) }

func (f *fanout) Enabled(ctx context.Context, level slog.Level) bool {
	if f.primary.Enabled(ctx, level) {
		return true
	}
	if level < f.min() {
		return false
	}
	for _, s := range f.sinks {
		if s.Enabled(ctx, level) {
			return true
		}
	}
	return false
}

func (f *fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	if f.primary.Enabled(ctx, r.Level) {
		errs = append(errs, f.primary.Handle(ctx, r.Clone()))
	}
	if r.Level < f.min() {
		return errors.Join(errs...)
	}
	for _, s := range f.sinks {
		if s.Enabled(ctx, r.Level) {
			errs = append(errs, s.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f *fanout) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &fanout{primary: f.primary.WithAttrs(attrs), sinks: make([]slog.Handler, len(f.sinks)), level: f.level}
	for i, s := range f.sinks {
		n.sinks[i] = s.WithAttrs(attrs)
	}
	return n
}

func (f *fanout) WithGroup(name string) slog.Handler {
	n := &fanout{primary: f.primary.WithGroup(name), sinks: make([]slog.Handler, len(f.sinks)), level: f.level}
	for i, s := range f.sinks {
		n.sinks[i] = s.WithGroup(name)
	}
	return n
}

// logger returns a logger writing to primary and to the sinks.
// LogLevel returns the application's log level: Config.LogLevel, or what
// [App.SetLogLevel] set last.
func (a *App) LogLevel() slog.Level { return slog.Level(a.level.Load()) }

// SetLogLevel changes the minimum level of the application's log handler
// and of its [LogSink]s while it runs — those that implement
// [LevelSetter], as the handlers of [NewLogger] and the shell's log
// terminal do. It changes this process only; the admin console keeps the
// level in a setting so that every instance follows.
func (a *App) SetLogLevel(l slog.Level) {
	a.level.Store(int64(l))
	for _, h := range append([]slog.Handler{a.primary}, a.sinks...) {
		if ls, ok := h.(LevelSetter); ok {
			ls.SetLevel(l)
		}
	}
}

func (a *App) logger(primary slog.Handler) *slog.Logger {
	a.primary = primary
	if len(a.sinks) == 0 {
		return slog.New(primary)
	}
	return slog.New(&fanout{primary: primary, sinks: a.sinks, level: &a.level})
}

// partsFirst moves the bus provider to the front of the provisioning
// order; two are an error.
func partsFirst(order []*moduleState) ([]*moduleState, error) {
	var bp *moduleState
	rest := make([]*moduleState, 0, len(order))
	for _, m := range order {
		if _, ok := m.mod.(BusProvider); ok {
			if bp != nil {
				return nil, fmt.Errorf("webos: modules %q and %q both provide the bus: compose one", bp.info.ID, m.info.ID)
			}
			if len(requires(m)) > 0 {
				return nil, fmt.Errorf("module %q provides the bus and cannot require other modules", m.info.ID)
			}
			bp = m
			continue
		}
		rest = append(rest, m)
	}
	if bp == nil {
		return order, nil
	}
	return append([]*moduleState{bp}, rest...), nil
}
