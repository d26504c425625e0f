package ui_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// weather is a module that adds an app to the launchpad and a widget to
// the dashboard, without touching the layout.
type weather struct{}

func (weather) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "weather", Name: "Weather", Icon: "🌤️"}
}

func (weather) LaunchpadApps() []ui.App {
	return []ui.App{{Name: "Weather", Icon: "🌤️", Description: "Today and tomorrow."}}
}

func (weather) SlotWidgets() []ui.Widget {
	return []ui.Widget{{ID: "forecast", Slot: ui.SlotDashboard, Render: func(ctx context.Context) g.Node {
		return ui.Card("Forecast", h.P(g.Text("Sunny, 24 °C")))
	}}}
}

func Example() {
	shell := ui.New(ui.Config{Brand: "Demo"})
	// A single-user tool: no sign-in, everything open, chosen by name.
	app := webos.New(webos.Config{}, webos.AllowAll(), shell, weather{})
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	page := rec.Body.String()
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(strings.Contains(page, `<a class="app-card" href="/apps/weather"`))
	fmt.Println(strings.Contains(page, `<div class="widget" data-widget="forecast" data-module="weather">`))
	fmt.Println(strings.Contains(page, "Sunny, 24 °C"))
	// Output:
	// 200 text/html; charset=utf-8
	// true
	// true
	// true
}

func ExampleCard() {
	_ = ui.Card("Sales", h.P(g.Text("$1,234 today"))).Render(os.Stdout)
	fmt.Println()
	// Output:
	// <section class="card"><h3 class="card-title">Sales</h3><p>$1,234 today</p></section>
}

func ExampleTaskProgress() {
	_ = ui.TaskProgress("42").Render(os.Stdout)
	fmt.Println()
	// Output:
	// <div class="progress" data-sse="progress" data-sse-url="/tasks/42/events" data-state="connecting" role="group" aria-label="Task 42"><progress max="100" value="0" aria-label="Task 42"></progress><span class="progress-label" data-progress-label="" aria-live="polite">Waiting…</span></div>
}
