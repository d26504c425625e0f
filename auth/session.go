package auth

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"github.com/webos-go/webos"
)

// cookieTokenKey is the session value that holds the login's token secret.
const cookieTokenKey = "t"

// minSecretLen is the shortest secret key accepted in production.
const minSecretLen = 32

// CookieKeys derives the gorilla/securecookie key pairs from the configured
// secrets, newest first: for each secret a 64-byte HMAC-SHA256 key and a
// 32-byte AES-256 key, both by HKDF-SHA256 with distinct labels. The first
// pair signs and encrypts new cookies; all of them are tried when reading
// one, so a secret can be rotated by putting the new one in front and
// dropping the old one after the session lifetime.
func CookieKeys(secrets []webos.Secret) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, errors.New("auth: no secret keys")
	}
	pairs := make([][]byte, 0, 2*len(secrets))
	for i, s := range secrets {
		if s.Reveal() == "" {
			return nil, fmt.Errorf("auth: secret key %d is empty", i+1)
		}
		hashKey, err := hkdf.Key(sha256.New, []byte(s.Reveal()), nil, "webos auth cookie hmac", 64)
		if err != nil {
			return nil, fmt.Errorf("auth: derive cookie keys: %w", err)
		}
		blockKey, err := hkdf.Key(sha256.New, []byte(s.Reveal()), nil, "webos auth cookie aes", 32)
		if err != nil {
			return nil, fmt.Errorf("auth: derive cookie keys: %w", err)
		}
		pairs = append(pairs, hashKey, blockKey)
	}
	return pairs, nil
}

// newCookieStore returns the session store for cfg and secrets. With no
// secrets it makes a random one: sessions then end with the process.
func newCookieStore(cfg Config, secrets []webos.Secret) (*sessions.CookieStore, error) {
	if len(secrets) == 0 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		secrets = []webos.Secret{webos.Secret(b)}
	}
	pairs, err := CookieKeys(secrets)
	if err != nil {
		return nil, err
	}
	cs := sessions.NewCookieStore(pairs...)
	cs.Options = &sessions.Options{
		Path:     "/",
		Secure:   !cfg.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	cs.MaxAge(int(cfg.SessionTTL.Seconds()))
	return cs, nil
}

// cookieSecret returns the token secret in r's session cookie, or "".
// Decoding a cookie (HMAC, AES, gob) costs more than the rest of an
// authenticated request, so a cookie decoded a moment ago is looked up
// in m.cookieSecrets instead.
func (m *Module) cookieSecret(r *http.Request) string {
	c, err := r.Cookie(m.cfg.CookieName)
	if err != nil || c.Value == "" {
		return ""
	}
	now := m.now()
	if secret, ok := m.cookieSecrets.get(c.Value, now); ok {
		return secret
	}
	s, err := m.cookies.New(r, m.cfg.CookieName)
	if err != nil || s.IsNew {
		return ""
	}
	secret, _ := s.Values[cookieTokenKey].(string)
	if secret != "" {
		m.cookieSecrets.put(c.Value, secret, now)
	}
	return secret
}

// cookieCache remembers, for the credential cache's TTL, the secret that a
// session cookie's value decoded to. A value is only ever put after its
// signature and age were verified; the secret it holds is still checked
// as a token on every request (revocation, expiry), so a cached value
// never outlives its session by more than the TTL. Bounded: when full, it
// starts afresh. The zero value (or a TTL ≤ 0) caches nothing.
type cookieCache struct {
	ttl time.Duration
	max int

	mu sync.RWMutex
	m  map[string]cookieEntry
}

type cookieEntry struct {
	secret string
	until  time.Time
}

func newCookieCache(ttl time.Duration, max int) *cookieCache {
	return &cookieCache{ttl: ttl, max: max, m: map[string]cookieEntry{}}
}

func (c *cookieCache) get(value string, now time.Time) (string, bool) {
	if c == nil || c.ttl <= 0 {
		return "", false
	}
	c.mu.RLock()
	e, ok := c.m[value]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return "", false
	}
	return e.secret, true
}

func (c *cookieCache) put(value, secret string, now time.Time) {
	if c == nil || c.ttl <= 0 || c.max <= 0 {
		return
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[value] = cookieEntry{secret: secret, until: now.Add(c.ttl)}
	c.mu.Unlock()
}

// forget drops every cached cookie value.
func (c *cookieCache) forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// setSessionCookie writes the session cookie holding the login's secret.
func (m *Module) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string) error {
	s := sessions.NewSession(m.cookies, m.cfg.CookieName)
	opts := *m.cookies.Options
	s.Options = &opts
	s.Values[cookieTokenKey] = secret
	if err := m.cookies.Save(r, w, s); err != nil {
		return fmt.Errorf("auth: session cookie: %w", err)
	}
	return nil
}

// clearSessionCookie tells the browser to drop the session cookie, once per
// response.
func (m *Module) clearSessionCookie(w http.ResponseWriter) {
	prefix := m.cfg.CookieName + "=;"
	for _, v := range w.Header().Values("Set-Cookie") {
		if strings.HasPrefix(v, prefix) {
			return
		}
	}
	opts := *m.cookies.Options
	opts.MaxAge = -1
	http.SetCookie(w, sessions.NewCookie(m.cfg.CookieName, "", &opts))
}
