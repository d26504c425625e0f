package auth_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/store"
)

// Acceptance: register → login → token → protected route 200; no token 401;
// without the permission 403, with it 200; logout revokes.
func TestRegisterLoginAndPermissions(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen}})
	r := must(t, e.do(req{method: "POST", path: "/auth/register", body: map[string]string{
		"email": "  Ada@Example.com ", "password": "analytical-engine", "display_name": "Ada",
	}}), http.StatusAccepted)
	if bytes.Contains(r.body, []byte("argon2")) || bytes.Contains(r.body, []byte("ada@")) {
		t.Fatalf("registration response tells more than it must: %s", r.body)
	}
	u, err := e.auth.UserByEmail(context.Background(), "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ada@example.com" || u.ID == "" || !u.Active || !slices.Equal(u.Roles, []string{auth.RoleUser}) || u.CreatedBy != u.ID || u.DisplayName != "Ada" {
		t.Fatalf("registered user %+v", u)
	}

	s := e.login("ADA@example.com", "analytical-engine")
	if len(s.token) != 43 {
		t.Fatalf("token %q", s.token)
	}
	me := must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	if bytes.Contains(me.body, []byte("argon2")) || me.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("/auth/me: %s %v", me.body, me.header)
	}

	// No credentials: 401 with a JSON body and WWW-Authenticate.
	r = must(t, e.do(req{method: "GET", path: "/notes"}), http.StatusUnauthorized)
	r.errBody(t)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	tampered := "x" + s.token[1:]
	if s.token[0] == 'x' {
		tampered = "y" + s.token[1:]
	}
	must(t, e.do(req{method: "GET", path: "/notes", token: tampered}), http.StatusUnauthorized).errBody(t)
	must(t, e.do(req{method: "GET", path: "/notes", header: map[string]string{"Authorization": "Basic YTpi"}}), http.StatusUnauthorized).errBody(t)

	// Authenticated without the permission: 403 naming it.
	r = must(t, e.do(req{method: "GET", path: "/notes", token: s.token}), http.StatusForbidden)
	if b := r.errBody(t); !strings.Contains(b.Error, "notes.read") {
		t.Fatalf("403 does not name the permission: %q", b.Error)
	}

	// With the permission (a wildcard): 200, through the token and the cookie.
	admin := e.admin()
	e.grant(admin, u.ID, "note-taker", "notes.*")
	must(t, e.do(req{method: "GET", path: "/notes", token: s.token}), http.StatusOK)
	must(t, e.do(req{method: "GET", path: "/notes", cookie: s.cookie}), http.StatusOK)
	must(t, e.do(req{method: "POST", path: "/notes", token: s.token, body: map[string]string{"title": "hello"}}), http.StatusCreated)
	var self auth.User
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK).decode(t, &self)
	if !slices.Contains(self.Permissions, "notes.*") {
		t.Fatalf("permissions %v", self.Permissions)
	}

	// Logout revokes the token (and with it the cookie of the same login).
	r = must(t, e.do(req{method: "POST", path: "/auth/logout", token: s.token}), http.StatusNoContent)
	if r.cookie == nil || r.cookie.MaxAge >= 0 {
		t.Fatalf("logout does not clear the cookie: %+v", r.cookie)
	}
	must(t, e.do(req{method: "GET", path: "/notes", token: s.token}), http.StatusUnauthorized).errBody(t)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusUnauthorized).errBody(t)

	// Logging out through the cookie ends that login too.
	s2 := e.login("ada@example.com", "analytical-engine")
	must(t, e.do(req{method: "POST", path: "/auth/logout", cookie: s2.cookie}), http.StatusNoContent)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s2.token}), http.StatusUnauthorized)
	// Logout without credentials is harmless.
	must(t, e.do(req{method: "POST", path: "/auth/logout"}), http.StatusNoContent)
}

// A browser's login gets the session cookie and the user, never the
// secret in the body, where page scripts could read it; a client that asks
// for a bearer token gets it, and it is the same login as the cookie.
func TestLoginTokenOnlyWhenAsked(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("tim@example.com", "hypertext-transfer")
	for _, body := range []any{
		map[string]any{"email": "tim@example.com", "password": "hypertext-transfer"},
		map[string]any{"email": "tim@example.com", "password": "hypertext-transfer", "token": false},
		"email=tim%40example.com&password=hypertext-transfer",
	} {
		q := req{method: "POST", path: "/auth/login", body: body}
		if _, form := body.(string); form {
			q.header = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		}
		r := must(t, e.do(q), http.StatusOK)
		var raw map[string]any
		r.decode(t, &raw)
		if _, ok := raw["token"]; ok || r.cookie == nil || !r.cookie.HttpOnly {
			t.Fatalf("browser login: %s, cookie %+v", r.body, r.cookie)
		}
		var lr auth.LoginResponse
		r.decode(t, &lr)
		if lr.User == nil || lr.User.Email != "tim@example.com" || lr.ExpiresAt.IsZero() {
			t.Fatalf("browser login: %s", r.body)
		}
		must(t, e.do(req{method: "GET", path: "/auth/me", cookie: r.cookie}), http.StatusOK)
	}
	s := e.login("tim@example.com", "hypertext-transfer") // "token": true
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	must(t, e.do(req{method: "POST", path: "/auth/logout", cookie: s.cookie}), http.StatusNoContent)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)
	// A form asks the same way.
	r := must(t, e.do(req{method: "POST", path: "/auth/login", body: "email=tim%40example.com&password=hypertext-transfer&token=true",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), http.StatusOK)
	var lr auth.LoginResponse
	r.decode(t, &lr)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: lr.Token}), http.StatusOK)
}

