package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The plan (plan.tsv) is written by scripts/load.sh, one record a line,
// fields separated by tabs:
//
//	S  key  value                          a setting of the run, shown in order
//	M  id  server  what  connections  expected-bytes   one measured request kind
//	R  case  webos-id  peer-id             a row of the table
//	X  server  key  value                  a figure about a server (rss_kb, ...)
//	B  id  round  seconds                  how long the servers stayed busy after the run
//
// The wrk report of measurement id in round n (from 1) is raw/<id>.<n>.txt.

type setting struct{ Key, Value string }

type measurement struct {
	ID          string   `json:"id"`
	Server      string   `json:"server"`
	What        string   `json:"what"`
	Conns       int      `json:"connections"`
	ExpectBytes float64  `json:"expected_bytes_per_response"`
	Rounds      []wrkRun `json:"rounds"`
	// Medians over the rounds.
	RPS float64 `json:"rps"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	// Sums over the rounds.
	Requests     int64   `json:"requests"`
	Timeouts     int64   `json:"timeouts"`
	Non2xx       int64   `json:"non_2xx"`
	SocketErrors int64   `json:"socket_errors"`
	AvgBytes     float64 `json:"avg_bytes_per_response"`
	// BusyAfter is the longest time, over the rounds, that the servers
	// kept working after wrk had stopped (seconds, in steps of 0.5).
	BusyAfter float64 `json:"busy_after_s"`
	// Valid is false when a round has no report, a response was not 2xx
	// (as far as wrk tells: status 400 and above) or the responses' size
	// differs from the one checked before the run (a redirect, an error
	// page).
	Valid    bool     `json:"valid"`
	Problems []string `json:"problems,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

type row struct {
	Case  string       `json:"case"`
	WebOS *measurement `json:"webos"`
	Peer  *measurement `json:"peer,omitempty"`
	// Ratio is WebOS req/s divided by the peer's; 0 when either is missing.
	Ratio float64 `json:"ratio"`
}

type report struct {
	Settings     []setting                    `json:"-"`
	SettingsMap  map[string]string            `json:"settings"`
	Rows         []row                        `json:"cases"`
	Measurements []*measurement               `json:"measurements"`
	Servers      map[string]map[string]string `json:"servers"`
	serverOrder  []string
}

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dir := fs.String("dir", "", "folder with plan.tsv and raw/")
	rounds := fs.Int("rounds", 0, "rounds to read (default: setting rounds in the plan)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("report: -dir is required")
	}
	rep, err := readPlan(filepath.Join(*dir, "plan.tsv"))
	if err != nil {
		return err
	}
	n := *rounds
	if n == 0 {
		n, _ = strconv.Atoi(rep.SettingsMap["rounds"])
	}
	if n < 1 {
		return errors.New("report: no rounds (set `rounds` in the plan or -rounds)")
	}
	for _, m := range rep.Measurements {
		m.collect(filepath.Join(*dir, "raw"), n)
	}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		if r.WebOS != nil && r.Peer != nil && r.WebOS.RPS > 0 && r.Peer.RPS > 0 {
			r.Ratio = r.WebOS.RPS / r.Peer.RPS
		}
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "results.md"), []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*dir, "chart.svg"), []byte(rep.chart()), 0o644)
}

