// Package mongowire runs a MongoDB-compatible server inside the process:
// FerretDB v1 over PostgreSQL or SQLite. It is the MongoDB of the test
// harness (internal/cmd/mongowire, started by `make test`), since a real
// mongod cannot be had on the machines the tests run on; applications use
// package store, whose zero-setup default is its own embedded SQLite engine,
// and real MongoDB in production.
//
// [Start] listens on a TCP address or a Unix socket and returns once the
// server answers; [Server.URI] is the URL to give store.ConnectMongo;
// [Server.Close] stops it.
//
// The server has no authentication: FerretDB v1.24's embeddable
// configuration (ferretdb.Config) offers none — its SCRAM users
// (EnableNewAuth, SetupUsername) are reachable only from its own command,
// and without them it lets every client in (over PostgreSQL it passes a
// client's PLAIN credentials on to PostgreSQL, and connects a client that
// gives none with the URL's own). So any local user can connect to its TCP
// port. On a Unix socket ([Options].Socket), in a folder private to the
// user and made mode 0600, only that user can. Its configuration takes
// addresses, not listeners: for port 0 the server binds the free port
// itself, once, and keeps it.
//
//	srv, err := mongowire.Start(ctx, mongowire.Options{PostgreSQLURL: url})
//	defer srv.Close()
//	db, err := store.ConnectMongo(ctx, srv.URI(), "app")
//
// The server speaks only the subset of MongoDB listed in package store's
// documentation. Over SQLite every query but one by _id scans the whole
// collection; use PostgreSQL for more than a few documents.
//
// This package pulls in FerretDB and its dependencies (PostgreSQL and SQLite
// drivers among them); only the test harness imports it.
package mongowire
