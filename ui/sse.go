package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// EventStream writes Server-Sent Events, flushing each one. Create it with
// [NewEventStream] in a handler registered with webos.Stream(), so that the
// request has no deadline.
type EventStream struct {
	w  io.Writer
	rc *http.ResponseController
}

// NewEventStream sends the response headers of an event stream (status
// 200, text/event-stream, no caching or proxy buffering) and returns the
// stream.
func NewEventStream(w http.ResponseWriter) (*EventStream, error) {
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &EventStream{w: w, rc: http.NewResponseController(w)}
	return s, s.rc.Flush()
}

// Send writes one event. event names it ("" is the default "message"), id
// is its id for Last-Event-ID ("" for none), and data may span lines.
func (s *EventStream) Send(event, id, data string) error {
	if strings.ContainsAny(event, "\r\n") || strings.ContainsAny(id, "\r\n\x00") {
		return fmt.Errorf("ui: event stream: event name and id must be one line")
	}
	var b strings.Builder
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	if event != "" {
		b.WriteString("event: " + event + "\n")
	}
	for line := range strings.SplitSeq(strings.ReplaceAll(data, "\r\n", "\n"), "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteByte('\n')
	return s.write(b.String())
}

// SendJSON writes one event whose data is v as JSON.
func (s *EventStream) SendJSON(event, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Send(event, id, string(data))
}

// Comment writes a comment line, which clients ignore: a keep-alive for
// proxies that close idle connections.
func (s *EventStream) Comment(text string) error {
	return s.write(": " + strings.ReplaceAll(text, "\n", " ") + "\n\n")
}

// Retry tells the client how long to wait before reconnecting.
func (s *EventStream) Retry(d time.Duration) error {
	return s.write("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")
}

func (s *EventStream) write(text string) error {
	if _, err := io.WriteString(s.w, text); err != nil {
		return err
	}
	return s.rc.Flush()
}

// TaskEventsURL returns the URL of a task's status stream served by the
// tasks module: /tasks/{id}/events.
func TaskEventsURL(taskID string) string { return "/tasks/" + url.PathEscape(taskID) + "/events" }

// TaskProgress renders a progress bar bound to the task's status stream
// (see [TaskEventsURL] and [ProgressBar]).
func TaskProgress(taskID string) g.Node {
	return ProgressBar(TaskEventsURL(taskID), "Task "+taskID)
}

// ProgressBar renders a progress bar that follows the Server-Sent Events
// at streamURL. Each event's data is JSON with "percent" (0–100), an
// optional "message" and "state"; the states "succeeded", "failed" and
// "cancelled" end it — the shape of the tasks module's events. The
// element's data-state attribute follows the state, so tests and styles
// can see it; the text beside the bar is a polite live region.
func ProgressBar(streamURL, label string) g.Node {
	return h.Div(h.Class("progress"), g.Attr("data-sse", "progress"), g.Attr("data-sse-url", streamURL),
		g.Attr("data-state", "connecting"), h.Role("group"), g.Attr("aria-label", label),
		h.Progress(h.Max("100"), h.Value("0"), g.Attr("aria-label", label)),
		h.Span(h.Class("progress-label"), g.Attr("data-progress-label", ""), g.Attr("aria-live", "polite"), g.Text("Waiting…")),
	)
}
