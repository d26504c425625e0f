// Package testenv finds the real servers that integration tests talk to.
//
// `make test` starts them on 127.0.0.1 and exports their addresses in the
// WEBOS_TEST_* environment variables read here. With `go test -short` every
// integration test is skipped; without -short a missing variable fails the
// test, so that a run of `make test` can never pass by skipping.
package testenv
