// Command mongowire serves the MongoDB wire protocol from PostgreSQL or
// SQLite, for test harnesses and local development:
//
//	mongowire -listen 127.0.0.1:27017 -postgresql postgres://postgres@127.0.0.1:5432/postgres
//	mongowire -listen 127.0.0.1:27017 -sqlite ./data
//	mongowire -socket /run/webos/mongo.sock -postgresql postgres://…
//
// The server has no authentication (FerretDB v1 embedded offers none), so
// on a TCP port any local user can connect; on a Unix socket (-socket),
// whose folder must be private to the user and which is made mode 0600,
// only the user running it can. The port given with -listen is bound once
// by the server itself (its configuration takes an address, not a
// listener), after a check that it is free.
//
// It prints one line, "mongowire: ready on URI (BACKEND)", when it
// accepts connections, and stops cleanly on SIGINT or SIGTERM.
package main
