package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// How event streams poll, when no wake-up arrives.
const (
	streamPoll      = 500 * time.Millisecond
	streamCheck     = 2 * time.Second // how often the task's state is checked too
	streamKeepAlive = 15 * time.Second
)

// Routes mounts the HTTP API under the module's prefix (/tasks):
//
//	POST   /tasks/{type}        enqueue a task of an exposed type (see [Expose]); 202 with its status
//	GET    /tasks/{id}          the task's status (see [Status])
//	GET    /tasks/{id}/events   Server-Sent Events of the task until it ends
//	DELETE /tasks/{id}          cancel the task; 200 with its status, 202 while it winds down
//	GET    /tasks/admin/queues                  task monitor: queues with counts by state
//	GET    /tasks/admin/queues/{queue}/{state}  task monitor: tasks of a queue in a state (?page=&size=)
//
// Every route needs a signed-in user (401 otherwise); enqueueing a type
// needs the permission its [Expose] names; tasks of other users are 404
// unless the caller holds [PermAdmin]; the monitor needs PermAdmin (403).
// An enqueue by a user who has Options.MaxQueuedPerUser unfinished tasks
// is 429 with Retry-After.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	user := r.Require()
	doc := func(summary string, resp any, status int) webos.RouteOption {
		return webos.Describe(webos.Operation{Summary: summary, Response: resp, Status: status})
	}
	user.HandleFunc("POST /{type}", m.handleEnqueue, webos.Describe(webos.Operation{
		Summary: "Enqueue a task of an exposed type; the body is its payload", Request: map[string]any{}, Response: Status{}, Status: http.StatusAccepted}))
	user.HandleFunc("GET /{id}", m.handleStatus, doc("A task's state, progress and result", Status{}, 0))
	user.HandleFunc("GET /{id}/events", m.handleEvents, webos.Stream(), webos.Describe(webos.Operation{
		Summary: "A task's progress as Server-Sent Events, until it ends", ContentType: "text/event-stream"}))
	user.HandleFunc("DELETE /{id}", m.handleCancel, doc("Cancel a task", Status{}, 0))
	admin := r.Require(PermAdmin)
	admin.HandleFunc("GET /admin/queues", m.handleQueues, doc("Queues with their counts per state", queuesResponse{}, 0))
	admin.HandleFunc("GET /admin/queues/{queue}/{state}", m.handleList, doc("The tasks of a queue in a state, a page at a time", listResponse{}, 0))
}

func (m *Module) handleEnqueue(w http.ResponseWriter, r *http.Request) error {
	typ := r.PathValue("type")
	c := m.defs[typ]
	if c == nil || !c.cfg.expose {
		return fmt.Errorf("%w: no task type %q can be enqueued over HTTP", ErrNotFound, typ)
	}
	ctx := r.Context()
	if err := m.app.Authorize(ctx, c.cfg.perm); err != nil {
		return err
	}
	payload, err := c.decode(r)
	if err != nil {
		return err
	}
	id, err := m.enqueue(ctx, c, payload, nil)
	if err != nil {
		return err
	}
	st := &Status{
		ID: id, Type: typ, Queue: c.cfg.queue, State: StateQueued, MaxRetry: c.cfg.maxRetry,
		Owner: identity.ID(ctx), EnqueuedAt: time.Now().UTC(),
	}
	st.TraceID = trace.ID(ctx)
	w.Header().Set("Location", m.prefix+"/"+id)
	webos.WriteJSON(w, http.StatusAccepted, st)
	return nil
}

func (m *Module) handleStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := m.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	webos.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (m *Module) handleCancel(w http.ResponseWriter, r *http.Request) error {
	st, err := m.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	code := http.StatusOK
	if !st.Done() {
		code = http.StatusAccepted
	}
	webos.WriteJSON(w, code, st)
	return nil
}

func (m *Module) handleQueues(w http.ResponseWriter, r *http.Request) error {
	qs, err := m.Queues(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, queuesResponse{Queues: qs, States: MonitorStates})
	return nil
}

// queuesResponse answers GET /tasks/admin/queues.
type queuesResponse struct {
	Queues []QueueStats `json:"queues"`
	States []string     `json:"states"`
}

// listResponse answers GET /tasks/admin/queues/{queue}/{state}.
type listResponse struct {
	Queue string    `json:"queue"`
	State string    `json:"state"`
	Page  int       `json:"page" query:"page"`
	Size  int       `json:"size" query:"size"`
	Tasks []*Status `json:"tasks"`
}

func (m *Module) handleList(w http.ResponseWriter, r *http.Request) error {
	page, err := queryInt(r, "page", 1, 1_000_000)
	if err != nil {
		return err
	}
	size, err := queryInt(r, "size", 20, 100)
	if err != nil {
		return err
	}
	queue, state := r.PathValue("queue"), r.PathValue("state")
	list, err := m.List(r.Context(), queue, state, page, size)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*Status{}
	}
	webos.WriteJSON(w, http.StatusOK, listResponse{Queue: queue, State: state, Page: page, Size: size, Tasks: list})
	return nil
}

