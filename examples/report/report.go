package report

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/tasks"
)

// TaskGenerate is the type name of the report task.
const TaskGenerate = "report.generate"

// Defaults of [Params].
const (
	DefaultSteps  = 10
	DefaultStepMS = 300
)

// Params are the report task's payload.
type Params struct {
	// Title names the report.
	Title string `json:"title" validate:"max=100"`
	// Steps is how many steps the report takes (default DefaultSteps).
	Steps int `json:"steps" validate:"min=0,max=100"`
	// StepMS is how long each step takes, in milliseconds (default
	// DefaultStepMS).
	StepMS int `json:"step_ms" validate:"min=0,max=10000"`
}

// Report is the task's result.
type Report struct {
	Title       string    `json:"title"`
	Rows        []Row     `json:"rows"`
	Total       int       `json:"total"`
	GeneratedBy string    `json:"generated_by,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
}

// Row is one line of a report: what one step produced.
type Row struct {
	Step  int `json:"step"`
	Value int `json:"value"`
}

// Module is the report demo module. Make it with [New].
type Module struct {
	generate *tasks.Def[Params]
	log      *slog.Logger
	tasks    *tasks.Module // for the status and result of a report, by task id
}

var (
	_ webos.Module             = (*Module)(nil)
	_ webos.Dependent          = (*Module)(nil)
	_ webos.Provisioner        = (*Module)(nil)
	_ tasks.Provider           = (*Module)(nil)
	_ webos.PermissionProvider = (*Module)(nil)
)

// New returns the report module.
func New() *Module {
	m := &Module{log: slog.Default()}
	m.generate = tasks.Define(TaskGenerate, m.run,
		tasks.Expose(PermRun), tasks.MaxRetry(2), tasks.Timeout(30*time.Minute))
	return m
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          "report",
		Name:        "Reports",
		Description: "Generates reports in the background and shows their progress.",
		Icon:        "task",
		Version:     "1.0.0",
		Permission:  PermRun,
	}
}

// PermRun lets a user generate reports: the module's one permission,
// which its routes, its task and its place in the shell inherit.
const PermRun = "report.run"

// Permissions declares the module's permission.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermRun, Description: "Generate reports and watch their progress"}}
}

// Requires the tasks module, which runs the report task.
func (m *Module) Requires() []string { return []string{tasks.ModuleID} }

// Provision keeps the application's logger and finds the tasks module.
func (m *Module) Provision(_ context.Context, app *webos.App) (err error) {
	m.log = app.Logger().With("module", "report")
	m.tasks, err = registry.Get[*tasks.Module](app.Registry())
	return err
}

// Tasks hands the report task to the tasks module.
func (m *Module) Tasks() []tasks.Definition { return []tasks.Definition{m.generate} }

// Generate enqueues a report for the user in ctx and returns the task's id.
func (m *Module) Generate(ctx context.Context, p Params) (string, error) {
	return m.generate.Enqueue(ctx, p)
}

// run is the task's handler: one step after the other, with progress.
func (m *Module) run(ctx context.Context, p Params) (any, error) {
	if p.Steps == 0 {
		p.Steps = DefaultSteps
	}
	if p.StepMS == 0 {
		p.StepMS = DefaultStepMS
	}
	if p.Title == "" {
		p.Title = "Report"
	}
	m.log.InfoContext(ctx, "generating report", "title", p.Title, "steps", p.Steps)
	rep := Report{Title: p.Title, GeneratedBy: identity.ID(ctx)}
	step := time.Duration(p.StepMS) * time.Millisecond
	for i := 1; i <= p.Steps; i++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(step):
		}
		row := Row{Step: i, Value: i * i}
		rep.Rows = append(rep.Rows, row)
		rep.Total += row.Value
		_ = tasks.Progress(ctx, i*100/p.Steps, fmt.Sprintf("step %d of %d", i, p.Steps))
	}
	rep.GeneratedAt = time.Now().UTC()
	m.log.InfoContext(ctx, "report generated", "title", p.Title, "total", rep.Total)
	return rep, nil
}
