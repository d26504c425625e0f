// Package memredis runs an in-process Redis stand-in (miniredis) for
// zero-setup development: a real TCP server on 127.0.0.1 that go-redis and
// asynq talk to as to Redis. No other process can share it: the server
// requires a random password made when it starts, which only
// [Server.ClientOptions] gives and nothing prints, so other local processes
// that find its port can neither read the data nor add to it.
//
// Its data lives in memory; [Open] also keeps it in a file, saved every few
// seconds and when the server closes, and loaded when it opens again, so
// that it survives restarts of the process. A crash loses what changed
// since the last save. The file is of one process: two servers on the same
// file overwrite each other's saves. Saved are strings, lists, sets,
// hashes, sorted sets and stream entries of database 0 with their
// lifetimes; not stream consumer groups, nor lifetimes of hash fields.
package memredis
