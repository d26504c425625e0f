package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

var kinds = []string{"5xx", "non-JSON error", "panic", "leak", "no answer", "route unknown to the server", "route missing from the list"}

// report prints the summary, the findings and the probes, and returns the
// exit status: 1 when a check failed.
func (s *sweeper) report(errOut io.Writer, probes []probeResult, setup, elapsed time.Duration) int {
	w := os.Stdout
	lines, panics := s.sink.snapshot()
	for _, p := range panics {
		s.findings = append(s.findings, finding{kind: "panic", req: "server log", detail: short(p, 600)})
	}
	count := map[string]int{}
	for _, f := range s.findings {
		count[f.kind]++
	}

	fmt.Fprintf(w, "WebOS acceptance sweep of the demo on %s (setup %s, in all %s)\n\n", s.host, setup.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests: %d\n", s.total)
	phases := []string{"setup", "methods", "bodies", "paths", "queries", "creds", "headers", "browser", "streams", "raw"}
	for _, p := range phases {
		if n := s.byPhase[p]; n > 0 {
			fmt.Fprintf(w, "  %-8s %6d\n", p, n)
		}
	}
	var codes []int
	for c := range s.byStatus {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, s.byStatus[c]))
	}
	fmt.Fprintf(w, "statuses: %s\n", strings.Join(parts, " "))
	fmt.Fprintf(w, "server log: %d lines\n\n", lines)

	fmt.Fprintln(w, "check                                          count")
	fmt.Fprintln(w, "---------------------------------------------  -----")
	labels := map[string]string{
		"5xx":                         "responses with status ≥ 500",
		"non-JSON error":              "4xx answers that are not JSON {\"error\": …}",
		"panic":                       "server log lines mentioning a panic",
		"leak":                        "bodies/Locations with internals",
		"no answer":                   "requests the server never answered",
		"route unknown to the server": "listed routes the server does not route",
		"route missing from the list": "server routes the sweep's list lacks",
	}
	failed := false
	for _, k := range kinds {
		fmt.Fprintf(w, "%-45s  %5d\n", labels[k], count[k])
		failed = failed || count[k] > 0
	}
	fmt.Fprintf(w, "%-45s  %5d  (accepted: the shell's error page for a browser; listed below)\n", "HTML 4xx to browser-style non-page requests", len(s.htmlElsewhere))

	for _, k := range kinds {
		var fs []finding
		for _, f := range s.findings {
			if f.kind == k {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n== %s (%d)\n", labels[k], len(fs))
		for _, f := range dedupe(fs) {
			fmt.Fprintf(w, "  %s  %s\n", statusOrDash(f.status), f.req)
			fmt.Fprintf(w, "      %s\n", f.detail)
		}
	}

	if len(s.htmlElsewhere) > 0 {
		fmt.Fprintf(w, "\n== accepted: HTML 4xx to a browser's navigation or htmx request on a route that is not a page (%d)\n", len(s.htmlElsewhere))
		byStatus := map[string]int{}
		var keys []string
		for _, f := range s.htmlElsewhere {
			k := fmt.Sprintf("%d [%s]", f.status, f.phase)
			if byStatus[k] == 0 {
				keys = append(keys, k)
			}
			byStatus[k]++
		}
		for _, k := range keys {
			fmt.Fprintf(w, "  %-22s %4d\n", k, byStatus[k])
		}
	}

	fmt.Fprintln(w, "\n== raw TCP probes: requests net/http answers before the app")
	fmt.Fprintln(w, "   (answered by net/http, documented in the kernel doc: package webos, \"Errors net/http writes itself\")")
	for _, p := range probes {
		who := "answered by net/http, documented in the kernel doc"
		switch {
		case p.err != nil:
			who = "no answer: " + short(p.err.Error(), 80)
		case p.byApp:
			who = "answered by the app (checked like the sweep's requests)"
		}
		st := p.status
		if st == "" {
			st = "-"
		}
		fmt.Fprintf(w, "  %-40s %-32s %s\n", p.name, st, who)
		if p.err == nil {
			fmt.Fprintf(w, "  %-40s %s %q\n", "", p.ctype, short(p.body, 90))
		}
	}

	fmt.Fprintln(w)
	if failed {
		fmt.Fprintln(errOut, "sweep: FAILED — see the findings above")
		return 1
	}
	fmt.Fprintf(w, "sweep: OK — %d requests, 0 responses ≥ 500, 0 non-JSON API errors, 0 panics, 0 leaks\n", s.total)
	return 0
}

// dedupe folds findings of the same kind, status and route,
// keeping the first request and how many more there were.
func dedupe(fs []finding) []finding {
	type key struct {
		kind, method, route, detail string
		status                      int
	}
	idx := map[key]int{}
	var out []finding
	var more []int
	for _, f := range fs {
		k := key{f.kind, "", f.route, "", f.status}
		if f.route == "" {
			k.detail = f.detail
		}
		if i, ok := idx[k]; ok {
			more[i]++
			continue
		}
		idx[k] = len(out)
		out = append(out, f)
		more = append(more, 0)
	}
	for i := range out {
		if more[i] > 0 {
			out[i].req += fmt.Sprintf("  (+%d more like it)", more[i])
		}
	}
	return out
}

func statusOrDash(n int) string {
	if n == 0 {
		return "  -"
	}
	return fmt.Sprint(n)
}
