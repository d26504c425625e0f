package report

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

var (
	_ ui.WidgetProvider   = (*Module)(nil)
	_ webos.RouteProvider = (*Module)(nil)
)

// SlotWidgets puts a "Generate a report" form on the report app's page in
// the shell. Each submitted report appears below the form with a progress
// bar that follows the task live.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "report-generate", Slot: "app:report", Priority: 10, Render: func(context.Context) g.Node {
		return ui.Card("Generate a report",
			h.Form(h.Class("report-form form-inline"), ui.HX("post", "/report/runs"), ui.HX("target", "#report-runs"), ui.HX("swap", "afterbegin"),
				h.Label(h.For("report-title"), g.Text("Title")),
				h.Input(h.ID("report-title"), h.Name("title"), h.Value("Monthly report"), h.MaxLength("100"), h.Required()),
				h.Label(h.For("report-steps"), g.Text("Steps")),
				h.Input(h.ID("report-steps"), h.Name("steps"), h.Type("number"), h.Min("1"), h.Max("100"), h.Value(strconv.Itoa(DefaultSteps))),
				h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Generate")),
			),
			h.Div(h.ID("report-runs"), h.Class("report-runs"), g.Attr("aria-live", "polite")),
		)
	}}}
}

// Routes serves the form's target and the reports as PDF (both need
// [PermRun], the module's permission):
//
//	POST /report/runs      title, steps (a form) → 201 and an HTML fragment
//	                       with a progress bar bound to the new task
//	GET  /report/pdf/{id}  the finished report of task id as a PDF; 409
//	                       while it runs, 404 for a task that is not the
//	                       caller's (unless an administrator asks)
func (m *Module) Routes(r *webos.Router) {
	r.HandleFunc("POST /runs", m.createRun)
	r.HandleFunc("GET /pdf/{id}", m.pdf, webos.Describe(webos.Operation{Summary: "A finished report as a PDF"}))
}

// pdf renders the result of a finished report task as a PDF.
func (m *Module) pdf(w http.ResponseWriter, r *http.Request) error {
	st, err := m.tasks.Status(r.Context(), r.PathValue("id"))
	if err != nil {
		return err // not found (also another user's task), or Redis unavailable
	}
	if st.Type != TaskGenerate {
		return fmt.Errorf("task %s is not a report: %w", st.ID, webos.ErrNotFound)
	}
	if st.State != tasks.StateSucceeded {
		return fmt.Errorf("the report is %s, not ready yet: %w", st.State, webos.ErrConflict)
	}
	var rep Report
	if err := json.Unmarshal(st.Result, &rep); err != nil {
		return fmt.Errorf("report %s: reading its result: %w", st.ID, err)
	}
	b, err := PDF(rep)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+st.ID+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
	return nil
}

func (m *Module) createRun(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	p := Params{Title: strings.TrimSpace(r.PostForm.Get("title"))}
	if s := r.PostForm.Get("steps"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return webos.Invalid("steps", "must be a whole number")
		}
		p.Steps = n
	}
	if p.Steps < 1 && r.PostForm.Get("steps") != "" {
		return webos.Invalid("steps", "must be at least 1")
	}
	if err := webos.Validate(&p); err != nil {
		return err
	}
	id, err := m.Generate(r.Context(), p)
	if err != nil {
		return err
	}
	title := p.Title
	if title == "" {
		title = "Report"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	ui.SetSecurityHeaders(w.Header())
	w.Header().Set("Location", "/tasks/"+id)
	w.WriteHeader(http.StatusCreated)
	return h.Div(h.Class("report-run"), g.Attr("data-task", id),
		h.P(h.Strong(g.Text(title))),
		ui.TaskProgress(id),
		h.P(h.A(h.Href("/report/pdf/"+id), g.Attr("download", ""), g.Text("Download the PDF")), g.Text(" (once it is done)")),
	).Render(w)
}
