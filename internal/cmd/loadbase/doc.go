// Command loadbase is the baseline of the load suite (scripts/load.sh): a
// bare net/http server that answers with fixed bytes — the same bytes the
// measured WebOS route returns — so that a ratio of the two request rates,
// measured on one machine in one run, shows what the framework costs.
//
//	loadbase -listen 127.0.0.1:18090 -body '{"status":"ok"}' [-page page.html] [-file blob.bin]
//
// GET /page answers the bytes of the -page file as HTML (the shell's
// launchpad, fetched from the demo before the run), GET /download serves
// the -file with http.ServeFile, and every other request gets -body as
// JSON.
package main