func queryInt(r *http.Request, name string, def, maxV int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxV {
		return 0, webos.Invalid(name, fmt.Sprintf("must be a number from 1 to %d", maxV))
	}
	return n, nil
}

var streamIDPattern = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// handleEvents streams the task's events as Server-Sent Events: its event
// log from the start (or after the Last-Event-ID the client sends when it
// reconnects), then new events as they happen, until one that ends the
// task. Events carry the log entry id as their SSE id, the event kind as
// their name and an [Event] as JSON data. A stream that finds no event yet
// starts with a "status" event holding the task's [Status]. A client that
// reconnects after the final event gets 204 No Content, which tells a
// browser's EventSource to stop reconnecting.
//
// The log lives in Redis, written by whichever process runs the task, so
// the stream works when workers run elsewhere: it reads the log when this
// process learns of an event (from its own worker, or over the bus when
// the bus has a transport) and otherwise every half second. It also checks
// the task's state in the queue every few seconds, so that it ends even
// when a worker died without recording the end.
func (m *Module) handleEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("id")
	st, err := m.Status(ctx, id)
	if err != nil {
		return err
	}
	last := "0"
	if v := r.Header.Get("Last-Event-ID"); streamIDPattern.MatchString(v) {
		last = v
		if st.Done() {
			if events, _, err := m.readEvents(ctx, id, last); err == nil && len(events) == 0 {
				// The client has seen the end: 204 tells EventSource to stop
				// reconnecting.
				w.WriteHeader(http.StatusNoContent)
				return nil
			}
		}
	}
	wake := m.watch(id)
	defer m.unwatch(id, wake)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w)}
	if err := sw.raw("retry: 2000\n\n"); err != nil {
		return nil
	}

	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
	checked := time.Now()
	sent := last != "0"
	for {
		events, ids, err := m.readEvents(ctx, id, last)
		if err == nil {
			if !sent && len(events) == 0 {
				if sw.event("", "status", st) != nil {
					return nil
				}
				sent = true
			}
			for i, ev := range events {
				if ev.Done() {
					m.settle(ctx, id)
				}
				if sw.event(ids[i], ev.Kind, ev) != nil {
					return nil
				}
				sent, last = true, ids[i]
				if ev.Done() {
					return nil
				}
			}
		}
		if st != nil && st.Done() {
			// Ended without its final event in the log (a worker died, or the
			// log expired): log it now, so that a client that reconnects with
			// its id learns that it has seen the end.
			ev := eventOf(st)
			logID, _ := m.appendLog(ctx, ev)
			_ = sw.event(logID, ev.Kind, ev)
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-keepAlive.C:
			if sw.raw(": keep-alive\n\n") != nil {
				return nil
			}
		case <-wake:
		case <-poll.C:
		}
		st = nil
		if err != nil || time.Since(checked) >= streamCheck {
			checked = time.Now()
			s, err := m.lookup(ctx, id)
			switch {
			case errors.Is(err, ErrNotFound):
				_ = sw.event("", "error", webos.ErrorBody{Error: err.Error()})
				return nil
			case err == nil && s.Done():
				st = s // read the log once more before ending with it
			}
		}
	}
}

// settle waits a little for the queue to show task id as ended: a worker
// records the final event just before asynq moves the task, and a client
// that reads the status once the stream ends should find it ended.
func (m *Module) settle(ctx context.Context, id string) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := m.lookup(ctx, id); err != nil || st.Done() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// readEvents returns the task's logged events after the entry id last.
func (m *Module) readEvents(ctx context.Context, id, last string) ([]Event, []string, error) {
	cn, err := m.connected()
	if err != nil {
		return nil, nil, err
	}
	rctx, cancel := bound(ctx)
	defer cancel()
	res, err := cn.api.XRead(rctx, &redis.XReadArgs{Streams: []string{keyEvents + id, last}, Count: 100, Block: -1}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var events []Event
	var ids []string
	for _, s := range res {
		for _, msg := range s.Messages {
			raw, _ := msg.Values["e"].(string)
			var ev Event
			if json.Unmarshal([]byte(raw), &ev) != nil {
				continue
			}
			events = append(events, ev)
			ids = append(ids, msg.ID)
		}
	}
	return events, ids, nil
}

// sseWriter writes Server-Sent Events and flushes each.
type sseWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (s *sseWriter) raw(text string) error {
	if _, err := io.WriteString(s.w, text); err != nil {
		return err
	}
	return s.rc.Flush()
}

func (s *sseWriter) event(id, name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if id != "" {
		sb.WriteString("id: " + id + "\n")
	}
	sb.WriteString("event: " + name + "\ndata: ")
	sb.Write(b)
	sb.WriteString("\n\n")
	return s.raw(sb.String())
}
