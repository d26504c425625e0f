package dashboard

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/ui"
)

// ModuleID is the ID of [Module].
const ModuleID = "dashboard"

// PermView lets a user see the sales figures.
const PermView = "dashboard.view"

// Month is one month's sales.
type Month struct {
	Label   string  `json:"month"`
	Revenue float64 `json:"revenue"`
	Orders  int     `json:"orders"`
}

// DemoSales is a year of made-up sales figures.
func DemoSales() []Month {
	labels := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	revenue := []float64{18200, 16950, 21400, 23800, 22100, 26750, 29300, 27600, 24900, 28450, 33100, 41250}
	out := make([]Month, len(labels))
	for i := range labels {
		out[i] = Month{Label: labels[i], Revenue: revenue[i], Orders: int(revenue[i] / 61)}
	}
	return out
}

// Module is the dashboard demo module.
type Module struct {
	sales []Month
	shell *ui.Module

	// card is the sales card rendered once: the figures never change
	// after New, and drawing the chart is most of the dashboard's work.
	card func() g.Node
}

var (
	_ webos.Module             = (*Module)(nil)
	_ webos.Provisioner        = (*Module)(nil)
	_ webos.Dependent          = (*Module)(nil)
	_ webos.RouteProvider      = (*Module)(nil)
	_ webos.PermissionProvider = (*Module)(nil)
	_ ui.LaunchpadProvider     = (*Module)(nil)
	_ ui.WidgetProvider        = (*Module)(nil)
	_ ui.PaletteProvider       = (*Module)(nil)
)

// New returns the module showing sales; nil means [DemoSales].
func New(sales []Month) *Module {
	if sales == nil {
		sales = DemoSales()
	}
	m := &Module{sales: sales}
	m.card = sync.OnceValue(func() g.Node {
		var b strings.Builder
		if err := m.renderCard().Render(&b); err != nil {
			return m.renderCard()
		}
		return g.Raw(b.String())
	})
	return m
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Sales",
		Description: "Monthly sales on the dashboard, drawn in SVG on the server.",
		Icon:        "chart",
		Version:     "1.0.0",
		Permission:  PermView, // the routes, the card, the widgets and the command inherit it
	}
}

// Requires the shell, whose pages it renders into.
func (m *Module) Requires() []string { return []string{ui.ModuleID} }

// Provision finds the shell.
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	shell, err := registry.Get[*ui.Module](app.Registry())
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	m.shell = shell
	return nil
}

// Permissions lists the module's one permission.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{{Name: PermView, Description: "See the sales figures"}}
}

// LaunchpadApps puts the Sales app on the launchpad.
func (m *Module) LaunchpadApps() []ui.App {
	return []ui.App{{
		Path: "/", Order: 20,
		Description: "Revenue by month, with the year's best month.",
	}}
}

// SlotWidgets adds the sales chart to the dashboard and today's revenue
// to the header.
func (m *Module) SlotWidgets() []ui.Widget {
	return []ui.Widget{
		{ID: "sales-chart", Slot: ui.SlotDashboard, Priority: 10, Render: m.chartCard},
		{ID: "sales-today", Slot: ui.SlotHeader, Priority: 10, Render: m.todayBadge},
	}
}

// PaletteCommands adds a jump to the figures table.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{{
		Title: "Sales figures by month", Icon: "chart", Keywords: "revenue orders table report",
		Href: "/#figures",
	}}
}

// Routes mounts the Sales page and the CSV export under /dashboard, both
// behind the module's permission.
func (m *Module) Routes(r *webos.Router) {
	r.HandleFunc("GET /", m.page)
	r.HandleFunc("GET /sales.csv", m.csv)
}

func (m *Module) points() []Point {
	pts := make([]Point, len(m.sales))
	for i, s := range m.sales {
		pts[i] = Point{Label: s.Label, Value: s.Revenue}
	}
	return pts
}

func (m *Module) chartCard(context.Context) g.Node { return m.card() }

func (m *Module) renderCard() g.Node {
	total := 0.0
	for _, s := range m.sales {
		total += s.Revenue
	}
	return ui.Card("Sales",
		h.P(h.Class("muted"), g.Text("Revenue by month · "+Money(total)+" this year")),
		BarChart("sales-chart-svg", "Sales: revenue by month", m.points(), Money),
		h.P(h.A(h.Href("/dashboard/"), ui.HX("boost", "true"), ui.HX("target", "#"+ui.MainTarget), ui.HX("swap", "outerHTML"),
			g.Text("Open Sales"))),
	)
}

func (m *Module) todayBadge(context.Context) g.Node {
	if len(m.sales) < 2 {
		return nil
	}
	last, prev := m.sales[len(m.sales)-1], m.sales[len(m.sales)-2]
	today := last.Revenue / 30
	change := (last.Revenue - prev.Revenue) / prev.Revenue * 100
	arrow := "▲"
	if change < 0 {
		arrow = "▼"
	}
	return h.A(h.Class("badge sales-today"), h.Href("/dashboard/"), ui.HX("boost", "true"), ui.HX("target", "#"+ui.MainTarget),
		ui.HX("swap", "outerHTML"), h.Title("Average revenue per day this month"),
		ui.Icon("chart"), g.Text(" Today "+Money(today)+" "+arrow+" "+strconv.FormatFloat(math.Abs(change), 'f', 0, 64)+"%"))
}

func (m *Module) page(w http.ResponseWriter, r *http.Request) error {
	best := m.sales[0]
	total, orders := 0.0, 0
	for _, s := range m.sales {
		total += s.Revenue
		orders += s.Orders
		if s.Revenue > best.Revenue {
			best = s
		}
	}
	return m.shell.Render(w, r, ui.Page{Title: "Sales", Content: g.Group{
		ui.PageHeader("chart", "Sales", fmt.Sprintf("%s revenue from %s orders this year; best month %s.", Money(total), grouped(int64(orders)), best.Label)),
		ui.Card("Revenue by month", BarChart("sales-page-chart", "Revenue by month", m.points(), Money)),
		h.Section(h.ID("figures"), h.Class("card space-above"), g.Attr("aria-labelledby", "figures-title"),
			h.H2(h.ID("figures-title"), h.Class("card-title"), g.Text("Figures")),
			h.Table(h.Class("table"), g.Attr("aria-labelledby", "figures-title"),
				h.THead(h.Tr(h.Th(g.Text("Month")), h.Th(g.Text("Revenue")), h.Th(g.Text("Orders")))),
				h.TBody(g.Map(m.sales, func(s Month) g.Node {
					return h.Tr(h.Td(g.Text(s.Label)), h.Td(g.Text(Money(s.Revenue))), h.Td(g.Text(grouped(int64(s.Orders)))))
				})),
			),
			h.P(h.A(h.Href("/dashboard/sales.csv"), ui.HX("boost", "false"), g.Attr("download", "sales.csv"), g.Text("Download as CSV"))),
		),
	}})
}

func (m *Module) csv(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="sales.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"month", "revenue", "orders"})
	for _, s := range m.sales {
		_ = cw.Write([]string{s.Label, strconv.FormatFloat(s.Revenue, 'f', 2, 64), strconv.Itoa(s.Orders)})
	}
	cw.Flush()
	return nil
}

// Money formats an amount in whole dollars with thousands separators:
// 12345.6 → "$12,346".
func Money(v float64) string {
	n := int64(math.Round(v))
	if n < 0 {
		return "-$" + grouped(-n)
	}
	return "$" + grouped(n)
}

// grouped formats a non-negative number with thousands separators.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
