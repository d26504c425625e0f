package auth

import (
	"context"
	"errors"
	"fmt"
	"github.com/webos-go/webos/audit"
	"net/http"
	"strings"

	"github.com/webos-go/webos"
)

// How a request was authenticated.
type credSource int

const (
	viaNone credSource = iota
	viaBearer
	viaCookie
)

// credential is what authenticated the request, kept in its context so that
// logout can revoke it.
type credential struct {
	token  *Token
	source credSource
}

type credKey struct{}

// authenticate finds the user r acts as. An Authorization header must hold
// a valid bearer token (anything else is 401, never a fallback to the
// cookie). Without one, the session cookie is used; a cookie-authenticated
// request must pass the cross-origin check (403 otherwise), and a stale
// cookie is cleared and the request is anonymous. It returns a nil user for
// an anonymous request.
func (m *Module) authenticate(w http.ResponseWriter, r *http.Request) (*User, credential, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, credential{}, fmt.Errorf("%w: want \"Authorization: Bearer <token>\"", ErrInvalidToken)
		}
		u, t, err := m.AuthenticateToken(ctx, strings.TrimSpace(secret))
		if err != nil {
			return nil, credential{}, err
		}
		return u, credential{token: t, source: viaBearer}, nil
	}
	secret := m.cookieSecret(r)
	if secret == "" {
		return nil, credential{}, nil
	}
	if err := m.cop.Check(r); err != nil {
		return nil, credential{}, ErrCrossOrigin
	}
	u, t, err := m.AuthenticateToken(ctx, secret)
	if errors.Is(err, ErrInvalidToken) {
		m.clearSessionCookie(w)
		return nil, credential{}, nil
	}
	if err != nil {
		return nil, credential{}, err
	}
	return u, credential{token: t, source: viaCookie}, nil
}

// keepAlive renews the login c that r is made with when it is due (see
// Config.SessionTTL) and, for a session cookie, gives the browser a fresh
// one, whose own age is checked too.
func (m *Module) keepAlive(w http.ResponseWriter, r *http.Request, u *User, c credential) credential {
	nt := m.renew(r.Context(), u, c.token)
	if nt == nil {
		return c
	}
	c.token = nt
	if c.source == viaCookie {
		if secret := m.cookieSecret(r); secret != "" {
			if err := m.setSessionCookie(w, r, secret); err != nil {
				m.log.WarnContext(r.Context(), "renewing the session cookie failed", "user_id", u.ID, "err", err)
			}
		}
	}
	return c
}

// withAuth returns r with the user, the credential and the client's
// address (for the audit trail) in its context.
func (m *Module) withAuth(r *http.Request, u *User, c credential) *http.Request {
	ctx := context.WithValue(WithUser(r.Context(), u), credKey{}, c)
	return r.WithContext(audit.WithClient(ctx, m.ClientIP(r)))
}

// Authorizer returns the application's [webos.Authorizer]: it identifies a
// request's user from a bearer token or the session cookie (see
// [UserFrom]) and checks the user's permissions. Every guard of the
// application asks it, through [webos.Router.Require] and
// [webos.App.Authorize].
func (m *Module) Authorizer() webos.Authorizer { return authorizer{m} }

type authorizer struct{ m *Module }

// Identify puts the request's user into its context. An invalid bearer
// token is 401 and a cross-origin state-changing request authenticated by
// cookie is 403; a stale cookie is cleared and the request is anonymous.
// A login in use is renewed when due (see Config.SessionTTL).
func (a authorizer) Identify(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if _, ok := UserFrom(r.Context()); ok {
		return r, nil
	}
	u, c, err := a.m.authenticate(w, r)
	if err != nil {
		return r, err
	}
	if u != nil {
		r = a.m.withAuth(r, u, a.m.keepAlive(w, r, u, c))
	}
	return r, nil
}

// Authorize checks the user in ctx: 401 without one, 403 when it lacks
// perm ("" asks only for a user).
func (authorizer) Authorize(ctx context.Context, perm string) error {
	u, ok := UserFrom(ctx)
	if !ok {
		return ErrUnauthenticated
	}
	if perm != "" && !u.Can(perm) {
		return fmt.Errorf("%w: needs %q", ErrForbidden, perm)
	}
	return nil
}

// ClientIP returns the client address of r as the module sees it, honouring
// X-Forwarded-For only from the configured trusted proxies.
func (m *Module) ClientIP(r *http.Request) string { return ClientIP(r, m.trusted) }
