// Command webos-demo is the WebOS reference server: the shell with every
// demo app. With no configuration it runs entirely in-process (the
// embedded SQLite document store in ./data, an in-process Redis for tasks)
// and prints its URL.
//
//	webos-demo                 serve (the default)
//	webos-demo modules list    list the modules
//	webos-demo ready           check every configured backend: versions, latencies; exit 1 when one is down
//	webos-demo version
package main
