package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// Point is one bar of a [BarChart].
type Point struct {
	Label string
	Value float64
}

// BarChart renders points as an SVG bar chart: bars in the theme's accent
// colour over grid lines at round values, labelled axes, and a tooltip per
// bar. It scales to its container's width (viewBox). The chart is an image
// to assistive technology, named by title and described by its data.
// format renders a value for the axis and tooltips.
func BarChart(id, title string, points []Point, format func(float64) string) g.Node {
	const (
		w, hgt               = 520.0, 260.0
		left, right, top, bt = 64.0, 8.0, 14.0, 30.0
	)
	plotW, plotH := w-left-right, hgt-top-bt
	maxV := 0.0
	for _, p := range points {
		maxV = math.Max(maxV, p.Value)
	}
	step, top0 := niceScale(maxV, 4)
	y := func(v float64) float64 { return top + plotH - v/top0*plotH }

	var grid g.Group
	for v := 0.0; v <= top0+step/2; v += step {
		yy := num(y(v))
		grid = append(grid,
			g.El("line", g.Attr("x1", num(left)), g.Attr("x2", num(w-right)), g.Attr("y1", yy), g.Attr("y2", yy),
				g.Attr("stroke", "var(--color-border)"), g.Attr("stroke-width", "1")),
			g.El("text", g.Attr("x", num(left-8)), g.Attr("y", yy), g.Attr("text-anchor", "end"),
				g.Attr("dominant-baseline", "middle"), g.Attr("font-size", "13"), g.Attr("fill", "var(--color-muted)"),
				g.Text(format(v))),
		)
	}

	var bars g.Group
	var desc []string
	if n := len(points); n > 0 {
		slot := plotW / float64(n)
		bw := slot * 0.62
		for i, p := range points {
			x := left + slot*float64(i) + (slot-bw)/2
			barTop := y(p.Value)
			tip := p.Label + ": " + format(p.Value)
			desc = append(desc, tip)
			bars = append(bars,
				g.El("rect", h.Class("bar"), g.Attr("x", num(x)), g.Attr("y", num(barTop)), g.Attr("width", num(bw)),
					g.Attr("height", num(y(0)-barTop)), g.Attr("rx", "3"), g.Attr("fill", "var(--color-accent)"),
					g.Attr("data-value", strconv.FormatFloat(p.Value, 'f', -1, 64)),
					g.El("title", g.Text(tip))),
				g.El("text", g.Attr("x", num(x+bw/2)), g.Attr("y", num(hgt-bt+18)), g.Attr("text-anchor", "middle"),
					g.Attr("font-size", "13"), g.Attr("fill", "var(--color-muted)"), g.Text(p.Label)),
			)
		}
	}
	return g.El("svg", h.ID(id), h.Class("chart"), g.Attr("viewBox", fmt.Sprintf("0 0 %s %s", num(w), num(hgt))),
		g.Attr("width", "100%"), g.Attr("role", "img"), g.Attr("aria-labelledby", id+"-title "+id+"-desc"),
		g.Attr("preserveAspectRatio", "xMidYMid meet"), g.Attr("font-family", "var(--font-sans)"),
		g.El("title", h.ID(id+"-title"), g.Text(title)),
		g.El("desc", h.ID(id+"-desc"), g.Text(strings.Join(desc, "; "))),
		grid,
		g.El("line", g.Attr("x1", num(left)), g.Attr("x2", num(w-right)), g.Attr("y1", num(y(0))), g.Attr("y2", num(y(0))),
			g.Attr("stroke", "var(--color-muted)"), g.Attr("stroke-width", "1")),
		bars,
	)
}

// niceScale returns a round step (1, 2 or 5 × 10ⁿ) that divides [0, max]
// into about ticks parts, and the round top of the scale.
func niceScale(maxV float64, ticks int) (step, top float64) {
	if maxV <= 0 {
		return 1, float64(ticks)
	}
	raw := maxV / float64(ticks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r <= 1:
		step = mag
	case r <= 2:
		step = 2 * mag
	case r <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	return step, math.Ceil(maxV/step) * step
}

// num formats an SVG coordinate with at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
