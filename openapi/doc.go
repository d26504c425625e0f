// Package openapi describes a WebOS application's HTTP API as an OpenAPI
// 3.1 document, built from the routes its modules mounted
// ([webos.App.Routes]) — so the document lists every route, whether or
// not its author documented it, and cannot drift from the router.
//
// Each route is an operation tagged with its module: its path parameters
// from the pattern, bearer-token and session-cookie security when it needs
// a signed-in user, the permissions it needs (in its description and the
// x-permissions extension), and the kernel's error shape for its
// failures. A route registered with [webos.Describe] adds a summary, the
// request body and query parameters from the Go type its handler decodes,
// and the response body from the type it writes:
//
//	r.HandleFunc("GET /list", m.list, webos.Describe(webos.Operation{
//		Summary: "The newest notes", Response: store.Page[Note]{}}))
//
// The [Module] serves the document at /api/openapi.json and a page that
// lists every operation in the shell at /api/docs. JSON Schemas are
// reflected from Go types by github.com/swaggest/openapi-go, chosen
// because it documents any net/http handler from the types alone, without
// owning the router (as huma would), and writes OpenAPI 3.1.
package openapi
