// Package memredis runs an in-process Redis stand-in (miniredis) for
// zero-setup development: a real TCP server on 127.0.0.1 that go-redis and
// asynq talk to as to Redis. Its data lives in memory only and ends with the
// process, and no other process can share it.
package memredis
