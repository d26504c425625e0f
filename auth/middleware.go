package auth

import (
	"context"
	"errors"
	"fmt"
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

func credentialFrom(ctx context.Context) (credential, bool) {
	c, ok := ctx.Value(credKey{}).(credential)
	return c, ok
}

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

// withAuth returns r with the user and credential in its context.
func withAuth(r *http.Request, u *User, c credential) *http.Request {
	ctx := context.WithValue(WithUser(r.Context(), u), credKey{}, c)
	return r.WithContext(ctx)
}

// writeAuthError answers with err, adding WWW-Authenticate to a 401.
func writeAuthError(w http.ResponseWriter, r *http.Request, err error) {
	if webos.StatusOf(err) == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="webos"`)
	}
	webos.WriteError(w, r, err)
}

// Authenticate returns middleware that puts the request's user, if any,
// into its context (see [UserFrom]) from a bearer token or the session
// cookie. Anonymous requests pass through; an invalid bearer token is 401
// and a cross-origin state-changing request authenticated by cookie is 403.
func (m *Module) Authenticate() webos.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := UserFrom(r.Context()); ok {
				next.ServeHTTP(w, r)
				return
			}
			u, c, err := m.authenticate(w, r)
			if err != nil {
				writeAuthError(w, r, err)
				return
			}
			if u != nil {
				r = withAuth(r, u, c)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Require returns middleware that lets a request through only when it is
// authenticated (401 otherwise) and its user has every one of perms (403
// otherwise). It authenticates the request itself when no user is in the
// context yet, so it works alone on a route or a group:
//
//	r.With(authModule.Require("blog.write")).HandleFunc("POST /posts", create)
func (m *Module) Require(perms ...string) webos.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := UserFrom(r.Context())
			if !ok {
				var c credential
				var err error
				u, c, err = m.authenticate(w, r)
				if err != nil {
					writeAuthError(w, r, err)
					return
				}
				if u == nil {
					writeAuthError(w, r, ErrUnauthenticated)
					return
				}
				r = withAuth(r, u, c)
			}
			if err := checkPerms(u, perms); err != nil {
				webos.WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Require returns middleware that checks the user a preceding
// [Module.Authenticate] put into the context: 401 without one, 403 when it
// lacks one of perms. Unlike [Module.Require] it does not authenticate.
func Require(perms ...string) webos.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := UserFrom(r.Context())
			if !ok {
				writeAuthError(w, r, ErrUnauthenticated)
				return
			}
			if err := checkPerms(u, perms); err != nil {
				webos.WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func checkPerms(u *User, perms []string) error {
	for _, p := range perms {
		if !u.Can(p) {
			return fmt.Errorf("%w: needs %q", ErrForbidden, p)
		}
	}
	return nil
}

// ClientIP returns the client address of r as the module sees it, honouring
// X-Forwarded-For only from the configured trusted proxies.
func (m *Module) ClientIP(r *http.Request) string { return ClientIP(r, m.trusted) }
