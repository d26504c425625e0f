// Command loadbase is the baseline of the load run (scripts/load.sh): a
// bare net/http server that answers every request with fixed bytes — the
// same body the measured WebOS route returns — so that a ratio of the two
// request rates, measured on one machine in one run, shows what the
// framework costs.
//
//	loadbase -listen 127.0.0.1:18090 -body '{"status":"ok"}'
package main
