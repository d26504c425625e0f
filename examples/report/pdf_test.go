package report_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/webos-go/webos/examples/report"
)

// TestPDF: the rendered report is a valid PDF (pdfcpu validates what it
// reads back) with one page per RowsPerPage rows, and the header, a row
// and the total are in its text.
func TestPDF(t *testing.T) {
	rep := report.Report{Title: "Sales 2026", GeneratedBy: "ada", GeneratedAt: time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC)}
	for i := 1; i <= report.RowsPerPage+5; i++ {
		rep.Rows = append(rep.Rows, report.Row{Step: i, Value: i * i})
		rep.Total += i * i
	}
	b, err := report.PDF(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	if err := api.Validate(bytes.NewReader(b), nil); err != nil {
		t.Fatalf("invalid PDF: %v", err)
	}
	n, err := api.PageCount(bytes.NewReader(b), nil)
	if err != nil || n != 2 {
		t.Fatalf("pages = %d, %v; want 2", n, err)
	}
	var text strings.Builder
	if err := api.ExtractContent(bytes.NewReader(b), nil, func(r io.Reader, _ int) error {
		_, err := io.Copy(&text, r)
		return err
	}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(Sales 2026)", fmt.Sprintf("(Total: %d \\(%d rows\\))", rep.Total, len(rep.Rows)), "(Generated for ada at 2026-12-01 15:04 UTC)", "(Page 2 of 2)", "(33)", "(1089)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the PDF's text does not hold %s", want)
		}
	}
	empty, err := report.PDF(report.Report{Title: "Nothing"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := api.PageCount(bytes.NewReader(empty), nil); err != nil || n != 1 {
		t.Errorf("an empty report: %d pages, %v", n, err)
	}
}
