// Package trace gives every unit of work — an HTTP request, an event, a
// background task — a trace identifier that travels in its [context.Context].
//
// Identifiers are 32 lowercase hex digits, the trace-id part of a W3C
// traceparent header, so they line up with other tracing systems. [FromRequest]
// honours an incoming traceparent or X-Request-ID header and makes a new
// identifier otherwise; the kernel's middleware calls it, echoes the identifier
// in the response and puts it in the request context, and the logger adds it
// to every record.
package trace
