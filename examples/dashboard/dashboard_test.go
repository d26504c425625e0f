package dashboard_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/dashboard"
	"github.com/webos-go/webos/ui"
)

func render(t *testing.T, n interface{ Render(io.Writer) error }) string {
	t.Helper()
	var b strings.Builder
	if err := n.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestBarChart(t *testing.T) {
	svg := render(t, dashboard.BarChart("c", "Revenue", []dashboard.Point{{"Jan", 120}, {"Feb", 480}, {"Mar", 0}}, dashboard.Money))
	for _, want := range []string{
		`<svg id="c" class="chart" viewBox="0 0 520 260"`, `role="img"`, `aria-labelledby="c-title c-desc"`,
		`<title id="c-title">Revenue</title>`, `<desc id="c-desc">Jan: $120; Feb: $480; Mar: $0</desc>`,
		`fill="var(--color-accent)"`, `<title>Feb: $480</title>`, `>$600</text>`, // the round top of the scale: four steps of $200
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	if n := strings.Count(svg, `class="bar"`); n != 3 {
		t.Errorf("%d bars", n)
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "NaN") {
		t.Error("chart has script or NaN")
	}
	// The tallest bar is 480/600 of the plot (216 px) high.
	if !strings.Contains(svg, `data-value="480"`) || !strings.Contains(svg, `height="172.8"`) {
		t.Errorf("bar geometry: %s", svg)
	}
	// No data still renders an empty chart.
	if empty := render(t, dashboard.BarChart("e", "Nothing", nil, dashboard.Money)); !strings.Contains(empty, "<svg") || strings.Contains(empty, `class="bar"`) {
		t.Errorf("empty chart: %s", empty)
	}
}

func TestMoney(t *testing.T) {
	for v, want := range map[float64]string{0: "$0", 999.5: "$1,000", 1234567.4: "$1,234,567", -42000: "-$42,000", 100: "$100"} {
		if got := dashboard.Money(v); got != want {
			t.Errorf("Money(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestModuleInTheShell(t *testing.T) {
	app := webos.New(webos.Config{}, webos.AllowAll(), ui.New(ui.Config{}), dashboard.New(nil))
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	get := func(path string) (int, string, string) {
		rec := httptest.NewRecorder()
		app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()
	}
	code, _, home := get("/")
	if code != 200 {
		t.Fatalf("launchpad %d", code)
	}
	for _, want := range []string{
		`<a class="app-card" href="/dashboard/" data-app="dashboard">`,
		`data-widget="sales-chart" data-module="dashboard"`,
		`data-widget="sales-today" data-module="dashboard"`,
		`<span class="palette-title">Sales figures by month</span>`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("launchpad lacks %s", want)
		}
	}
	code, _, page := get("/dashboard/")
	if code != 200 || !strings.Contains(page, `id="sales-page-chart"`) || !strings.Contains(page, `<td>$41,250</td>`) {
		t.Errorf("sales page %d", code)
	}
	code, ctype, csv := get("/dashboard/sales.csv")
	if code != 200 || ctype != "text/csv; charset=utf-8" || !strings.HasPrefix(csv, "month,revenue,orders\nJan,18200.00,298\n") {
		t.Errorf("csv %d %q %.60q", code, ctype, csv)
	}
	for _, st := range app.Modules() {
		if st.ID == dashboard.ModuleID && !strings.Contains(strings.Join(st.Capabilities, " "), "ui.widgets") {
			t.Errorf("capabilities %v", st.Capabilities)
		}
	}
}

func ExampleMoney() {
	fmt.Println(dashboard.Money(1234567.89))
	// Output: $1,234,568
}

func ExampleBarChart() {
	chart := dashboard.BarChart("q", "Orders", []dashboard.Point{{Label: "Q1", Value: 3}, {Label: "Q2", Value: 5}}, func(v float64) string { return fmt.Sprint(v) })
	var b strings.Builder
	_ = chart.Render(&b)
	fmt.Println(strings.Count(b.String(), `class="bar"`), "bars;", strings.Contains(b.String(), "<title>Q2: 5</title>"))
	// Output: 2 bars; true
}
