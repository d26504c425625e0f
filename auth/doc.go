// Package auth is the accounts module of WebOS: users and roles stored
// through package store, registration and login, cookie sessions for
// browsers and bearer tokens for scripts, permission checks on routes, the
// current user in the request context, login throttling and CSRF
// protection.
//
// # Mental model
//
// A [User] has an e-mail address (unique, lower-cased), an argon2id
// password hash, roles and an active flag. A [Role] names permission
// strings: "blog.write", the wildcard "blog.*" or "*" for everything
// ([Match]). Modules declare the permissions they define by implementing
// [PermissionProvider]; [Module.PermissionCatalog] lists them all for the
// admin console.
//
// A login (POST /auth/login) creates one credential, stored as a [Token]
// under the SHA-256 of a random 32-byte secret. The secret goes into the
// session cookie, HttpOnly, which gorilla/sessions signs and encrypts with
// keys derived from WEBOS_SECRET_KEYS (several keys rotate: the first
// signs, all verify); the JSON body carries the user. A client that wants
// a bearer token instead — a script, a native app — asks for it with
// "token": true in the body (or token=true in a form) and gets the same
// secret in the body as well. Both ways of presenting it lead to the same
// record, so logging out through either ends both. Users can also create
// named API tokens with their own lifetime.
//
// A login lasts WEBOS_AUTH_SESSION_TTL (7 days) without use. In use it is
// renewed: a request made with it once a tenth of that has passed since
// it was issued or last renewed moves its end to a full lifetime from
// then (one database write) and, for a cookie, sends a fresh cookie — so
// the chunks of a long upload, or a day of work, keep the session alive —
// but never past WEBOS_AUTH_SESSION_MAX_LIFETIME (30 days) after the
// sign-in ([Config.SessionMaxLifetime]). API tokens keep their lifetime,
// and a revoked or expired login is never brought back.
//
// Each instance caches a verified token — its user, the permissions the
// user's roles grant and the token record — for WEBOS_AUTH_CREDENTIAL_CACHE_TTL
// (5 s by default; negative turns it off), at most
// WEBOS_AUTH_CREDENTIAL_CACHE_SIZE (10000) of them, so that authenticated
// requests need no database read in the common case. Revoking a token
// (logout, DELETE /auth/tokens/{id}), changing a password, deactivating a
// user ([User.Version] moves on), changing a user's roles or a role's
// permissions take effect at once on the instance that made the change and
// are announced on the application's bus ([TopicCredentialsChanged]):
// with a bus shared between instances (Redis) every instance drops what it
// cached within moments, and without one, after at most the TTL. Role
// definitions are cached for as long; when they are stale, requests keep
// using them while a single query, bounded to a few seconds, refreshes
// them, so a slow database does not hold up authenticated requests.
//
// Self-registration (POST /auth/register) is closed unless
// WEBOS_AUTH_REGISTRATION=open ([Config.Registration]); closed, it answers
// 403. Open, it answers 202 with the same message whether the address was
// free (an account with the default roles is created) or already had an
// account (nothing changes), after the same work, so that it does not tell
// who has an account.
//
// The module is the application's [webos.Authorizer] ([Module.Authorizer]):
// every guard of the application ([webos.Router.Require],
// [webos.ModuleInfo.Permission], [webos.App.Can]) asks it. It identifies
// the request (bearer token first, then the cookie), puts the user into
// the context ([UserFrom]; also [identity.With], so store's owner-scoped
// collections and the logs see it), and answers 401 when there is no user
// and 403 when a permission is missing. Requests authenticated by cookie
// that change state must pass Go's [net/http.CrossOriginProtection];
// bearer-token requests are not affected, since a browser never adds that
// header by itself.
//
// Wrong passwords are throttled per account and address, per address and,
// more loosely, per account ([Throttle]), with 429 and Retry-After; a wrong
// e-mail address and a wrong password give the same message and cost the
// same argon2id verification. On first run, when no user exists, an
// administrator is created from WEBOS_ADMIN_EMAIL and WEBOS_ADMIN_PASSWORD,
// or with a one-time password logged once at WARN level.
//
// # Usage
//
//	cfg, err := auth.LoadConfig() // WEBOS_ADMIN_EMAIL, WEBOS_AUTH_* variables
//	accounts := auth.New(cfg)
//	app := webos.New(kernelCfg, &store.Module{URL: url}, accounts, &blog.Module{})
//
// and in the blog module, whose routes the application's authorizer —
// this module — guards:
//
//	func (m *Module) Permissions() []webos.Permission {
//		return []webos.Permission{{Name: "blog.read"}, {Name: "blog.write"}}
//	}
//
//	func (m *Module) Routes(r *webos.Router) {
//		r.Require("blog.read").HandleFunc("GET /posts", m.list)
//		w := r.Require("blog.write")
//		w.HandleFunc("POST /posts", m.create)
//	}
//
//	func (m *Module) create(w http.ResponseWriter, r *http.Request) error {
//		u, _ := auth.UserFrom(r.Context())
//		...
//	}
//
// The command line gains "user create --email ADDR [--admin]",
// "user set-password", "user list", "user deactivate" and "user activate".
package auth