// Acceptance: an expired token is 401; so is an expired session.
func TestExpiredToken(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{SessionTTL: time.Hour}})
	e.register("grace@example.com", "compiler-compiler")
	s := e.login("grace@example.com", "compiler-compiler")
	var tr auth.TokenResponse
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token,
		body: map[string]any{"name": "ci", "expires_in": 60}}), http.StatusCreated).decode(t, &tr)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: tr.Token}), http.StatusOK)

	e.clock.Advance(61 * time.Second)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: tr.Token}), http.StatusUnauthorized).errBody(t)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)

	e.clock.Advance(time.Hour)
	r := must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)
	if b := r.errBody(t); !strings.Contains(b.Error, "expired") {
		t.Fatalf("error %q", b.Error)
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusUnauthorized)

	// Expired tokens are purged; valid ones stay.
	fresh := e.login("grace@example.com", "compiler-compiler")
	n, err := e.auth.PurgeTokens(context.Background(), e.clock.Now())
	if err != nil || n != 2 { // the expired login and API token
		t.Fatalf("purged %d, %v", n, err)
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", token: fresh.token}), http.StatusOK)
}

// Acceptance: a deactivated user is refused — sessions, tokens and login —
// and reactivation does not revive old credentials.
func TestDeactivatedUser(t *testing.T) {
	e := newEnv(t, envOptions{})
	u := e.register("linus@example.com", "monolithic-kernel")
	s := e.login("linus@example.com", "monolithic-kernel")
	var tr auth.TokenResponse
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token, body: map[string]any{"name": "script"}}), http.StatusCreated).decode(t, &tr)
	admin := e.admin()

	// An administrator cannot lock themselves out.
	r := must(t, e.do(req{method: "PATCH", path: "/auth/users/" + admin.user.ID, token: admin.token, body: map[string]any{"active": false}}), http.StatusUnprocessableEntity)
	if r.errBody(t).Fields["active"] == "" {
		t.Fatal("no field")
	}
	// A user without auth.users.write cannot deactivate anyone.
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: s.token, body: map[string]any{"active": false}}), http.StatusForbidden)

	var patched auth.User
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: admin.token, body: map[string]any{"active": false}}), http.StatusOK).decode(t, &patched)
	if patched.Active {
		t.Fatal("still active")
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: tr.Token}), http.StatusUnauthorized)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusUnauthorized)
	wrong := must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "linus@example.com", "password": "monolithic-kernel"}}), http.StatusUnauthorized)

	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: admin.token, body: map[string]any{"active": true}}), http.StatusOK)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: tr.Token}), http.StatusUnauthorized)
	e.login("linus@example.com", "monolithic-kernel")
	if b := wrong.errBody(t); b.Error != "auth: unauthorized: invalid email or password" {
		t.Fatalf("deactivated login error %q", b.Error)
	}
}

// Acceptance: cookie flags.
func TestCookieFlags(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("ken@example.com", "unix-philosophy")
	r := must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]any{"email": "ken@example.com", "password": "unix-philosophy", "token": true}}), http.StatusOK)
	c := r.cookie
	if c == nil {
		t.Fatal("no session cookie")
	}
	raw := r.header.Get("Set-Cookie")
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != int((7*24*time.Hour).Seconds()) || c.Expires.IsZero() {
		t.Fatalf("cookie flags %+v (%s)", c, raw)
	}
	for _, want := range []string{"Secure", "HttpOnly", "SameSite=Lax", "Max-Age=604800", "Path=/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("Set-Cookie %q lacks %s", raw, want)
		}
	}
	var lr auth.LoginResponse
	r.decode(t, &lr)
	if strings.Contains(c.Value, lr.Token) {
		t.Fatal("the cookie shows the token in the clear")
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatal("login response may be cached")
	}
	// A tampered cookie is anonymous: 401, and the cookie is cleared.
	bad := *c
	bad.Value = strings.ToUpper(c.Value)
	rr := must(t, e.do(req{method: "GET", path: "/auth/me", cookie: &bad}), http.StatusUnauthorized)
	rr.errBody(t)

	// Only explicit configuration drops Secure, for local http.
	e2 := newEnv(t, envOptions{cfg: auth.Config{InsecureCookies: true}})
	e2.register("ken@example.com", "unix-philosophy")
	r = must(t, e2.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "ken@example.com", "password": "unix-philosophy"}}), http.StatusOK)
	if r.cookie.Secure || !r.cookie.HttpOnly || r.cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("insecure cookie flags %+v", r.cookie)
	}
	if !strings.Contains(e2.logs.String(), "WEBOS_AUTH_INSECURE_COOKIES") {
		t.Fatal("insecure cookies not warned about")
	}
}

