package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// taskPageSize is how many tasks a page of the task monitor lists.
const taskPageSize = 20

// logsPage is the live log terminal of the shell, inside the console.
func (m *Module) logsPage(w http.ResponseWriter, r *http.Request) error {
	return m.page(w, r, "Logs",
		h.P(h.Class("muted"), g.Text("The server's latest log records, live. The level of what is recorded is set on the "),
			h.A(h.Href(m.prefix+"/config"), g.Text("configuration page")), g.Text("; the terminal's own filters only hide lines.")),
		ui.Terminal(ui.LogsSSEPath, 500))
}

// unavailablePage answers a page of the task monitor when Redis cannot
// be reached: the shell with a clear message, 503.
func (m *Module) unavailablePage(w http.ResponseWriter, r *http.Request, err error) error {
	if !errors.Is(err, webos.ErrUnavailable) {
		return err
	}
	w.Header().Set("Retry-After", "5")
	return m.pageStatus(w, r, http.StatusServiceUnavailable, "Tasks",
		h.P(h.Class("flash flash-error"), g.Attr("data-tasks-unavailable", ""), h.Role("alert"),
			g.Text("The task queue (Redis) cannot be reached now, so the queues cannot be shown. Tasks cannot be enqueued or changed until it is back; try again in a moment.")))
}

// tasksPage lists the queues with their counts by state and one page of
// a queue's tasks in one state.
func (m *Module) tasksPage(w http.ResponseWriter, r *http.Request) error {
	tq := m.taskQueue()
	if tq == nil {
		return m.page(w, r, "Tasks", h.P(h.Class("muted"), g.Text("This application has no task queue.")))
	}
	ctx := r.Context()
	qs, err := tq.Queues(ctx)
	if err != nil {
		return m.unavailablePage(w, r, err)
	}
	q := r.URL.Query()
	queue, state := q.Get("queue"), q.Get("state")
	if queue == "" && len(qs) > 0 {
		queue = qs[0].Queue
	}
	if state == "" {
		state = "active"
	}
	if !slices.Contains(tasks.MonitorStates, state) {
		return webos.Invalid("state", "must be one of pending, active, scheduled, retry, archived, completed")
	}
	page := 1
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 100000 {
			return webos.Invalid("page", "must be a number from 1")
		}
	}
	link := func(queue, state string, page int) string {
		v := url.Values{"queue": {queue}, "state": {state}}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return m.prefix + "/tasks?" + v.Encode()
	}
	count := func(s tasks.QueueStats, state string) int {
		return map[string]int{"pending": s.Pending, "active": s.Active, "scheduled": s.Scheduled,
			"retry": s.Retry, "archived": s.Archived, "completed": s.Completed}[state]
	}
	queues := scrollTable(h.Class("table"), h.ID("task-queues"),
		h.THead(h.Tr(h.Th(g.Text("Queue")), g.Map(tasks.MonitorStates, func(s string) g.Node { return h.Th(g.Text(s)) }),
			h.Th(g.Text("Processed today")), h.Th(g.Text("Failed today")))),
		h.TBody(g.Map(qs, func(s tasks.QueueStats) g.Node {
			return h.Tr(g.Attr("data-queue", s.Queue),
				h.Td(h.Strong(g.Text(s.Queue)), g.If(s.Paused, h.Span(h.Class("badge"), g.Text(" paused"))),
					g.If(s.Problem != "", h.Div(h.Class("muted"), g.Attr("data-queue-problem", ""), g.Text(s.Problem)))),
				g.Map(tasks.MonitorStates, func(st string) g.Node {
					n := count(s, st)
					return h.Td(g.Attr("data-count", st), h.A(h.Href(link(s.Queue, st, 1)),
						g.If(s.Queue == queue && st == state, g.Attr("aria-current", "true")),
						g.Attr("aria-label", strconv.Itoa(n)+" "+st+" in "+s.Queue), g.Text(strconv.Itoa(n))))
				}),
				h.Td(g.Text(strconv.Itoa(s.Processed))), h.Td(g.Text(strconv.Itoa(s.Failed))))
		})))
	var list g.Node = h.P(h.Class("muted"), g.Text("No queue yet."))
	if queue != "" {
		ts, err := tq.List(ctx, queue, state, page, taskPageSize)
		if err != nil {
			if errors.Is(err, webos.ErrNotFound) {
				return webos.Invalid("queue", "no such queue")
			}
			return m.unavailablePage(w, r, err)
		}
		total := 0
		for _, s := range qs {
			if s.Queue == queue {
				total = count(s, state)
			}
		}
		list = ui.Card("Tasks "+state+" in "+queue,
			g.If(len(ts) == 0, h.P(h.Class("muted"), g.Text("None."))),
			g.If(len(ts) > 0, scrollTable(h.Class("table"), h.ID("task-list"),
				h.THead(h.Tr(h.Th(g.Text("Task")), h.Th(g.Text("Type")), h.Th(g.Text("State")), h.Th(g.Text("Progress")),
					h.Th(g.Text("Retries")), h.Th(g.Text("Enqueued")), h.Th(g.Text("Error")))),
				h.TBody(g.Map(ts, func(t *tasks.Status) g.Node {
					return h.Tr(g.Attr("data-task", t.ID),
						h.Td(h.A(h.Href(m.prefix+"/tasks/"+url.PathEscape(t.ID)), h.Code(g.Text(t.ID)))),
						h.Td(g.Text(t.Type)), h.Td(g.Text(string(t.State))),
						h.Td(g.Text(strconv.Itoa(t.Percent)+" %"+map[bool]string{true: " · " + t.Message, false: ""}[t.Message != ""])),
						h.Td(g.Text(strconv.Itoa(t.Retried)+" / "+strconv.Itoa(t.MaxRetry))),
						h.Td(g.Text(when(t.EnqueuedAt))), h.Td(g.Text(t.Error)))
				})))),
			h.Nav(h.Class("form-inline"), g.Attr("aria-label", "Pages of tasks"),
				g.If(page > 1, h.A(h.Class("button"), h.Rel("prev"), h.Href(link(queue, state, page-1)), g.Text("Previous"))),
				h.Span(h.Class("muted"), g.Text("page "+strconv.Itoa(page))),
				g.If(page*taskPageSize < total, h.A(h.Class("button"), h.Rel("next"), h.Href(link(queue, state, page+1)), g.Text("Next")))))
	}
	return m.page(w, r, "Tasks", ui.Card("Queues", queues), list)
}