func readPlan(name string) (*report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep := &report{SettingsMap: map[string]string{}, Servers: map[string]map[string]string{}}
	byID := map[string]*measurement{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fld := strings.Split(sc.Text(), "\t")
		bad := func() error { return fmt.Errorf("%s:%d: malformed %q record", name, n, fld[0]) }
		switch fld[0] {
		case "S":
			if len(fld) != 3 {
				return nil, bad()
			}
			rep.Settings = append(rep.Settings, setting{fld[1], fld[2]})
			rep.SettingsMap[fld[1]] = fld[2]
		case "M":
			if len(fld) != 6 {
				return nil, bad()
			}
			conns, err1 := strconv.Atoi(fld[4])
			expect, err2 := strconv.ParseFloat(fld[5], 64)
			if err1 != nil || err2 != nil {
				return nil, bad()
			}
			m := &measurement{ID: fld[1], Server: fld[2], What: fld[3], Conns: conns, ExpectBytes: expect}
			byID[m.ID] = m
			rep.Measurements = append(rep.Measurements, m)
		case "R":
			if len(fld) != 4 {
				return nil, bad()
			}
			r := row{Case: fld[1], WebOS: byID[fld[2]], Peer: byID[fld[3]]}
			if r.WebOS == nil || (fld[3] != "" && r.Peer == nil) {
				return nil, fmt.Errorf("%s:%d: row %q names an unknown measurement", name, n, fld[1])
			}
			rep.Rows = append(rep.Rows, r)
		case "B":
			m := byID[fld[1]]
			if len(fld) != 4 || m == nil {
				return nil, bad()
			}
			v, err := strconv.ParseFloat(fld[3], 64)
			if err != nil {
				return nil, bad()
			}
			m.BusyAfter = math.Max(m.BusyAfter, v)
		case "X":
			if len(fld) != 4 {
				return nil, bad()
			}
			if rep.Servers[fld[1]] == nil {
				rep.Servers[fld[1]] = map[string]string{}
				rep.serverOrder = append(rep.serverOrder, fld[1])
			}
			rep.Servers[fld[1]][fld[2]] = fld[3]
		default:
			return nil, bad()
		}
	}
	return rep, sc.Err()
}

// collect reads the rounds' wrk reports and sums them up.
func (m *measurement) collect(rawDir string, rounds int) {
	var rps, p50, p99 []float64
	var bytes float64
	for i := 1; i <= rounds; i++ {
		b, err := os.ReadFile(filepath.Join(rawDir, fmt.Sprintf("%s.%d.txt", m.ID, i)))
		if err != nil {
			m.Problems = append(m.Problems, fmt.Sprintf("round %d: no wrk report", i))
			continue
		}
		r, err := parseWrk(string(b))
		if err != nil {
			m.Problems = append(m.Problems, fmt.Sprintf("round %d: %v", i, err))
			continue
		}
		m.Rounds = append(m.Rounds, r)
		rps = append(rps, r.RPS)
		if r.Requests > 0 {
			p50 = append(p50, r.P50)
			p99 = append(p99, r.P99)
		}
		m.Requests += r.Requests
		m.Timeouts += r.Timeout
		m.Non2xx += r.Non2xx
		m.SocketErrors += r.Connect + r.Read + r.Write
		bytes += r.BytesRead
	}
	m.RPS, m.P50, m.P99 = median(rps), median(p50), median(p99)
	if m.Requests > 0 {
		m.AvgBytes = bytes / float64(m.Requests)
	}
	if m.Non2xx > 0 {
		m.Problems = append(m.Problems, fmt.Sprintf("%d responses were not 2xx", m.Non2xx))
	}
	// wrk rounds the bytes it read to three or four digits; a redirect or
	// an error page differs by far more than that.
	if m.Requests > 0 && m.ExpectBytes > 0 && math.Abs(m.AvgBytes-m.ExpectBytes)/m.ExpectBytes > 0.25 {
		m.Problems = append(m.Problems, fmt.Sprintf("responses average %.0f bytes, expected %.0f", m.AvgBytes, m.ExpectBytes))
	}
	if m.Timeouts > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d timeouts", m.Timeouts))
	}
	if m.SocketErrors > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d socket errors", m.SocketErrors))
	}
	if m.BusyAfter >= 5 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("the servers were busy for up to %.0f s after the run", m.BusyAfter))
	}
	if len(m.Rounds) > 0 && m.Requests == 0 {
		m.Warnings = append(m.Warnings, "no request completed")
	}
	m.Valid = len(m.Problems) == 0
}

func fmtRPS(m *measurement) string {
	switch {
	case m == nil:
		return "—"
	case len(m.Rounds) == 0:
		return "no data"
	case m.RPS >= 100:
		return strconv.FormatFloat(m.RPS, 'f', 0, 64)
	default:
		return strconv.FormatFloat(m.RPS, 'f', 1, 64)
	}
}

