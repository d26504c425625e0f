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