// taskPage is one task: its state with live progress, payload, result,
// error and retries, and the actions it allows.
func (m *Module) taskPage(w http.ResponseWriter, r *http.Request) error {
	tq := m.taskQueue()
	if tq == nil {
		return webos.ErrNotFound
	}
	st, err := tq.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		return m.unavailablePage(w, r, err)
	}
	return m.page(w, r, "Tasks", m.taskView(st))
}

func (m *Module) taskView(st *tasks.Status) g.Node {
	base := m.prefix + "/tasks/" + url.PathEscape(st.ID)
	action := func(name, label, confirm string) g.Node {
		id := "task-" + name
		return h.Form(h.ID(id), h.Method("post"), h.Action(base+"/"+name), ui.HX("post", base+"/"+name),
			ui.HX("confirm", confirm),
			h.Button(h.Type("submit"), h.Class("button"), g.Attr("data-task-action", name), g.Text(label)),
			ui.FormErrors(id))
	}
	canRetry := st.State == tasks.StateFailed || st.State == tasks.StateCancelled || st.State == tasks.StateRetrying ||
		(st.State == tasks.StateQueued && st.NextRunAt.After(time.Now()))
	return g.Group([]g.Node{
		ui.Card("Task "+st.ID,
			h.Div(g.Attr("data-task-state", string(st.State)), ui.TaskProgress(st.ID)),
			h.Dl(h.Class("facts"),
				h.Dt(g.Text("Type")), h.Dd(g.Text(st.Type)),
				h.Dt(g.Text("Queue")), h.Dd(g.Text(st.Queue)),
				h.Dt(g.Text("State")), h.Dd(g.Text(string(st.State)+map[bool]string{true: " (cancel requested)", false: ""}[st.CancelRequested && !st.Done()])),
				h.Dt(g.Text("Owner")), h.Dd(g.Text(orDash(st.Owner))),
				h.Dt(g.Text("Retries")), h.Dd(g.Text(strconv.Itoa(st.Retried)+" of "+strconv.Itoa(st.MaxRetry))),
				h.Dt(g.Text("Enqueued")), h.Dd(g.Text(when(st.EnqueuedAt))),
				g.If(!st.NextRunAt.IsZero(), g.Group([]g.Node{h.Dt(g.Text("Next run")), h.Dd(g.Text(when(st.NextRunAt)))})),
				g.If(!st.LastFailedAt.IsZero(), g.Group([]g.Node{h.Dt(g.Text("Last failure")), h.Dd(g.Text(when(st.LastFailedAt)))})),
				g.If(!st.CompletedAt.IsZero(), g.Group([]g.Node{h.Dt(g.Text("Completed")), h.Dd(g.Text(when(st.CompletedAt)))})),
				h.Dt(g.Text("Trace id")), h.Dd(h.Code(g.Text(orDash(st.TraceID))))),
			g.If(st.Error != "", h.P(h.Class("flash flash-error"), g.Attr("data-task-error", ""), g.Text(st.Error)))),
		ui.Card("Payload", h.Pre(g.Attr("data-task-payload", ""), g.Text(prettyJSON(st.Payload)))),
		g.If(len(st.Result) > 0, ui.Card("Result", h.Pre(g.Attr("data-task-result", ""), g.Text(prettyJSON(st.Result))))),
		ui.Card("Actions", h.Div(h.Class("form-inline"),
			g.If(!st.Done(), action("cancel", "Cancel", "Cancel task "+st.ID+" ("+st.Type+")? A running handler is stopped; the task is not retried.")),
			g.If(canRetry, action("retry", "Retry now", "Run task "+st.ID+" ("+st.Type+") again now, with the same payload?")),
			g.If(st.State != tasks.StateRunning, action("delete", "Delete", "Delete task "+st.ID+" ("+st.Type+")? Its status, payload and result are gone for good.")),
			g.If(st.State == tasks.StateRunning, h.Span(h.Class("muted"), g.Text("A running task is cancelled before it can be deleted."))),
			h.A(h.Class("button"), h.Href(m.prefix+"/tasks?"+url.Values{"queue": {st.Queue}}.Encode()), g.Text("Back to the queue")))),
	})
}

