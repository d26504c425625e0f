package ui

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/trace"
)

// LogRecord is one record kept by a [LogBuffer].
type LogRecord struct {
	// Seq numbers the records of the buffer from 1.
	Seq uint64 `json:"seq"`
	// Time is when the record was made.
	Time time.Time `json:"time"`
	// Level is "DEBUG", "INFO", "WARN" or "ERROR".
	Level string `json:"level"`
	// Message is the log message.
	Message string `json:"msg"`
	// Attrs are the record's attributes as key=value text.
	Attrs string `json:"attrs,omitempty"`
}

// LogBuffer is a slog.Handler that keeps the last records in a ring and
// passes every record on to another handler. Subscribers receive new records
// as they come; a subscriber that does not keep up misses records rather
// than slowing the logger down. It feeds the shell's live log terminal.
type LogBuffer struct {
	next slog.Handler
	text slog.Handler // formats attributes, with this handler's attrs and groups
	core *logCore
}

type logCore struct {
	mu   sync.Mutex
	buf  bytes.Buffer // scratch for formatting, guarded by mu
	ring []LogRecord
	head int // index of the oldest record
	n    int // records in the ring
	seq  uint64
	subs map[chan LogRecord]struct{}
	// level is the minimum level kept without a next handler.
	level slog.LevelVar
}

// NewLogBuffer returns a handler keeping the last size records (at least
// one) and passing every record to next. A nil next keeps records only,
// at level Info and above.
func NewLogBuffer(next slog.Handler, size int) *LogBuffer {
	core := &logCore{ring: make([]LogRecord, max(size, 1)), subs: map[chan LogRecord]struct{}{}}
	text := slog.NewTextHandler(&core.buf, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
				return slog.Attr{}
			}
			return a
		},
	})
	return &LogBuffer{next: next, text: text, core: core}
}

// Enabled reports whether the next handler handles level (without one,
// Info and above, or what SetLevel set).
func (b *LogBuffer) Enabled(ctx context.Context, level slog.Level) bool {
	if b.next == nil {
		return level >= b.core.level.Level()
	}
	return b.next.Enabled(ctx, level)
}

// SetLevel changes the minimum level of the records kept, and of the next
// handler when it can change its level (see [webos.LevelSetter]), so that
// the log terminal follows [webos.App.SetLogLevel].
func (b *LogBuffer) SetLevel(l slog.Level) {
	b.core.level.Set(l)
	if ls, ok := b.next.(webos.LevelSetter); ok {
		ls.SetLevel(l)
	}
}

// Handle keeps the record and passes it on.
func (b *LogBuffer) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if b.next != nil {
		err = b.next.Handle(ctx, r.Clone())
	}
	rec := LogRecord{Time: r.Time, Level: r.Level.String(), Message: r.Message}
	if ctx != nil {
		if id := trace.ID(ctx); id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String("trace_id", id))
		}
	}
	c := b.core
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Reset()
	_ = b.text.Handle(ctx, r)
	rec.Attrs = strings.TrimSpace(c.buf.String())
	c.seq++
	rec.Seq = c.seq
	if c.n < len(c.ring) {
		c.ring[(c.head+c.n)%len(c.ring)] = rec
		c.n++
	} else {
		c.ring[c.head] = rec
		c.head = (c.head + 1) % len(c.ring)
	}
	for ch := range c.subs {
		select {
		case ch <- rec:
		default: // too slow: it misses this record
		}
	}
	return err
}

// WithAttrs returns a handler with the attributes added, sharing the ring.
func (b *LogBuffer) WithAttrs(attrs []slog.Attr) slog.Handler {
	nb := &LogBuffer{text: b.text.WithAttrs(attrs), core: b.core}
	if b.next != nil {
		nb.next = b.next.WithAttrs(attrs)
	}
	return nb
}

// WithGroup returns a handler with the group opened, sharing the ring.
func (b *LogBuffer) WithGroup(name string) slog.Handler {
	nb := &LogBuffer{text: b.text.WithGroup(name), core: b.core}
	if b.next != nil {
		nb.next = b.next.WithGroup(name)
	}
	return nb
}

// Records returns the kept records with a sequence number above after,
// oldest first.
func (b *LogBuffer) Records(after uint64) []LogRecord {
	c := b.core
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.since(after)
}

func (c *logCore) since(after uint64) []LogRecord {
	var out []LogRecord
	for i := range c.n {
		rec := c.ring[(c.head+i)%len(c.ring)]
		if rec.Seq > after {
			out = append(out, rec)
		}
	}
	return out
}