func fmtMS(m *measurement, v float64) string {
	switch {
	case m == nil:
		return "—"
	case m.Requests == 0:
		return "n/a"
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'f', 2, 64) + " s"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	default:
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	}
}

// serverName is how the table names a measurement's server.
func serverName(m *measurement) string {
	if m == nil {
		return "—"
	}
	return m.Server
}

func notes(ms ...*measurement) string {
	var out []string
	for _, m := range ms {
		if m == nil {
			continue
		}
		for _, p := range m.Problems {
			out = append(out, "**INVALID** "+m.Server+": "+p)
		}
		for _, w := range m.Warnings {
			out = append(out, m.Server+": "+w)
		}
	}
	return strings.Join(out, "; ")
}

func (rep *report) markdown() string {
	var b strings.Builder
	title := rep.SettingsMap["title"]
	if title == "" {
		title = "Load suite"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	for _, s := range rep.Settings {
		if s.Key != "title" {
			fmt.Fprintf(&b, "- %s: %s\n", s.Key, s.Value)
		}
	}
	b.WriteString("\nReq/s, p50 and p99 are medians over the rounds. The ratio is WebOS req/s ÷ the peer's (above 1: WebOS is faster). " +
		"A case is **INVALID** when wrk counted answers with a status of 400 or more, or when the answers' average size is more than 25% off " +
		"the size of the 2xx answer checked before the run (which catches redirects). Timeouts are requests that took longer than wrk's --timeout; " +
		"they are not in req/s or the percentiles. \"Busy after\" (under Measurements) is how long the servers kept working once wrk had stopped.\n\n")
	b.WriteString("| Case | WebOS req/s | p50 | p99 | Peer | Peer req/s | p50 | p99 | WebOS ÷ peer | Notes |\n")
	b.WriteString("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range rep.Rows {
		ratio := "—"
		if r.Ratio > 0 {
			ratio = fmtRatio(r.Ratio) + "×"
		}
		if (r.WebOS != nil && !r.WebOS.Valid) || (r.Peer != nil && !r.Peer.Valid) {
			ratio += " (invalid)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Case, fmtRPS(r.WebOS), fmtMS(r.WebOS, r.WebOS.P50), fmtMS(r.WebOS, r.WebOS.P99),
			serverName(r.Peer), fmtRPS(r.Peer), fmtMS(r.Peer, peerOr(r.Peer).P50), fmtMS(r.Peer, peerOr(r.Peer).P99),
			ratio, notes(r.WebOS, r.Peer))
	}
	if len(rep.serverOrder) > 0 {
		b.WriteString("\n## Servers\n\n| Server | RSS after the run | Peak RSS | Cold start to health 200 (median) | Cold starts |\n| --- | ---: | ---: | ---: | --- |\n")
		for _, s := range rep.serverOrder {
			v := rep.Servers[s]
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s, kb(v["rss_kb"]), kb(v["hwm_kb"]), msOrDash(v["cold_start_ms"]), dash(v["cold_start_runs_ms"]))
		}
	}
	b.WriteString("\n## Measurements\n\n| Id | Server | Request | Conns | Req/s per round | Requests | Timeouts | Non-2xx | Bytes/response (expected) | Busy after |\n| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, m := range rep.Measurements {
		var per []string
		for _, r := range m.Rounds {
			per = append(per, strconv.FormatFloat(r.RPS, 'f', 1, 64))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %d | %d | %d | %.0f (%.0f) | %.1f s |\n",
			m.ID, m.Server, strings.ReplaceAll(m.What, "|", "\\|"), m.Conns, strings.Join(per, ", "), m.Requests, m.Timeouts, m.Non2xx, m.AvgBytes, m.ExpectBytes, m.BusyAfter)
	}
	return b.String()
}

// fmtRatio keeps two significant digits for ratios far below 1.
func fmtRatio(v float64) string {
	if v >= 0.1 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func peerOr(m *measurement) *measurement {
	if m == nil {
		return &measurement{}
	}
	return m
}

func kb(s string) string {
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "—"
	}
	return strconv.FormatFloat(n/1024, 'f', 1, 64) + " MiB"
}

func msOrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s + " ms"
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
