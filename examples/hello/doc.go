// Package hello is the smallest complete WebOS module: one route, one
// collection and one bus listener. It is the reference for writing a module.
//
//	GET  /hello/            a greeting and how many greetings were recorded
//	GET  /hello/hi          a fixed greeting (no I/O)
//	POST /hello/greetings   {"name": "Ada"} or the form name=Ada records a greeting (201):
//	                        JSON for API clients, the new list item as HTML for htmx
//	GET  /hello/greetings   the latest greetings: {"items": [...], "next": cursor}; ?limit=1..100, ?after=cursor, ?before=cursor
//
// In the shell, the app's page shows a form and the latest greetings.
//
// Recording a greeting emits "hello.greeted" on the bus; the module's own
// listener counts those events, the way another module would react to them.
package hello
