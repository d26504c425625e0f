package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// RowsPerPage is how many rows of a report one page of its PDF holds.
const RowsPerPage = 28

var pdfConfig = sync.OnceValue(func() *model.Configuration {
	// pdfcpu would otherwise create its configuration folder in the
	// user's home on first use.
	model.ConfigPath = "disable"
	return model.NewDefaultConfiguration()
})

// PDF renders a report as an A4 PDF with pdfcpu: the title in the header;
// a table of the rows, RowsPerPage a page; who generated it and when in
// the footer with the page number; and the total under the last table.
func PDF(rep Report) ([]byte, error) {
	type font struct {
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	pages := map[string]any{}
	for p, start := 1, 0; start < len(rep.Rows) || p == 1; p, start = p+1, start+RowsPerPage {
		end := min(start+RowsPerPage, len(rep.Rows))
		values := make([][]string, 0, end-start)
		for _, r := range rep.Rows[start:end] {
			values = append(values, []string{strconv.Itoa(r.Step), strconv.Itoa(r.Value)})
		}
		content := map[string]any{}
		if len(values) > 0 {
			content["table"] = []any{map[string]any{
				"values": values, "rows": len(values), "cols": 2, "width": 300, "lheight": 22,
				"colWidths": []int{40, 60}, "colAnchors": []string{"Right", "Right"}, "grid": true,
				"anchor": "tc", "dy": -10, "oddCol": "#F1F5F9", "evenCol": "#FFFFFF",
				"font":    font{"Helvetica", 11},
				"padding": map[string]int{"width": 3},
				"header": map[string]any{"values": []string{"Step", "Value"}, "bgCol": "#E2E8F0",
					"colAnchors": []string{"Right", "Right"}, "font": font{"Helvetica-Bold", 11}},
			}}
		}
		if end == len(rep.Rows) {
			content["text"] = []any{map[string]any{"value": fmt.Sprintf("Total: %d (%d rows)", rep.Total, len(rep.Rows)),
				"anchor": "bc", "dy": 20, "font": font{"Helvetica-Bold", 13}}}
		}
		pages[strconv.Itoa(p)] = map[string]any{"content": content}
	}
	by := rep.GeneratedBy
	if by == "" {
		by = "nobody"
	}
	doc := map[string]any{
		"paper": "A4P", "origin": "LowerLeft", "contentBox": true,
		"margin": map[string]int{"width": 40},
		"header": map[string]any{"center": rep.Title, "height": 40, "font": font{"Helvetica-Bold", 18}},
		"footer": map[string]any{"left": "Generated for " + by + " at " + rep.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"),
			"right": "Page %p of %P", "height": 30, "font": font{"Helvetica", 9}},
		"pages": pages,
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := api.Create(nil, bytes.NewReader(js), &out, pdfConfig()); err != nil {
		return nil, fmt.Errorf("report: rendering the PDF: %w", err)
	}
	return out.Bytes(), nil
}