// Acceptance: a cross-origin POST carrying a session cookie is refused 403;
// the same request with a bearer token passes.
func TestCrossOriginProtection(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen}})
	u := e.register("barbara@example.com", "liskov-substitution")
	e.grant(e.admin(), u.ID, "writer", "notes.read", "notes.write")
	s := e.login("barbara@example.com", "liskov-substitution")
	body := map[string]string{"title": "from afar"}
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}

	r := must(t, e.do(req{method: "POST", path: "/notes", cookie: s.cookie, body: body, header: crossSite}), http.StatusForbidden)
	if b := r.errBody(t); !strings.Contains(b.Error, "cross-origin") {
		t.Fatalf("error %q", b.Error)
	}
	// An old browser without Sec-Fetch-Site, Origin not matching Host.
	must(t, e.do(req{method: "POST", path: "/notes", cookie: s.cookie, body: body,
		header: map[string]string{"Origin": "https://evil.example"}}), http.StatusForbidden).errBody(t)
	// Logging out someone from another site is refused too.
	must(t, e.do(req{method: "POST", path: "/auth/logout", cookie: s.cookie, header: crossSite}), http.StatusForbidden)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusOK)

	// The same request with a bearer token passes, with or without the cookie.
	must(t, e.do(req{method: "POST", path: "/notes", token: s.token, body: body, header: crossSite}), http.StatusCreated)
	must(t, e.do(req{method: "POST", path: "/notes", token: s.token, cookie: s.cookie, body: body, header: crossSite}), http.StatusCreated)
	// Same-origin cookie requests and cross-site reads pass.
	must(t, e.do(req{method: "POST", path: "/notes", cookie: s.cookie, body: body, header: map[string]string{"Sec-Fetch-Site": "same-origin"}}), http.StatusCreated)
	must(t, e.do(req{method: "POST", path: "/notes", cookie: s.cookie, body: body}), http.StatusCreated) // no browser headers: not a browser
	must(t, e.do(req{method: "GET", path: "/notes", cookie: s.cookie, header: crossSite}), http.StatusOK)

	// Login and registration forms cannot be posted from another site.
	must(t, e.do(req{method: "POST", path: "/auth/login", header: crossSite,
		body: map[string]string{"email": "barbara@example.com", "password": "liskov-substitution"}}), http.StatusForbidden).errBody(t)
	r = must(t, e.do(req{method: "POST", path: "/auth/register", header: crossSite,
		body: map[string]string{"email": "x@example.com", "password": "liskov-substitution"}}), http.StatusForbidden)
	if b := r.errBody(t); !strings.Contains(b.Error, "cross-origin") {
		t.Fatalf("error %q", b.Error)
	}
}

// Acceptance: repeated wrong passwords hit 429 before the 21st try; the right
// password from another address still works; the error text is the same for
// an unknown e-mail address and a wrong password.
func TestLoginThrottling(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{TrustedProxies: []string{"127.0.0.1", "::1"}}})
	e.register("alan@example.com", "turing-complete")
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	login := func(email, pw, ip string) resp {
		return e.do(req{method: "POST", path: "/auth/login", header: from(ip), body: map[string]string{"email": email, "password": pw}})
	}

	wrongText := ""
	first429 := 0
	for i := 1; i <= 20; i++ {
		r := login("alan@example.com", "wrong-password-"+strconv.Itoa(i), "203.0.113.5")
		b := r.errBody(t)
		if r.status == http.StatusTooManyRequests {
			first429 = i
			secs, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || secs < 1 || secs > 3600 {
				t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
			}
			break
		}
		must(t, r, http.StatusUnauthorized)
		if wrongText == "" {
			wrongText = b.Error
		} else if b.Error != wrongText {
			t.Fatalf("error text changed: %q vs %q", b.Error, wrongText)
		}
	}
	if first429 == 0 {
		t.Fatal("20 wrong passwords without a 429")
	}
	t.Logf("first 429 at attempt %d", first429)
	// Still throttled at that address, even with the right password.
	must(t, login("alan@example.com", "turing-complete", "203.0.113.5"), http.StatusTooManyRequests)
	// The owner at another address gets in.
	must(t, login("alan@example.com", "turing-complete", "198.51.100.7"), http.StatusOK)

	// An unknown address gets the same answer as a wrong password.
	r := must(t, login("nobody@example.com", "turing-complete", "192.0.2.1"), http.StatusUnauthorized)
	if b := r.errBody(t); b.Error != wrongText {
		t.Fatalf("unknown e-mail %q vs wrong password %q", b.Error, wrongText)
	}
	if wrongText != "auth: unauthorized: invalid email or password" {
		t.Fatalf("generic message %q", wrongText)
	}
	if !strings.Contains(e.logs.String(), "login throttled") {
		t.Fatal("throttling not logged")
	}
}

// Without trusted proxies X-Forwarded-For is ignored, so a client cannot
// escape the throttle by inventing addresses.
func TestThrottleIgnoresUntrustedForwardedFor(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("edsger@example.com", "goto-considered-harmful")
	got429 := false
	for i := 1; i <= 20 && !got429; i++ {
		r := e.do(req{method: "POST", path: "/auth/login", header: map[string]string{"X-Forwarded-For": "198.51.100." + strconv.Itoa(i)},
			body: map[string]string{"email": "edsger@example.com", "password": "wrong-password-x"}})
		got429 = r.status == http.StatusTooManyRequests
	}
	if !got429 {
		t.Fatal("spoofed X-Forwarded-For escaped the throttle")
	}
}

