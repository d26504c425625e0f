package trace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// Header names that carry trace identifiers.
const (
	HeaderTraceparent = "Traceparent"
	HeaderRequestID   = "X-Request-Id"
)

type ctxKey struct{}

// NewID returns a fresh random 32-hex-digit trace identifier.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// WithID returns a copy of ctx carrying the trace identifier id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// ID returns the trace identifier in ctx, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// FromRequest returns the trace identifier an incoming request asks for: the
// trace-id of a valid traceparent header, else a well-formed X-Request-ID
// (up to 128 characters of letters, digits, '-', '_', '.'), else a new one.
func FromRequest(r *http.Request) string {
	if id, ok := ParseTraceparent(r.Header.Get(HeaderTraceparent)); ok {
		return id
	}
	if id := r.Header.Get(HeaderRequestID); validRequestID(id) {
		return id
	}
	return NewID()
}

// ParseTraceparent extracts the trace-id from a W3C traceparent header value
// ("00-<32 hex>-<16 hex>-<2 hex>"). It reports false for a malformed value or
// the all-zero trace-id.
func ParseTraceparent(v string) (string, bool) {
	parts := strings.Split(strings.TrimSpace(v), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 {
		return "", false
	}
	id := strings.ToLower(parts[1])
	if !isHex(id) || !isHex(parts[0]) || !isHex(parts[2]) || id == strings.Repeat("0", 32) {
		return "", false
	}
	return id, true
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func validRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
