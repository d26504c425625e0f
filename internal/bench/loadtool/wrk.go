package main

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// wrkRun is what one wrk run printed (wrk 4.x with --latency).
type wrkRun struct {
	Requests  int64   `json:"requests"`
	Seconds   float64 `json:"seconds"`
	BytesRead float64 `json:"bytes_read"`
	RPS       float64 `json:"rps"`
	// Latency percentiles in milliseconds; zero when no request completed.
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	// Socket errors and answers with a status of 400 or more, as wrk
	// counts them.
	Connect int64 `json:"connect_errors"`
	Read    int64 `json:"read_errors"`
	Write   int64 `json:"write_errors"`
	Timeout int64 `json:"timeouts"`
	Non2xx  int64 `json:"non_2xx"`
}

var (
	reTotal   = regexp.MustCompile(`^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGTP]?)B read`)
	rePct     = regexp.MustCompile(`^\s*(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$`)
	reSocket  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	reNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reRPS     = regexp.MustCompile(`^Requests/sec:\s+([\d.]+)`)
	unitToMS  = map[string]float64{"us": 0.001, "ms": 1, "s": 1000, "m": 60000, "h": 3600000}
	binPowers = map[string]float64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}
)

// parseWrk reads wrk's report. It fails when the report lacks the request
// count or the rate, e.g. when wrk could not connect at all.
func parseWrk(text string) (wrkRun, error) {
	var r wrkRun
	var haveTotal, haveRPS bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if m := reTotal.FindStringSubmatch(line); m != nil {
			r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
			d, _ := strconv.ParseFloat(m[2], 64)
			r.Seconds = d * unitToMS[m[3]] / 1000
			b, _ := strconv.ParseFloat(m[4], 64)
			r.BytesRead = b * binPowers[m[5]]
			haveTotal = true
		} else if m := rePct.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			v *= unitToMS[m[3]]
			switch m[1] {
			case "50":
				r.P50 = v
			case "90":
				r.P90 = v
			case "99":
				r.P99 = v
			}
		} else if m := reSocket.FindStringSubmatch(line); m != nil {
			r.Connect, _ = strconv.ParseInt(m[1], 10, 64)
			r.Read, _ = strconv.ParseInt(m[2], 10, 64)
			r.Write, _ = strconv.ParseInt(m[3], 10, 64)
			r.Timeout, _ = strconv.ParseInt(m[4], 10, 64)
		} else if m := reNon2xx.FindStringSubmatch(line); m != nil {
			r.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
		} else if m := reRPS.FindStringSubmatch(line); m != nil {
			r.RPS, _ = strconv.ParseFloat(m[1], 64)
			haveRPS = true
		}
	}
	if !haveTotal || !haveRPS {
		return r, fmt.Errorf("not a wrk report")
	}
	if r.Requests == 0 {
		r.P50, r.P90, r.P99 = 0, 0, 0
	}
	return r, nil
}