// taskAction runs the monitor's retry, cancel and delete.
func (m *Module) taskAction(w http.ResponseWriter, r *http.Request) error {
	tq := m.taskQueue()
	if tq == nil {
		return webos.ErrNotFound
	}
	ctx, id, name := r.Context(), r.PathValue("id"), r.PathValue("action")
	var err error
	switch name {
	case "cancel":
		_, err = tq.Cancel(ctx, id)
	case "retry":
		_, err = tq.Retry(ctx, id)
	case "delete":
		if err = tq.Delete(ctx, id); err == nil {
			return done(w, r, m.prefix+"/tasks?"+url.Values{"state": {"archived"}}.Encode())
		}
	default:
		return webos.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, webos.ErrConflict) {
			return webos.Invalid(name, publicMessage(err))
		}
		return err
	}
	return done(w, r, m.prefix+"/tasks/"+url.PathEscape(id))
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// prettyJSON indents raw JSON for reading ("—" for none).
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "—"
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

// tasksPanel is the dashboard's view of the queues: depth, running and
// failed tasks per queue.
func (m *Module) tasksPanel(ctx context.Context) (g.Node, error) {
	qs, err := m.taskQueue().Queues(ctx)
	if err != nil {
		return nil, err
	}
	return g.Group([]g.Node{
		scrollTable(h.Class("table"), h.TBody(g.Map(qs, func(s tasks.QueueStats) g.Node {
			return h.Tr(g.Attr("data-queue", s.Queue), h.Td(g.Text(s.Queue)),
				h.Td(g.Text(strconv.Itoa(s.Size)+" waiting or running")), h.Td(g.Text(strconv.Itoa(s.Archived)+" failed")))
		}))),
		h.P(h.A(h.Href(m.prefix+"/tasks"), g.Text("Task monitor"))),
	}), nil
}
