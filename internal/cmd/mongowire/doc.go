// Command mongowire serves the MongoDB wire protocol from PostgreSQL or
// SQLite, for test harnesses and local development:
//
//	mongowire -listen 127.0.0.1:27017 -postgresql postgres://postgres@127.0.0.1:5432/postgres
//	mongowire -listen 127.0.0.1:27017 -sqlite ./data
//
// It prints one line, "mongowire: ready on mongodb://ADDR/ (BACKEND)", when it
// accepts connections, and stops cleanly on SIGINT or SIGTERM.
package main