// Acceptance: user A's owner-scoped documents are invisible and
// unmodifiable to user B through the HTTP API.
func TestOwnerIsolation(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.admin()
	ua := e.register("alice@example.com", "alice-password")
	ub := e.register("bob@example.com", "bob-password-1")
	e.grant(admin, ua.ID, "writer", "notes.*")
	e.grant(admin, ub.ID, "writer", "notes.*")
	a := e.login("alice@example.com", "alice-password")
	b := e.login("bob@example.com", "bob-password-1")

	var na note
	must(t, e.do(req{method: "POST", path: "/notes", token: a.token, body: map[string]string{"title": "alice's secret"}}), http.StatusCreated).decode(t, &na)
	if na.CreatedBy != ua.ID {
		t.Fatalf("created_by %q, want %q", na.CreatedBy, ua.ID)
	}
	var nb note
	must(t, e.do(req{method: "POST", path: "/notes", token: b.token, body: map[string]string{"title": "bob's"}}), http.StatusCreated).decode(t, &nb)

	// List: each sees only their own.
	var listB []note
	must(t, e.do(req{method: "GET", path: "/notes", token: b.token}), http.StatusOK).decode(t, &listB)
	if len(listB) != 1 || listB[0].ID != nb.ID {
		t.Fatalf("bob lists %+v", listB)
	}
	// Get, update, delete by id: 404, as if it did not exist.
	must(t, e.do(req{method: "GET", path: "/notes/" + na.ID, token: b.token}), http.StatusNotFound).errBody(t)
	must(t, e.do(req{method: "PATCH", path: "/notes/" + na.ID, token: b.token, body: map[string]string{"title": "pwned"}}), http.StatusNotFound).errBody(t)
	must(t, e.do(req{method: "DELETE", path: "/notes/" + na.ID, token: b.token}), http.StatusNotFound).errBody(t)
	// Through the cookie as well.
	must(t, e.do(req{method: "GET", path: "/notes/" + na.ID, cookie: b.cookie}), http.StatusNotFound)

	// Alice's note is untouched and hers to change.
	var got note
	must(t, e.do(req{method: "GET", path: "/notes/" + na.ID, token: a.token}), http.StatusOK).decode(t, &got)
	if got.Title != "alice's secret" {
		t.Fatalf("alice's note changed: %+v", got)
	}
	var listA []note
	must(t, e.do(req{method: "GET", path: "/notes", token: a.token}), http.StatusOK).decode(t, &listA)
	if len(listA) != 1 || listA[0].ID != na.ID {
		t.Fatalf("alice lists %+v", listA)
	}
	must(t, e.do(req{method: "PATCH", path: "/notes/" + na.ID, token: a.token, body: map[string]string{"title": "edited"}}), http.StatusOK)
	must(t, e.do(req{method: "DELETE", path: "/notes/" + na.ID, token: a.token}), http.StatusNoContent)
	must(t, e.do(req{method: "GET", path: "/notes/" + nb.ID, token: b.token}), http.StatusOK)
}

