package tasks_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/tasks"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func noop(context.Context, struct{}) (any, error) { return nil, nil }

func TestDefineRejects(t *testing.T) {
	for _, name := range []string{"", "Report", "report.", ".x", "a..b", "a b", "a/b"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Define(%q) did not panic", name)
				}
			}()
			tasks.Define(name, noop)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("Define with a nil handler did not panic")
		}
	}()
	tasks.Define[struct{}]("ok.name", nil)
}

func TestDefineAccepts(t *testing.T) {
	for _, name := range []string{"report", "report.generate", "a-b.c_d.e1"} {
		if d := tasks.Define(name, noop); d.Type() != name {
			t.Errorf("Type() = %q", d.Type())
		}
	}
}

func TestPermanent(t *testing.T) {
	cause := errors.New("bad input")
	err := tasks.Permanent(cause)
	if !errors.Is(err, cause) || !errors.Is(err, tasks.ErrPermanent) || !tasks.IsPermanent(err) || err.Error() != "bad input" {
		t.Fatalf("Permanent: %v", err)
	}
	if tasks.IsPermanent(cause) {
		t.Fatal("a plain error is permanent")
	}
	if tasks.Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
}

func TestDefaultBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		lo      time.Duration
	}{{0, 2 * time.Second}, {1, 4 * time.Second}, {3, 16 * time.Second}, {8, 512 * time.Second}, {9, 10 * time.Minute}, {50, 10 * time.Minute}}
	for _, c := range cases {
		for range 20 {
			d := tasks.DefaultBackoff(c.attempt, nil)
			if d < c.lo || d > c.lo+c.lo/4 {
				t.Fatalf("DefaultBackoff(%d) = %v, want %v to %v", c.attempt, d, c.lo, c.lo+c.lo/4)
			}
		}
	}
}

func TestProgressOutsideTask(t *testing.T) {
	if err := tasks.Progress(context.Background(), 50, "x"); !errors.Is(err, tasks.ErrNoTask) {
		t.Fatalf("Progress outside a task: %v", err)
	}
	if tasks.ID(context.Background()) != "" {
		t.Fatal("ID outside a task")
	}
}

func TestEnqueueNotRegistered(t *testing.T) {
	d := tasks.Define("lonely.task", noop)
	if _, err := d.Enqueue(context.Background(), struct{}{}); !errors.Is(err, tasks.ErrNotRegistered) {
		t.Fatalf("Enqueue: %v", err)
	}
}

func TestDuplicateType(t *testing.T) {
	a, b := tasks.Define("dup.task", noop), tasks.Define("dup.task", noop)
	app := webos.New(testConfig(t), tasks.New(tasks.Options{Tasks: []tasks.Definition{a}}), &provider{id: "other", defs: []tasks.Definition{b}})
	app.SetLogger(discardLogger())
	err := app.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"dup.task" is defined by the tasks options and by module "other"`) {
		t.Fatalf("Start: %v", err)
	}
	_ = app.Stop(context.Background())
}

func TestDefinitionInTwoApps(t *testing.T) {
	d := tasks.Define("shared.task", noop)
	start := func() (*webos.App, error) {
		app := webos.New(testConfig(t), tasks.New(tasks.Options{Tasks: []tasks.Definition{d}}))
		app.SetLogger(discardLogger())
		return app, app.Start(context.Background())
	}
	a1, err := start()
	if err != nil {
		t.Fatal(err)
	}
	a2, err := start()
	if err == nil || !strings.Contains(err.Error(), "already registered with another running tasks module") {
		t.Fatalf("second app: %v", err)
	}
	_ = a2.Stop(context.Background())
	if err := a1.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Once the first has stopped, the definition is free again.
	a3, err := start()
	if err != nil {
		t.Fatal(err)
	}
	_ = a3.Stop(context.Background())
}

func TestModulesListShowsCapability(t *testing.T) {
	app := webos.New(testConfig(t), tasks.New(tasks.Options{}), &provider{id: "work"})
	for _, m := range app.Modules() {
		if m.ID == "work" && !strings.Contains(strings.Join(m.Capabilities, ","), "tasks") {
			t.Fatalf("capabilities of work: %v", m.Capabilities)
		}
		if m.ID == tasks.ModuleID && !strings.Contains(strings.Join(m.Capabilities, ","), "commands") {
			t.Fatalf("capabilities of tasks: %v", m.Capabilities)
		}
	}
}

func TestStateDone(t *testing.T) {
	for s, want := range map[tasks.State]bool{
		tasks.StateQueued: false, tasks.StateRunning: false, tasks.StateRetrying: false,
		tasks.StateSucceeded: true, tasks.StateFailed: true, tasks.StateCancelled: true,
	} {
		if s.Done() != want {
			t.Errorf("%s.Done() = %v", s, !want)
		}
	}
}
