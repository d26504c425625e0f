package explorer

import (
	"testing"
)

func TestParseFilterModel(t *testing.T) {
	for model, want := range map[string]string{
		`{}`:   "()",
		`null`: "()",
		`{"title":{"filterType":"text","type":"contains","filter":"tea"}}`:                                                                    "title:contains:tea",
		`{"title":{"filterType":"text","type":"notContains","filter":"a,b"}}`:                                                                 `!title:contains:a\,b`,
		`{"rank":{"filterType":"number","type":"inRange","filter":2,"filterTo":5}}`:                                                           "rank:gte:2,rank:lte:5",
		`{"rank":{"filterType":"number","type":"lessThanOrEqual","filter":2.5},"done":{"filterType":"text","type":"equals","filter":"true"}}`: "done:eq:true,rank:lte:2.5",
		`{"rank":{"filterType":"number","operator":"OR","conditions":[{"type":"lessThan","filter":2},{"type":"greaterThan","filter":4}]}}`:    "rank:lt:2|rank:gt:4",
		`{"due":{"filterType":"date","type":"greaterThan","dateFrom":"2026-01-01 00:00:00","dateTo":null}}`:                                   "due:gt:2026-01-01 00:00:00",
		`{"status":{"filterType":"set","values":["open","closed"]}}`:                                                                          "status:in:open;closed",
		`{"note":{"filterType":"text","type":"blank"}}`:                                                                                       "note:isEmpty",
		`{"note":{"filterType":"text","type":"notBlank"}}`:                                                                                    "!note:isEmpty",
		`{"title":{"filterType":"text","type":"startsWith","filter":"ta"}}`:                                                                   "title:startsWith:ta",
		`{"n":{"filterType":"number","type":"notEqual","filter":1},"m":{"filterType":"number","type":"greaterThanOrEqual","filter":1}}`:       "m:gte:1,n:ne:1",
	} {
		f, err := ParseFilterModel([]byte(model))
		if err != nil {
			t.Errorf("%s: %v", model, err)
			continue
		}
		if got := f.String(); got != want {
			t.Errorf("%s\n got %s\nwant %s", model, got, want)
		}
	}
	for _, bad := range []string{`[]`, `{"x":1}`, `{"t":{"type":"endsWith","filter":"a"}}`, `{"t":{"type":"equals"}}`,
		`{"t":{"type":"inRange","filter":1}}`, `{"bad col":{"type":"blank"}}`, `{"t":{"filterType":"set","values":[{}]}}`,
		`{"t":{"operator":"XOR","conditions":[{"type":"blank"}]}}`, `{"t":{"type":"equals","filter":[1]}}`} {
		if _, err := ParseFilterModel([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestParseFilterSyntax(t *testing.T) {
	for in, want := range map[string]string{
		"title:contains:tea":          "title:contains:tea",
		"a:eq:1,b:eq:2|c:eq:3":        "(a:eq:1,b:eq:2)|c:eq:3",
		"a:eq:1,(b:eq:2|c:eq:3)":      "a:eq:1,(b:eq:2|c:eq:3)",
		"!(a:eq:1|b:eq:2)":            "!(a:eq:1|b:eq:2)",
		`t:eq:x\,y\;z`:                `t:eq:x\,y\;z`,
		"t:in:a;b;c":                  "t:in:a;b;c",
		"due:lt:2026-01-01T10:00:00Z": "due:lt:2026-01-01T10:00:00Z",
		"t:isEmpty":                   "t:isEmpty",
		"t:eq:":                       "t:eq:",
	} {
		f, err := ParseFilter(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := f.String(); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"t", "t:", "t:like:x", ":eq:1", "t:eq:1,", "(t:eq:1", "t:eq:1)", `t:eq:\`, "t:isEmpty:x", "t:eq:1;2", "t:in"} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
