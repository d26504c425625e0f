package explorer

import (
	"testing"
)

// FuzzParseFilter: the compact syntax never panics, and whatever parses
// prints back to a string that parses to the same tree.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "title:contains:tea", "rank:gt:3,(done:eq:true|status:in:a;b)", "!note:isEmpty",
		`title:eq:a\,b\|c`, "(,)", "(|)", "()", "!(a:eq:1,b:eq:2)|c:lt:2026-01-01T00:00:00Z", "((((a:eq:1))))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			return
		}
		out := flt.String()
		again, err := ParseFilter(out)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, out, err)
		}
		if again.String() != out {
			t.Fatalf("%q → %q → %q", s, out, again.String())
		}
	})
}

// FuzzParseFilterModel: AG Grid filter models never panic, and a parsed
// model is within the limits.
func FuzzParseFilterModel(f *testing.F) {
	for _, s := range []string{`{}`, `null`, `{"title":{"filterType":"text","type":"contains","filter":"tea"}}`,
		`{"rank":{"filterType":"number","operator":"OR","conditions":[{"type":"lessThan","filter":2},{"type":"inRange","filter":4,"filterTo":6}]}}`,
		`{"due":{"filterType":"date","type":"greaterThan","dateFrom":"2026-01-01 00:00:00","dateTo":null}}`,
		`{"status":{"filterType":"set","values":["open"]}}`, `{"note":{"filterType":"text","type":"notBlank"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		flt, err := ParseFilterModel(data)
		if err != nil {
			return
		}
		if err := checkShape(flt); err != nil {
			t.Fatalf("parsed %q beyond the limits: %v", data, err)
		}
		_ = flt.String()
	})
}
