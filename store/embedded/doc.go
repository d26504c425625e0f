// Package embedded runs a MongoDB-compatible server inside the process:
// FerretDB v1 over SQLite (a folder of files, zero setup) or PostgreSQL. It
// gives the zero-setup demo and tests a database without installing MongoDB;
// production points package store at a real MongoDB instead.
//
// [Start] listens on a TCP address and returns once the server answers;
// [Server.URI] is the URL to give store.Connect; [Server.Close] stops it.
// [Module] does the same as a kernel module whose URL the store module reads
// at start.
//
//	srv, err := embedded.Start(ctx, embedded.Options{SQLiteDir: "data/db"})
//	defer srv.Close()
//	db, err := store.Connect(ctx, srv.URI(), "app")
//
// The server speaks only the subset of MongoDB listed in package store's
// documentation. Over SQLite every query but one by _id scans the whole
// collection; use PostgreSQL for more than a demo's data.
//
// This package pulls in FerretDB and its dependencies (PostgreSQL and SQLite
// drivers among them); import it only from binaries and tests that need an
// embedded server.
package embedded
