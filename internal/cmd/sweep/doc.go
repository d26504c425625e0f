// Command sweep is the acceptance sweep of the server's hardening: it
// starts the reference demo in-process, as `make run` does (demo.NewApp
// with a fresh temporary WEBOS_DATA_DIR, no WEBOS_MONGO_URL and no
// WEBOS_REDIS_URL, served by App.ServeListener on 127.0.0.1), signs in
// as the administrator, creates an ordinary user who holds no permission,
// and sends every route of the demo a few thousand hostile requests:
//
//   - every method, HEAD and OPTIONS and an unknown one;
//   - malformed JSON, wrong types, empty bodies, bodies just over the
//     route's limit and an 11 MiB body (streamed, with and without a
//     Content-Length), form and multipart bodies, wrong content types;
//   - odd path parameters (very long, Unicode, %2e%2e, %00, %2f, double
//     slashes, trailing dots, invalid UTF-8);
//   - odd query values (limit=-1, limit=99999999999, after=garbage,
//     page_size=x, recursive=maybe, a bad percent-escape, …);
//   - broken, expired, revoked and garbage bearer tokens and cookies,
//     odd request headers;
//
// each as an anonymous client, as the ordinary user and as the
// administrator, by bearer token and by session cookie (state-changing
// cookie requests both with and without the same-origin headers
// browsers send), as an API client and as a browser (navigation and
// htmx).
//
// It counts the requests and reports, with a table of each finding:
//
//   - responses with a status of 500 or more;
//   - error responses (4xx) whose body is not the kernel's JSON
//     {"error": …}; an HTML page is accepted only for a browser-style
//     request (navigation, Accept: text/html, htmx) to one of the shell's
//     pages;
//   - server log lines (and standard error) that mention a panic;
//   - response bodies or Location headers that show an internal address,
//     the data folder or a driver's text (sqlite, SQLSTATE, mongo,
//     redis:, dial tcp, i/o timeout, unexpected EOF) — except the
//     admin console's configuration view answering an administrator,
//     whose job is to show the configuration, secrets masked;
//   - routes of its list that the running server does not know, and
//     routes the server mounts (App.Routes) that its list lacks, so that
//     the list stays in step with the modules' Routes methods.
//
// The process exits with status 1 when any of these counts is not 0.
//
// Separately, a raw TCP client sends the requests that net/http answers
// before the application's handler runs (a bad request line, a bad
// percent-escape in the path, control characters in a cookie, huge
// headers, an unknown Transfer-Encoding, …) and prints what comes back.
// These are marked "answered by net/http" — the package documentation of
// webos lists them under "Errors net/http writes itself" — and are not
// counted as failures; an answer that the application wrote instead (it
// carries X-Request-Id) is checked like any other response.
//
// Run it from the module's root:
//
//	go run ./internal/cmd/sweep            # the summary and the findings
//	go run ./internal/cmd/sweep -v         # also every request's line
//	go run ./internal/cmd/sweep -log FILE  # keep the server's log
//	go run ./internal/cmd/sweep -keep      # keep the data folder
//	go run ./internal/cmd/sweep -list      # only look for mounted routes the list lacks
package main
