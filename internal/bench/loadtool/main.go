// Command loadtool holds the parts of the load suite (scripts/load.sh) that
// are easier in Go than in a shell script:
//
//	loadtool seed -url URL -n 10000 -c 16 -body '{"name":"greeting %d"}' [-H 'K: V']...
//	    POSTs n JSON records in parallel (%d is the record's number) and
//	    fails unless every answer is 2xx.
//	loadtool coldstart -url URL/health -runs 5 -log FILE -- COMMAND [ARG...]
//	    starts COMMAND runs times, each time measuring the time from exec to
//	    the first 200 from URL, then stops it; prints the median.
//	loadtool report -dir DIR
//	    reads DIR/plan.tsv and the wrk outputs in DIR/raw and writes
//	    DIR/results.md, DIR/results.json and DIR/chart.svg.
//
// It uses only the standard library and knows nothing of the servers it
// measures beyond what the plan says.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = runSeed(os.Args[2:])
	case "coldstart":
		err = runColdStart(os.Args[2:])
	case "report":
		err = runReport(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loadtool seed|coldstart|report [flags]")
	os.Exit(2)
}
