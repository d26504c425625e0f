package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

const cookieName = "webos_session"

// signIn makes the sweep's identities: the administrator and an ordinary
// user without permissions (role "user", which grants nothing), each by
// bearer token and by session cookie, spare sessions for the routes that
// end theirs, and the broken credentials.
func (s *sweeper) signIn(adminEmail, adminPassword string) error {
	anon := &ident{name: "anonymous"}
	s.idents[anon.name] = anon

	login := func(email, password string) (token, cookie string, err error) {
		var out struct {
			Token string `json:"token"`
		}
		r, err := s.api(anon, "POST", "/auth/login", obj{"email": email, "password": password, "token": true}, &out)
		if err != nil {
			return "", "", err
		}
		for _, c := range (&http.Response{Header: r.header}).Cookies() {
			if c.Name == cookieName && c.Value != "" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if out.Token == "" || cookie == "" {
			return "", "", fmt.Errorf("login of %s: no token or no session cookie", email)
		}
		return out.Token, cookie, nil
	}
	mint := func(owner *ident, name string, secs int64) (secret, id string, err error) {
		var out struct {
			Token string `json:"token"`
			ID    string `json:"id"`
		}
		_, err = s.api(owner, "POST", "/auth/tokens", obj{"name": name, "expires_in": secs}, &out)
		return out.Token, out.ID, err
	}

	adminToken, adminCookie, err := login(adminEmail, adminPassword)
	if err != nil {
		return err
	}
	session := &ident{name: "admin/login", bearer: "Bearer " + adminToken}
	secret, _, err := mint(session, "sweep-admin", 0)
	if err != nil {
		return err
	}
	admin := &ident{name: "admin/bearer", bearer: "Bearer " + secret}

	userEmail, userPassword := "user@sweep.test", "user-"+randomHex(12)
	var user struct {
		ID    string   `json:"id"`
		Roles []string `json:"roles"`
	}
	if _, err := s.api(admin, "POST", "/auth/users", obj{"email": userEmail, "password": userPassword, "display_name": "Ordinary user"}, &user); err != nil {
		return err
	}
	if user.ID == "" {
		return fmt.Errorf("POST /auth/users: no id in the answer")
	}
	userToken, userCookie, err := login(userEmail, userPassword)
	if err != nil {
		return err
	}
	secret, _, err = mint(&ident{name: "user/login", bearer: "Bearer " + userToken}, "sweep-user", 0)
	if err != nil {
		return err
	}
	userBearer := &ident{name: "user/bearer", bearer: "Bearer " + secret}

	// Cookie identities. Each has a session of its own and spares: the
	// sign-out routes end the session they are called with (also without
	// an Origin header, which non-browser clients do not send).
	pool := func(email, password string, n int) ([]string, error) {
		var out []string
		for range n {
			_, c, err := login(email, password)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
	relogin := func(email, password string) func() string {
		return func() string {
			_, c, err := login(email, password)
			if err != nil {
				return ""
			}
			return c
		}
	}
	cookieIdent := func(name, email, password string, origin, crossSite bool) (*ident, error) {
		n := 20
		if crossSite {
			n = 2 // refused: its session should survive
		}
		p, err := pool(email, password, n)
		if err != nil {
			return nil, err
		}
		return &ident{name: name, cookie: p[0], pool: p[1:], origin: origin, crossSite: crossSite, login: relogin(email, password)}, nil
	}
	s.idents[admin.name], s.idents[userBearer.name] = admin, userBearer
	for _, c := range []struct {
		name              string
		admin             bool
		origin, crossSite bool
	}{
		{"admin/cookie", true, false, false},
		{"admin/cookie+origin", true, true, false},
		{"admin/cookie+cross-site", true, false, true},
		{"user/cookie", false, false, false},
		{"user/cookie+origin", false, true, false},
		{"user/cookie+cross-site", false, false, true},
	} {
		email, password := userEmail, userPassword
		if c.admin {
			email, password = adminEmail, adminPassword
		}
		id, err := cookieIdent(c.name, email, password, c.origin, c.crossSite)
		if err != nil {
			return err
		}
		s.idents[id.name] = id
	}
	_ = userCookie

	// Broken credentials.
	expiring, _, err := mint(admin, "sweep-expiring", 1)
	if err != nil {
		return err
	}
	revoked, revokedID, err := mint(admin, "sweep-revoked", 0)
	if err != nil {
		return err
	}
	if _, err := s.api(admin, "DELETE", "/auth/tokens/"+revokedID, nil, nil); err != nil {
		return err
	}
	_, deadCookie, err := login(adminEmail, adminPassword)
	if err != nil {
		return err
	}
	dead := &ident{name: "dead", cookie: deadCookie, origin: true}
	if _, err := s.api(dead, "POST", "/auth/logout", nil, nil); err != nil {
		return err
	}
	tampered := flip(strings.TrimPrefix(adminCookie, cookieName+"="))
	long := strings.Repeat("A", 8<<10)
	s.badCreds = []*ident{
		{name: "bearer:garbage", bearer: "Bearer garbage"},
		{name: "bearer:empty", bearer: "Bearer "},
		{name: "bearer:scheme-only", bearer: "Bearer"},
		{name: "bearer:lowercase", bearer: "bearer " + strings.TrimPrefix(admin.bearer, "Bearer ")},
		{name: "bearer:tampered", bearer: "Bearer " + flip(strings.TrimPrefix(admin.bearer, "Bearer "))},
		{name: "bearer:long", bearer: "Bearer " + long},
		{name: "bearer:unicode", bearer: "Bearer \u2713\u00e9\u2603"}, // #nosec G101 -- a deliberately malformed token the sweep sends
		{name: "bearer:expired", bearer: "Bearer " + expiring},
		{name: "bearer:revoked", bearer: "Bearer " + revoked},
		{name: "basic", bearer: "Basic YWRtaW46YWRtaW4="}, // #nosec G101 -- a deliberately wrong credential the sweep sends
		{name: "cookie:garbage", cookie: cookieName + "=garbage", origin: true},
		{name: "cookie:empty", cookie: cookieName + "=", origin: true},
		{name: "cookie:tampered", cookie: cookieName + "=" + tampered, origin: true},
		{name: "cookie:signed-out", cookie: deadCookie, origin: true},
		{name: "cookie:long", cookie: cookieName + "=" + long, origin: true},
		{name: "cookie:twice", cookie: cookieName + "=garbage; " + adminCookie, origin: true},
		{name: "cookie:malformed", cookie: "webos_session; ==; ;;", origin: true},
		{name: "user-cookie+bad-bearer", cookie: userCookie, bearer: "Bearer garbage", origin: true},
	}

	// Path defaults: the ordinary user and a real task.
	s.defaults["user"] = user.ID
	var task struct {
		ID string `json:"id"`
	}
	if _, err := s.api(admin, "POST", "/tasks/report.generate", obj{"title": "Sweep", "steps": 1}, &task); err != nil {
		return err
	}
	if task.ID != "" {
		s.defaults["task"] = task.ID
	}
	time.Sleep(1500 * time.Millisecond) // the expiring token expires
	return nil
}

// flip changes a character in the middle of s.
func flip(s string) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// fresh returns the identity to send a sign-out request as: a bearer
// identity gets a new token each time, a cookie identity its current
// session (replaced from its pool once a sign-out has ended it).
func (s *sweeper) fresh(who *ident) *ident {
	if who.bearer == "" || who.cookie != "" || !strings.HasPrefix(who.name, "admin/") && !strings.HasPrefix(who.name, "user/") {
		return who
	}
	var out struct {
		Token string `json:"token"`
	}
	if _, err := s.api(who, "POST", "/auth/tokens", obj{"name": "sweep-signout", "expires_in": 600}, &out); err != nil || out.Token == "" {
		return who
	}
	return &ident{name: who.name + "(fresh)", bearer: "Bearer " + out.Token}
}

// consumed replaces a cookie identity's session after a sign-out route
// answered it with success: from its pool, or by signing in again (which
// the login throttle may refuse by then; the dead session is kept).
func (s *sweeper) consumed(who *ident, r *response) {
	if who.cookie == "" || r.err != nil || r.status >= 400 {
		return
	}
	if len(who.pool) > 0 {
		who.cookie, who.pool = who.pool[0], who.pool[1:]
		return
	}
	if who.login != nil {
		if c := who.login(); c != "" {
			who.cookie = c
		}
	}
}
