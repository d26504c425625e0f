package main

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
)

// Bar colours by server; anything else is grey.
var serverColors = map[string]string{
	"webos":      "#2563eb",
	"pocketbase": "#e8590c",
	"net/http":   "#868e96",
}

// chart draws the rows as grouped horizontal bars of req/s on a log scale
// (the cases span five orders of magnitude): one group per case, the WebOS
// bar first, the peer's below it.
func (rep *report) chart() string {
	const (
		left, right, top = 330.0, 110.0, 64.0
		plotW            = 560.0
		barH, barGap     = 13.0, 2.0
		groupGap         = 12.0
	)
	lo, hi := math.Inf(1), 0.0
	for _, r := range rep.Rows {
		for _, m := range []*measurement{r.WebOS, r.Peer} {
			if m != nil && m.RPS > 0 {
				lo, hi = math.Min(lo, m.RPS), math.Max(hi, m.RPS)
			}
		}
	}
	if hi == 0 {
		lo, hi = 1, 10
	}
	lo = math.Min(1, math.Pow(10, math.Floor(math.Log10(lo))))
	hi = math.Pow(10, math.Max(1, math.Ceil(math.Log10(hi))))
	x := func(v float64) float64 {
		if v <= lo {
			return left
		}
		return left + plotW*(math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	groupH := 2*barH + barGap + groupGap
	height := top + float64(len(rep.Rows))*groupH + 40
	width := left + plotW + right

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="system-ui, sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	title := rep.SettingsMap["title"]
	if title == "" {
		title = "Load suite"
	}
	sub := fmt.Sprintf("req/s, log scale; median of %s round(s) of %s each; %s", rep.SettingsMap["rounds"], rep.SettingsMap["duration"], rep.SettingsMap["machine"])
	fmt.Fprintf(&b, `<text x="12" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", esc(title))
	fmt.Fprintf(&b, `<text x="12" y="40" fill="#555">%s</text>`+"\n", esc(sub))
	// Legend.
	lx := left
	for _, s := range []string{"webos", "pocketbase", "net/http"} {
		fmt.Fprintf(&b, `<rect x="%.0f" y="48" width="12" height="10" fill="%s"/><text x="%.0f" y="57">%s</text>`+"\n", lx, serverColors[s], lx+16, s)
		lx += 100
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="57" fill="#c92a2a">hatched: invalid</text>`+"\n", lx)
	b.WriteString(`<defs><pattern id="bad" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="#c92a2a"/></pattern></defs>` + "\n")
	// Grid.
	bottom := top + float64(len(rep.Rows))*groupH
	for v := lo; v <= hi*1.0001; v *= 10 {
		gx := x(v)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", gx, top-4, gx, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%s</text>`+"\n", gx, bottom+16, tick(v))
	}
	for i, r := range rep.Rows {
		y := top + float64(i)*groupH
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-8, y+barH+barGap/2+4, esc(shorten(r.Case, 52)))
		for j, m := range []*measurement{r.WebOS, r.Peer} {
			if m == nil {
				continue
			}
			by := y + float64(j)*(barH+barGap)
			fill := serverColors[m.Server]
			if fill == "" {
				fill = "#adb5bd"
			}
			if !m.Valid {
				fill = "url(#bad)"
			}
			w := x(m.RPS) - left
			label := fmtRPS(m)
			if m.RPS == 0 {
				label = "0 (" + strings.Join(slices.Concat(m.Problems, m.Warnings), ", ") + ")"
			} else if !m.Valid {
				label += " invalid"
			}
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s %s: %s req/s</title></rect>`+"\n",
				left, by, math.Max(w, 1), barH, fill, esc(m.Server), esc(m.What), label)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#333">%s</text>`+"\n", left+math.Max(w, 1)+4, by+barH-2, esc(m.Server+" "+label))
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func tick(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%g", v)
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
