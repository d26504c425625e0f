package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wrkOK = `Running 1s test @ http://127.0.0.1:18190/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.13ms    1.20ms  11.51ms   88.10%
    Req/Sec    32.90k     2.40k   37.43k    70.00%
  Latency Distribution
     50%  848.00us
     75%    1.57ms
     90%    2.57ms
     99%    5.73ms
  65500 requests in 1.00s, 8.68MB read
Requests/sec:  65288.14
Transfer/sec:      8.65MB
`

const wrkSlow = `Running 15s test @ http://127.0.0.1:18091/hello/greetings?limit=20
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.20s   520.00ms   9.98s    60.00%
    Req/Sec     0.00      0.00     0.00    100.00%
  Latency Distribution
     50%    9.40s
     75%    9.70s
     90%    9.90s
     99%    9.98s
  12 requests in 15.02s, 60.50KB read
  Socket errors: connect 0, read 0, write 0, timeout 52
  Non-2xx or 3xx responses: 3
Requests/sec:      0.80
Transfer/sec:      4.03KB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOK)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 65500 || r.RPS != 65288.14 || r.P50 != 0.848 || r.P99 != 5.73 || r.Seconds != 1 {
		t.Errorf("got %+v", r)
	}
	if want := 8.68 * (1 << 20); r.BytesRead != want {
		t.Errorf("bytes read %v, want %v", r.BytesRead, want)
	}
	r, err = parseWrk(wrkSlow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 12 || r.Timeout != 52 || r.Non2xx != 3 || r.P50 != 9400 || r.P99 != 9980 || r.Seconds != 15.02 {
		t.Errorf("got %+v", r)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("no error for a failed run")
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	plan := strings.Join([]string{
		"S\ttitle\tTest run",
		"S\trounds\t2",
		"S\tduration\t1s",
		"M\tbase\tnet/http\tGET /\t64\t135",
		"M\tdemo\twebos\tGET /hello/hi\t64\t135",
		"M\tslow\twebos\tGET /list\t64\t5000",
		"R\tfixed JSON\tdemo\tbase",
		"R\tlist\tslow\t",
		"X\twebos\trss_kb\t20480",
		"B\tslow\t1\t12.5",
		"B\tdemo\t1\t0.5",
	}, "\n")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "plan.tsv"), []byte(plan), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "raw"), 0o755))
	for _, id := range []string{"base", "demo"} {
		for _, n := range []string{"1", "2"} {
			must(os.WriteFile(filepath.Join(dir, "raw", id+"."+n+".txt"), []byte(wrkOK), 0o644))
		}
	}
	must(os.WriteFile(filepath.Join(dir, "raw", "slow.1.txt"), []byte(wrkSlow), 0o644))
	must(runReport([]string{"-dir", dir}))
	md, err := os.ReadFile(filepath.Join(dir, "results.md"))
	must(err)
	for _, want := range []string{"# Test run", "| fixed JSON | 65288 | 0.85 ms | 5.73 ms | net/http | 65288 |", "1.00×", "**INVALID** webos: round 2: no wrk report", "3 responses were not 2xx", "52 timeouts", "20.0 MiB", "busy for up to 12 s", "| 12.5 s |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "chart.svg"))
	must(err)
	if !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "url(#bad)") {
		t.Errorf("chart.svg:\n%s", svg)
	}
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Error(err)
	}
}
