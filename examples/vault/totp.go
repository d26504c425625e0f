package vault

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 defines TOTP on HMAC-SHA-1 by default
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TOTP is a time-based one-time password key (RFC 6238): the shared
// secret and the parameters that make codes from it.
type TOTP struct {
	Secret    []byte
	Digits    int           // 6 to 10; default 6
	Period    time.Duration // default 30 s
	Algorithm string        // "SHA1" (default), "SHA256" or "SHA512"
}

var errTOTP = errors.New("vault: not a TOTP secret")

// ParseTOTP reads a TOTP key given as a base32 secret (spaces and case do
// not matter, padding optional) or as an otpauth://totp/ URI with its
// secret, digits, period and algorithm parameters. The error never repeats
// the input.
func ParseTOTP(s string) (TOTP, error) {
	s = strings.TrimSpace(s)
	k := TOTP{Digits: 6, Period: 30 * time.Second, Algorithm: "SHA1"}
	secret := s
	if strings.HasPrefix(strings.ToLower(s), "otpauth://") {
		u, err := url.Parse(s)
		if err != nil || !strings.EqualFold(u.Host, "totp") {
			return TOTP{}, errTOTP
		}
		q := u.Query()
		secret = q.Get("secret")
		if d := q.Get("digits"); d != "" {
			if k.Digits, err = strconv.Atoi(d); err != nil {
				return TOTP{}, errTOTP
			}
		}
		if p := q.Get("period"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 3600 {
				return TOTP{}, errTOTP
			}
			k.Period = time.Duration(n) * time.Second
		}
		if a := q.Get("algorithm"); a != "" {
			k.Algorithm = strings.ToUpper(a)
		}
	}
	secret = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '=' {
			return -1
		}
		return r
	}, secret))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(b) < 10 || len(b) > 128 {
		return TOTP{}, errTOTP
	}
	k.Secret = b
	if k.Digits < 6 || k.Digits > 10 || k.hash() == nil {
		return TOTP{}, errTOTP
	}
	return k, nil
}

func (k TOTP) hash() func() hash.Hash {
	switch k.Algorithm {
	case "", "SHA1":
		return sha1.New
	case "SHA256":
		return sha256.New
	case "SHA512":
		return sha512.New
	}
	return nil
}

// String returns the key in the form ParseTOTP reads: the base32 secret
// alone with the default parameters, an otpauth URI otherwise.
func (k TOTP) String() string {
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(k.Secret)
	if k.digits() == 6 && k.period() == 30*time.Second && (k.Algorithm == "" || k.Algorithm == "SHA1") {
		return s
	}
	return fmt.Sprintf("otpauth://totp/?secret=%s&digits=%d&period=%d&algorithm=%s", s, k.digits(), int(k.period()/time.Second), k.Algorithm)
}

func (k TOTP) digits() int {
	if k.Digits == 0 {
		return 6
	}
	return k.Digits
}

func (k TOTP) period() time.Duration {
	if k.Period <= 0 {
		return 30 * time.Second
	}
	return k.Period
}

// Code returns the code for time t and how long it stays valid.
func (k TOTP) Code(t time.Time) (code string, remaining time.Duration) {
	p := int64(k.period() / time.Second)
	unix := max(t.Unix(), 0)    // TOTP counts from 1970
	counter := uint64(unix / p) // #nosec G115 -- unix is not negative
	code = hotp(k.hash(), k.Secret, counter, k.digits())
	remaining = time.Duration(p-unix%p) * time.Second
	return code, remaining
}

// hotp is RFC 4226's HOTP with the given hash: dynamic truncation of
// HMAC(secret, counter) to digits decimal digits.
func hotp(h func() hash.Hash, secret []byte, counter uint64, digits int) string {
	if h == nil {
		h = sha1.New
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(h, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, uint64(bin)%mod)
}
