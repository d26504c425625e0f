package explorer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/webos-go/webos"
)

// ErrBadCursor is a cursor that was not made by this grid for this order,
// filter and user, or was changed (400).
var ErrBadCursor = fmt.Errorf("%w: the cursor is invalid or belongs to another order or filter", webos.ErrBadRequest)

// binding is what a cursor is valid for: the grid, the user, the order
// and the filter.
func binding(grid, user string, sort []Sort, f Filter) string {
	var b strings.Builder
	b.WriteString(grid)
	b.WriteByte(0)
	b.WriteString(user)
	b.WriteByte(0)
	for _, s := range sort {
		if s.Desc {
			b.WriteByte('-')
		}
		b.WriteString(s.Field)
		b.WriteByte(',')
	}
	b.WriteByte(0)
	b.WriteString(f.String())
	return b.String()
}

// sign wraps a source cursor: base64url(cursor) "." base64url(mac), where
// the MAC covers the binding and the direction too.
func sign(key []byte, bind, dir, cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursor)) + "." + mac(key, bind, dir, cursor)
}

func mac(key []byte, bind, dir, cursor string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(bind))
	m.Write([]byte{0})
	m.Write([]byte(dir))
	m.Write([]byte{0})
	m.Write([]byte(cursor))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// open checks a signed cursor and returns the source's cursor.
func open(key []byte, bind, dir, signed string) (string, error) {
	if signed == "" {
		return "", nil
	}
	if len(signed) > 8192 {
		return "", ErrBadCursor
	}
	body, sig, ok := strings.Cut(signed, ".")
	if !ok {
		return "", ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", ErrBadCursor
	}
	want := mac(key, bind, dir, string(raw))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", ErrBadCursor
	}
	return string(raw), nil
}

// KeyFrom derives a cursor key for [Config.Key] from the application's
// newest secret key (WEBOS_SECRET_KEYS), so that every instance of the
// application signs alike; nil when it has none.
func KeyFrom(c webos.Config) []byte {
	if len(c.SecretKeys) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, []byte(c.SecretKeys[0].Reveal()))
	m.Write([]byte("webos explorer cursors"))
	return m.Sum(nil)
}
