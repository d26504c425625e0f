// Package scaleout proves that WebOS instances are stateless: its tests
// start several demo instances (examples/demo) on different ports over one
// MongoDB-wire server, one Redis and one S3 server, put them behind
// [Proxy] — a round-robin reverse proxy built on net/http/httputil — and
// check that sessions, logouts, role changes, settings, module switches,
// task progress, files and bus events are the same whichever instance a
// request reaches, with tasks run by a separate worker-only process, and
// that killing an instance under load loses no acknowledged write.
//
// [Proxy] is the load balancer those tests put in front: each request goes
// to the next backend in turn; a backend whose connection fails answers
// that request with 502 and is left out of the rotation for a while
// (passive health checking), so that a dead instance costs its clients
// only the requests it had in flight.
package scaleout
