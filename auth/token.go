package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/webos-go/webos/store"
)

// Token kinds.
const (
	// KindLogin is the credential a login creates: the session cookie and
	// the bearer token returned by POST /auth/login are the same credential,
	// and logging out through either ends both.
	KindLogin = "login"
	// KindAPI is a named token a user creates for scripts.
	KindAPI = "api"
)

// tokenBytes is the length of a token's random secret.
const tokenBytes = 32

// Token is the stored record of a bearer token or login session. The secret
// itself is never stored: the record's id is [HashToken] of it, so a
// database leak yields no usable token.
type Token struct {
	store.Doc `bson:",inline"`
	// UserID is the id of the user the token acts as.
	UserID string `bson:"user_id" json:"user_id"`
	// Kind is [KindLogin] or [KindAPI].
	Kind string `bson:"kind" json:"kind"`
	// Name is a label the user gave an API token.
	Name string `bson:"name,omitempty" json:"name,omitempty"`
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time `bson:"expires_at" json:"expires_at"`
	// RenewUntil is, for a login, the latest time that using it can move
	// ExpiresAt to (see Config.SessionMaxLifetime); a zero time, as API
	// tokens have, means it is never renewed.
	RenewUntil time.Time `bson:"renew_until" json:"-"`
	// RevokedAt is set when the token was revoked.
	RevokedAt *time.Time `bson:"revoked_at,omitempty" json:"revoked_at,omitempty"`
	// UserVersion is the user's [User.Version] when the token was issued;
	// the token dies when the version moves on (password change,
	// deactivation).
	UserVersion int64 `bson:"user_version" json:"-"`
}

// Valid reports whether the token can be used at now.
func (t *Token) Valid(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// NewTokenSecret returns a new random token: 32 bytes from crypto/rand in
// unpadded base64url, 43 characters.
func NewTokenSecret() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of a token secret in hex: the id under which
// the token is stored. A plain hash suffices because the secret is 256
// random bits: there is nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken reports whether s can be a token made by NewTokenSecret,
// so that garbage is refused without a database round trip.
func wellFormedToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