// Acceptance: malformed JSON 400; oversized body 413; weak password 422
// with the field named — all JSON.
func TestRegistrationErrors(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen}})
	e.register("donald@example.com", "literate-programming")
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"email": "x@example.com", "password": `, 400, ""},
		{"wrong type", `{"email": 42, "password": "another-password"}`, 400, ""},
		{"unknown field", `{"email": "x@example.com", "password": "another-password", "admin": true}`, 400, ""},
		{"oversized", `{"email": "x@example.com", "password": "` + strings.Repeat("a", 64<<10) + `"}`, 413, ""},
		{"weak password", map[string]string{"email": "x@example.com", "password": "short"}, 422, "password"},
		{"bad email", map[string]string{"email": "not-an-address", "password": "long-enough-pw"}, 422, "email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := must(t, e.do(req{method: "POST", path: "/auth/register", body: c.body}), c.status)
			b := r.errBody(t)
			if c.field != "" && b.Fields[c.field] == "" {
				t.Fatalf("422 does not name %q: %s", c.field, r.body)
			}
			if c.status == 422 && c.field == "password" && !strings.Contains(b.Fields["password"], "at least 10") {
				t.Fatalf("password problem %q", b.Fields["password"])
			}
		})
	}
	// Login errors are JSON too.
	must(t, e.do(req{method: "POST", path: "/auth/login", body: `{"email":`}), 400).errBody(t)
	r := must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "donald@example.com"}}), 422)
	if r.errBody(t).Fields["password"] == "" {
		t.Fatal("missing password not named")
	}
}

// Registration is closed unless configured open: 403 with a JSON error
// that says so, and nobody is created.
func TestRegistrationClosedByDefault(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := must(t, e.do(req{method: "POST", path: "/auth/register", body: map[string]string{"email": "x@example.com", "password": "long-enough-pw"}}), http.StatusForbidden)
	if b := r.errBody(t); !strings.Contains(b.Error, "registration is closed") {
		t.Fatalf("error %q", b.Error)
	}
	if _, err := e.auth.UserByEmail(context.Background(), "x@example.com"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("closed registration created a user: %v", err)
	}
	// A value that is neither open nor closed stops the start.
	e2 := newEnv(t, envOptions{cfg: auth.Config{Registration: "maybe"}, wantStartErr: true})
	if e2.startErr == nil || !strings.Contains(e2.startErr.Error(), "WEBOS_AUTH_REGISTRATION") {
		t.Fatalf("start error %v", e2.startErr)
	}
}

// Registration does not tell whether an address has an account: a taken
// address gets the same status and body as a free one, and the existing
// account keeps its password.
func TestRegistrationDoesNotRevealAccounts(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen}})
	e.register("donald@example.com", "literate-programming")
	register := func(email, pw string) resp {
		return must(t, e.do(req{method: "POST", path: "/auth/register", body: map[string]string{"email": email, "password": pw}}), http.StatusAccepted)
	}
	fresh := register("grace@example.com", "another-password")
	for _, email := range []string{"donald@example.com", "Donald@EXAMPLE.com"} {
		taken := register(email, "another-password")
		if !bytes.Equal(taken.body, fresh.body) || taken.header.Get("Content-Type") != fresh.header.Get("Content-Type") {
			t.Fatalf("taken %s: %s, free: %s", email, taken.body, fresh.body)
		}
	}
	var body auth.RegisterResponse
	fresh.decode(t, &body)
	if body.Message == "" {
		t.Fatalf("no message: %s", fresh.body)
	}
	users, err := e.auth.Users(context.Background(), 0, 0)
	if err != nil || len(users) != 3 { // the admin, donald, grace
		t.Fatalf("users %v %v", users, err)
	}
	must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "donald@example.com", "password": "another-password"}}), http.StatusUnauthorized)
	e.login("donald@example.com", "literate-programming")
	e.login("grace@example.com", "another-password")
}

func TestRegistrationClosedAndThrottled(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationClosed}})
	must(t, e.do(req{method: "POST", path: "/auth/register", body: map[string]string{"email": "x@example.com", "password": "long-enough-pw"}}), http.StatusForbidden).errBody(t)
	// Administrators still create users.
	admin := e.admin()
	must(t, e.do(req{method: "POST", path: "/auth/users", token: admin.token, body: map[string]any{"email": "x@example.com", "password": "long-enough-pw", "roles": []string{"user"}}}), http.StatusCreated)
	must(t, e.do(req{method: "POST", path: "/auth/users", token: admin.token, body: map[string]any{"email": "y@example.com", "password": "long-enough-pw", "roles": []string{"nope"}}}), http.StatusUnprocessableEntity)

	e2 := newEnv(t, envOptions{cfg: auth.Config{Registration: auth.RegistrationOpen, Throttle: auth.Throttle{Register: auth.Limit{Burst: 2, Every: time.Hour}}}})
	for i, want := range []int{202, 202, 429} {
		r := e2.do(req{method: "POST", path: "/auth/register", body: map[string]string{"email": "u" + strconv.Itoa(i) + "@example.com", "password": "long-enough-pw"}})
		must(t, r, want)
	}
}

// Acceptance: first run creates an administrator from config, or with a
// one-time password printed once at start-up.
func TestFirstRunAdmin(t *testing.T) {
	t.Run("generated", func(t *testing.T) {
		e := newEnv(t, envOptions{cfg: auth.Config{AdminEmail: "root@example.com"}})
		logs := e.logs.String()
		if !regexp.MustCompile(`level=WARN msg="first run: .*one-time password.*" module=auth email=root@example.com`).MatchString(logs) {
			t.Fatalf("no first-run warning in the log:\n%s", logs)
		}
		m := regexp.MustCompile(`sign in as root@example.com with the one-time password (\S+)`).FindStringSubmatch(e.out.String())
		if m == nil {
			t.Fatalf("no one-time password on the console:\n%s", e.out.String())
		}
		if strings.Contains(logs, m[1]) {
			t.Fatal("the one-time password reached the log")
		}
		s := e.login("root@example.com", m[1])
		if !slices.Contains(s.user.Permissions, "*") || !slices.Contains(s.user.Roles, auth.RoleAdmin) {
			t.Fatalf("first admin %+v", s.user)
		}
		// A restart over the same database creates nobody and prints nothing.
		e2 := newEnv(t, envOptions{database: e.db, cfg: auth.Config{AdminEmail: "other@example.com"}})
		if strings.Contains(e2.logs.String(), "first run") {
			t.Fatalf("second start logged a first run:\n%s", e2.logs.String())
		}
		users, err := e2.auth.Users(context.Background(), 0, 0)
		if err != nil || len(users) != 1 {
			t.Fatalf("users after restart: %v %v", users, err)
		}
	})
	t.Run("from config", func(t *testing.T) {
		e := newEnv(t, envOptions{})
		if strings.Contains(e.logs.String(), "password=") {
			t.Fatal("configured password logged")
		}
		e.admin()
	})
	t.Run("weak configured password", func(t *testing.T) {
		e := newEnv(t, envOptions{cfg: auth.Config{AdminEmail: "root@example.com", AdminPassword: "short"}, wantStartErr: true})
		if e.startErr == nil || !strings.Contains(e.startErr.Error(), "WEBOS_ADMIN_PASSWORD") || !strings.Contains(e.startErr.Error(), "password: must be at least") {
			t.Fatalf("start error %v", e.startErr)
		}
	})
}

// Acceptance: rehash on login when parameters change.
func TestRehashOnLogin(t *testing.T) {
	weak := auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	e := newEnv(t, envOptions{cfg: auth.Config{Password: weak}})
	u := e.register("margaret@example.com", "apollo-guidance")
	stored, err := e.auth.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := auth.ParseHash(stored.PasswordHash); p != weak {
		t.Fatalf("hash params %+v", p)
	}

	e2 := newEnv(t, envOptions{database: e.db})
	e2.login("margaret@example.com", "apollo-guidance")
	stored, err = e2.auth.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := auth.ParseHash(stored.PasswordHash); p != auth.DefaultParams {
		t.Fatalf("not rehashed: %+v", p)
	}
	e2.login("margaret@example.com", "apollo-guidance")
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("dennis@example.com", "c-programming-lang")
	s := e.login("dennis@example.com", "c-programming-lang")
	other := e.login("dennis@example.com", "c-programming-lang")
	r := must(t, e.do(req{method: "POST", path: "/auth/password", token: s.token, body: map[string]string{"current_password": "wrong-one-here", "new_password": "unix-and-c-1972"}}), 422)
	if r.errBody(t).Fields["current_password"] == "" {
		t.Fatal("wrong current password not named")
	}
	r = must(t, e.do(req{method: "POST", path: "/auth/password", token: s.token, body: map[string]string{"current_password": "c-programming-lang", "new_password": "short"}}), 422)
	if r.errBody(t).Fields["new_password"] == "" {
		t.Fatal("weak new password not named")
	}
	must(t, e.do(req{method: "POST", path: "/auth/password", token: s.token, body: map[string]string{"current_password": "c-programming-lang", "new_password": "unix-and-c-1972"}}), 204)
	// Every session ended.
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), 401)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: other.cookie}), 401)
	must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "dennis@example.com", "password": "c-programming-lang"}}), 401)
	e.login("dennis@example.com", "unix-and-c-1972")
}

func TestTokensAPI(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("ada@example.com", "analytical-engine")
	e.register("bob@example.com", "bob-password-1")
	s := e.login("ada@example.com", "analytical-engine")
	bob := e.login("bob@example.com", "bob-password-1")
	var tr auth.TokenResponse
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token, body: map[string]any{"name": "backup script"}}), 201).decode(t, &tr)
	if tr.ID != auth.HashToken(tr.Token) || time.Until(tr.ExpiresAt) < 29*24*time.Hour {
		t.Fatalf("token response %+v", tr)
	}
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token, body: map[string]any{"name": ""}}), 422)
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token, body: map[string]any{"name": "x", "expires_in": -1}}), 422)

	var list []auth.Token
	r := must(t, e.do(req{method: "GET", path: "/auth/tokens", token: tr.Token}), 200)
	r.decode(t, &list)
	if len(list) != 2 || bytes.Contains(r.body, []byte(tr.Token)) {
		t.Fatalf("tokens %s", r.body)
	}
	// Bob cannot revoke Ada's token.
	must(t, e.do(req{method: "DELETE", path: "/auth/tokens/" + tr.ID, token: bob.token}), 404)
	must(t, e.do(req{method: "DELETE", path: "/auth/tokens/" + tr.ID, token: s.token}), 204)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: tr.Token}), 401)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), 200)

	// The database holds only hashes.
	type stored struct {
		store.Doc    `bson:",inline"`
		Email        string `bson:"email"`
		PasswordHash string `bson:"password_hash"`
	}
	n, err := store.NewCollection[stored](e.store.DB(), auth.TokensCollection).Count(context.Background(), store.Eq("_id", tr.Token))
	if err != nil || n != 0 {
		t.Fatalf("secret stored: %d %v", n, err)
	}
	u, err := store.NewCollection[stored](e.store.DB(), auth.UsersCollection).FindOne(context.Background(), store.Eq("email", "ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]any{"password_hash": u.PasswordHash}
	if h, _ := raw["password_hash"].(string); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("stored hash %q", h)
	}
}

func TestAdminEndpoints(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.admin()
	u := e.register("ada@example.com", "analytical-engine")
	s := e.login("ada@example.com", "analytical-engine")

	var users []auth.User
	r := must(t, e.do(req{method: "GET", path: "/auth/users?limit=10", token: admin.token}), 200)
	r.decode(t, &users)
	if len(users) != 2 || bytes.Contains(r.body, []byte("argon2")) {
		t.Fatalf("users %s", r.body)
	}
	must(t, e.do(req{method: "GET", path: "/auth/users", token: s.token}), 403)
	must(t, e.do(req{method: "GET", path: "/auth/users?limit=x", token: admin.token}), 422)
	must(t, e.do(req{method: "GET", path: "/auth/users/" + u.ID, token: admin.token}), 200)
	must(t, e.do(req{method: "GET", path: "/auth/users/nope", token: admin.token}), 404)

	var perms []auth.ModulePermission
	must(t, e.do(req{method: "GET", path: "/auth/permissions", token: admin.token}), 200).decode(t, &perms)
	var names []string
	for _, p := range perms {
		names = append(names, p.Module+":"+p.Name)
	}
	for _, want := range []string{"auth:auth.users.read", "notes:notes.read", "notes:notes.write"} {
		if !slices.Contains(names, want) {
			t.Errorf("permission catalog lacks %s: %v", want, names)
		}
	}
	for _, m := range e.app.Modules() {
		if m.ID == "notes" && !slices.Contains(m.Capabilities, "permissions") {
			t.Errorf("notes capabilities %v", m.Capabilities)
		}
	}

	must(t, e.do(req{method: "PUT", path: "/auth/roles/Bad Name", token: admin.token, body: map[string]any{"permissions": []string{}}}), 422)
	must(t, e.do(req{method: "PUT", path: "/auth/roles/editor", token: admin.token, body: map[string]any{"permissions": []string{"notes.**"}}}), 422)
	must(t, e.do(req{method: "PUT", path: "/auth/roles/admin", token: admin.token, body: map[string]any{"permissions": []string{"notes.read"}}}), 422)
	must(t, e.do(req{method: "PUT", path: "/auth/roles/editor", token: s.token, body: map[string]any{"permissions": []string{"notes.*"}}}), 403)
	e.grant(admin, u.ID, "editor", "notes.*")
	var roles []auth.Role
	must(t, e.do(req{method: "GET", path: "/auth/roles", token: admin.token}), 200).decode(t, &roles)
	if len(roles) != 3 {
		t.Fatalf("roles %+v", roles)
	}
	must(t, e.do(req{method: "DELETE", path: "/auth/roles/editor", token: admin.token}), 409)
	must(t, e.do(req{method: "DELETE", path: "/auth/roles/admin", token: admin.token}), 409)
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: admin.token, body: map[string]any{"roles": []string{"user"}}}), 200)
	must(t, e.do(req{method: "GET", path: "/notes", token: s.token}), 403) // permissions follow roles at once
	must(t, e.do(req{method: "DELETE", path: "/auth/roles/editor", token: admin.token}), 204)
}

func TestCommands(t *testing.T) {
	e := newEnv(t, envOptions{})
	var out bytes.Buffer
	e.auth.Out = &out
	ctx := context.Background()
	run := func(args ...string) string {
		t.Helper()
		out.Reset()
		cmds := e.auth.Commands()
		for _, c := range cmds {
			words := strings.Fields(c.Name)
			if slices.Equal(words, args[:len(words)]) {
				if err := c.Run(ctx, e.app, args[len(words):]); err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				return out.String()
			}
		}
		t.Fatalf("no command %v", args)
		return ""
	}
	o := run("user", "create", "--email", "Ops@Example.com", "--admin", "--name", "Ops")
	pw := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(o)
	if !strings.Contains(o, "created user ops@example.com") || pw == nil {
		t.Fatalf("output %q", o)
	}
	s := e.login("ops@example.com", pw[1])
	if !s.user.Can("anything.at.all") {
		t.Fatal("--admin did not make an admin")
	}
	run("user", "create", "--email", "dev@example.com", "--password", "developer-pw", "--role", "user")
	o = run("user", "list")
	for _, want := range []string{"EMAIL", "ops@example.com", "dev@example.com", "admin@example.com", "admin"} {
		if !strings.Contains(o, want) {
			t.Errorf("list lacks %q:\n%s", want, o)
		}
	}
	run("user", "set-password", "--email", "dev@example.com", "--password", "new-developer-pw")
	e.login("dev@example.com", "new-developer-pw")
	e.auth.In = strings.NewReader("piped-developer-pw\n")
	if o := run("user", "set-password", "--email", "dev@example.com", "--password-stdin"); strings.Contains(o, "piped-developer-pw") {
		t.Fatalf("a given password was printed: %q", o)
	}
	e.login("dev@example.com", "piped-developer-pw")
	run("user", "deactivate", "--email", "dev@example.com")
	must(t, e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "dev@example.com", "password": "piped-developer-pw"}}), 401)
	run("user", "activate", "--email", "dev@example.com")
	e.login("dev@example.com", "piped-developer-pw")

	for _, c := range e.auth.Commands() {
		if c.Name == "user create" {
			if err := c.Run(ctx, e.app, nil); err == nil || !strings.Contains(err.Error(), "--email") {
				t.Fatalf("missing --email: %v", err)
			}
			if err := c.Run(ctx, e.app, []string{"--email", "x@example.com", "--password", "short"}); webos.StatusOf(err) != 422 {
				t.Fatalf("weak password: %v", err)
			}
		}
	}
	// Through the application's command line: the commands are listed.
	var help bytes.Buffer
	if err := e.app.Exec(ctx, []string{"help"}, &help); err != nil || !strings.Contains(help.String(), "user set-password") {
		t.Fatalf("help: %v\n%s", err, help.String())
	}
}

// Parallel guesses cannot slip past the throttle: each attempt reserves its
// failure before the password is checked.
func TestConcurrentLogins(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.register("hedy@example.com", "frequency-hopping")
	statuses := make(chan int, 20)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			pw := "wrong-password-" + strconv.Itoa(i)
			if i%5 == 0 {
				pw = "frequency-hopping"
			}
			statuses <- e.do(req{method: "POST", path: "/auth/login", body: map[string]string{"email": "hedy@example.com", "password": pw}}).status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] > auth.DefaultThrottle.PerAccountIP.Burst || count[http.StatusTooManyRequests] == 0 ||
		count[200]+count[401]+count[429] != 20 {
		t.Fatalf("statuses %v", count)
	}
	t.Logf("statuses %v", count)
}

// TestNoPrivilegeEscalation: a user who may manage users or roles cannot
// grant more than they hold, change their own roles, or touch a user who
// holds more than they do.
func TestNoPrivilegeEscalation(t *testing.T) {
	e := newEnv(t, envOptions{})
	admin := e.admin()
	hd := e.register("helpdesk@example.com", "helpdesk-password")
	e.grant(admin, hd.ID, "helpdesk", "auth.users.read", "auth.users.write", "auth.roles.read", "auth.roles.write")
	plain := e.register("plain@example.com", "plain-password")
	s := e.login("helpdesk@example.com", "helpdesk-password")

	// Own roles: refused, whatever they are.
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + hd.ID, token: s.token, body: map[string]any{"roles": []string{"admin"}}}), 422)
	// Another user's roles: only roles within the caller's permissions.
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + plain.ID, token: s.token, body: map[string]any{"roles": []string{"admin"}}}), 403)
	must(t, e.do(req{method: "POST", path: "/auth/users", token: s.token, body: map[string]any{
		"email": "sock@example.com", "password": "sock-puppet-pw", "roles": []string{"admin"}}}), 403)
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + plain.ID, token: s.token, body: map[string]any{"roles": []string{"user", "helpdesk"}}}), 200)
	// A user who holds more (the admin) cannot be changed or deactivated.
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + admin.user.ID, token: s.token, body: map[string]any{"active": false}}), 403)
	// Roles: no granting "*" to everyone, no editing the admin role.
	must(t, e.do(req{method: "PUT", path: "/auth/roles/user", token: s.token, body: map[string]any{"permissions": []string{"*"}}}), 403)
	must(t, e.do(req{method: "DELETE", path: "/auth/roles/admin", token: s.token}), 403)
	must(t, e.do(req{method: "PUT", path: "/auth/roles/reader", token: s.token, body: map[string]any{"permissions": []string{"auth.users.read"}}}), 200)

	var me auth.User
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), 200).decode(t, &me)
	if slices.Contains(me.Permissions, "*") {
		t.Fatalf("helpdesk escalated: %v", me.Permissions)
	}
}

// A login in use is renewed, up to its maximum lifetime; one left idle
// ends after the session lifetime; API tokens and revoked logins are
// never renewed.
func TestSessionRenewal(t *testing.T) {
	e := newEnv(t, envOptions{cfg: auth.Config{SessionTTL: time.Hour, SessionMaxLifetime: 3 * time.Hour}})
	e.register("joan@example.com", "sliding-window-1")
	s := e.login("joan@example.com", "sliding-window-1")
	idle := e.login("joan@example.com", "sliding-window-1")
	var api auth.TokenResponse
	must(t, e.do(req{method: "POST", path: "/auth/tokens", token: s.token,
		body: map[string]any{"name": "ci", "expires_in": 3600}}), http.StatusCreated).decode(t, &api)

	// Not due in the first tenth of its lifetime: no write, no new cookie.
	e.clock.Advance(5 * time.Minute)
	if r := must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusOK); r.cookie != nil {
		t.Fatalf("renewed after 5 minutes of 60: %+v", r.cookie)
	}
	e.clock.Advance(-5 * time.Minute)

	cookie, renewed := s.cookie, 0
	// Used every 20 minutes, the login outlives its one-hour lifetime...
	for elapsed := 20 * time.Minute; elapsed <= 160*time.Minute; elapsed += 20 * time.Minute {
		e.clock.Advance(20 * time.Minute)
		r := must(t, e.do(req{method: "GET", path: "/auth/me", cookie: cookie}), http.StatusOK)
		if r.cookie != nil {
			if r.cookie.MaxAge != 3600 || !r.cookie.HttpOnly || !r.cookie.Secure {
				t.Fatalf("renewed cookie %+v", r.cookie)
			}
			cookie = r.cookie
			renewed++
		}
		if elapsed == 40*time.Minute {
			// ...while the API token, used as often, is not renewed.
			must(t, e.do(req{method: "GET", path: "/auth/me", token: api.Token}), http.StatusOK)
		}
	}
	// Each request from 20 to 120 minutes renewed it; the one at 120 took
	// it to the three-hour limit, past which the later ones cannot.
	if renewed != 6 {
		t.Fatalf("the cookie was renewed %d times, want 6", renewed)
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", token: api.Token}), http.StatusUnauthorized)
	// The same credential: its bearer token lives on with the cookie.
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	// The login left idle ended after one hour.
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: idle.cookie}), http.StatusUnauthorized)

	// The renewed end is stored: it holds on another instance too.
	toks, err := e.auth.Tokens(context.Background(), s.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	var end time.Time
	for _, tk := range toks {
		if tk.ID == auth.HashToken(s.token) {
			end = tk.ExpiresAt
		}
	}
	if !end.After(e.clock.Now()) || end.After(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("stored end %v, now %v", end, e.clock.Now())
	}

	// Never past the maximum lifetime, however busy: three hours after
	// the sign-in it ends.
	for i := 0; i < 3; i++ {
		e.clock.Advance(10 * time.Minute)
		_ = e.do(req{method: "GET", path: "/auth/me", cookie: cookie})
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: cookie}), http.StatusUnauthorized)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)

	// A revoked login is not brought back by a request made when a renewal
	// would be due.
	l := e.login("joan@example.com", "sliding-window-1")
	e.clock.Advance(40 * time.Minute)
	must(t, e.do(req{method: "POST", path: "/auth/logout", token: l.token}), http.StatusNoContent)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: l.cookie}), http.StatusUnauthorized)
	e.clock.Advance(30 * time.Minute)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: l.token}), http.StatusUnauthorized)
}
