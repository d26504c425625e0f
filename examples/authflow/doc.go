// Command authflow walks through the auth module end to end: it starts an
// application with a protected "reports" API, registers a user from Go,
// logs in over HTTP for a bearer token, calls the API without and with the
// token, and logs out.
//
//	go run ./examples/authflow
//
// With WEBOS_MONGO_URL unset its data is in the embedded SQLite store in a
// temporary folder, so it needs no service and leaves nothing behind. It serves plain http on 127.0.0.1, so it turns off the Secure
// flag of the session cookie (WEBOS_AUTH_INSECURE_COOKIES does the same
// for any application); never do that in production.
package main