// Subscribe returns the kept records after the sequence number after and a
// channel of the records that follow, without gap or overlap. cancel ends
// the subscription and closes the channel.
func (b *LogBuffer) Subscribe(after uint64) (backlog []LogRecord, records <-chan LogRecord, cancel func()) {
	c := b.core
	ch := make(chan LogRecord, 256)
	c.mu.Lock()
	backlog = c.since(after)
	c.subs[ch] = struct{}{}
	c.mu.Unlock()
	var once sync.Once
	return backlog, ch, func() {
		once.Do(func() {
			c.mu.Lock()
			if _, ok := c.subs[ch]; ok {
				delete(c.subs, ch)
				close(ch)
			}
			c.mu.Unlock()
		})
	}
}

// Close ends every subscription, so that live streams finish.
func (b *LogBuffer) Close() {
	c := b.core
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs {
		delete(c.subs, ch)
		close(ch)
	}
}

// Terminal renders a live log view fed by the Server-Sent Events at
// streamURL (events named "log" whose data is a [LogRecord] as JSON). It
// keeps at most maxLines lines and follows new lines while scrolled to the
// bottom. Its bar filters the lines by minimum level and by text (in the
// message or the attributes, ignoring case) and pauses the view: while
// paused, new lines are kept aside and shown on resume, so none is lost
// (up to maxLines).
func Terminal(streamURL string, maxLines int) g.Node {
	return h.Section(h.Class("terminal"), g.Attr("data-sse", "log"), g.Attr("data-sse-url", streamURL),
		g.Attr("data-max", strconv.Itoa(maxLines)), g.Attr("data-state", "connecting"), g.Attr("aria-label", "Live log"),
		h.Div(h.Class("terminal-bar"),
			h.Span(h.Class("terminal-dot"), g.Attr("aria-hidden", "true")),
			h.Span(g.Text("Live log")),
			h.Label(h.Class("terminal-filter"), g.Text("Level "),
				h.Select(g.Attr("data-log-level", ""), g.Attr("aria-label", "Minimum level"),
					h.Option(h.Value("debug"), g.Text("debug")), h.Option(h.Value("info"), g.Text("info")),
					h.Option(h.Value("warn"), g.Text("warn")), h.Option(h.Value("error"), g.Text("error")))),
			h.Label(h.Class("terminal-filter"), g.Text("Filter "),
				h.Input(h.Type("search"), g.Attr("data-log-filter", ""), g.Attr("aria-label", "Show lines containing"), h.Placeholder("text"))),
			h.Button(h.Type("button"), h.Class("button"), g.Attr("data-log-pause", ""), g.Attr("aria-pressed", "false"), g.Text("Pause")),
			h.Span(h.Class("terminal-status"), g.Attr("data-sse-status", ""), g.Attr("aria-live", "polite"), g.Text("connecting…")),
		),
		h.Div(h.Class("terminal-lines"), g.Attr("data-log-lines", ""), h.Role("log"), g.Attr("aria-label", "Log lines"), h.TabIndex("0")),
	)
}

func (m *Module) handleLogsPage(w http.ResponseWriter, r *http.Request) error {
	return m.Render(w, r, Page{Title: "System log", Content: g.Group{
		PageHeader("terminal", "System log", "The server's most recent log records, live. Only administrators see this."),
		Terminal(LogsSSEPath, len(m.logs.core.ring)),
	}})
}

// handleLogEvents streams the kept records, then new ones, as "log" events
// with the record's sequence number as id, so a reconnecting client
// resumes where it stopped.
func (m *Module) handleLogEvents(w http.ResponseWriter, r *http.Request) error {
	var after uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		after, _ = strconv.ParseUint(v, 10, 64)
	}
	backlog, records, cancel := m.logs.Subscribe(after)
	defer cancel()
	s, err := NewEventStream(w)
	if err != nil {
		return nil
	}
	if s.Retry(2*time.Second) != nil {
		return nil
	}
	send := func(rec LogRecord) error { return s.SendJSON("log", strconv.FormatUint(rec.Seq, 10), rec) }
	for _, rec := range backlog {
		if send(rec) != nil {
			return nil
		}
	}
	keepAlive := time.NewTicker(20 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case rec, ok := <-records:
			if !ok || send(rec) != nil {
				return nil
			}
		case <-keepAlive.C:
			if s.Comment("keep-alive") != nil {
				return nil
			}
		}
	}
}
