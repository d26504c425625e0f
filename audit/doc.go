// Package audit keeps the application's audit trail: who changed what,
// when, from where, with the state before and after — for every
// administrative change (users, roles, settings, module switches, task
// actions, sign-ins of administrators).
//
// There is one mechanism. The module that owns a change announces it with
// [Emit] from its service layer, after the change is stored, so that the
// HTTP API, the command line and Go callers are recorded alike and no
// handler has to remember anything. The announcement is a [Change] on the
// application's bus (topic [Topic]); the envelope adds the acting user, the
// time and the trace id, and the context the client's address
// ([WithClient], which the auth module sets for each authenticated request).
//
// The [Module] subscribes to the topic and appends each change to a
// [Trail] in the database. With several instances sharing a bus through
// Redis, each instance receives every change; the entry's id is the
// event's id, so it is stored once. Entries are numbered without gaps and
// chained by SHA-256 — each hash covers the entry and the previous hash —
// so that editing, deleting or reordering stored entries is found by
// [Trail.Verify] and by the command
//
//	webos audit verify
//
// The SDK has no API to edit or delete entries. Reading them is
// [PermRead]'s: GET /audit/ lists them newest first, by action prefix,
// actor or target.
//
// What it is not: a guaranteed delivery log. A change is recorded when the
// bus delivers its event; an event lost with a crashed instance or a Redis
// outage before any instance received it is missing from the trail, and
// the emitting module logs a failed announcement.
package audit
