package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id parameters of a password hash. They are written
// into every hash, so a hash made with old parameters still verifies after
// the parameters change; the module then rehashes it at the next login.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the salt length in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams are the OWASP minimum for argon2id: 19 MiB of memory, two
// passes, one thread, with a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// ErrMalformedHash is returned when a stored password hash cannot be parsed.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Limits on parameters read from a stored hash, so that a corrupted or
// hostile hash cannot make verification allocate without bound.
const (
	maxMemoryKiB = 4 * 1024 * 1024 // 4 GiB
	maxTime      = 64
	maxKeyLen    = 1024
	maxSaltLen   = 1024
)

func (p Params) check() error {
	switch {
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("auth: argon2id memory %d KiB out of range", p.Memory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("auth: argon2id time %d out of range", p.Time)
	case p.Threads < 1:
		return errors.New("auth: argon2id needs at least one thread")
	case p.SaltLen < 8 || p.SaltLen > maxSaltLen:
		return fmt.Errorf("auth: salt length %d out of range", p.SaltLen)
	case p.KeyLen < 16 || p.KeyLen > maxKeyLen:
		return fmt.Errorf("auth: key length %d out of range", p.KeyLen)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// HashPassword derives an argon2id hash of password with a fresh random salt
// and returns it in the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in unpadded standard base64.
func HashPassword(password string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the encoded hash made by
// [HashPassword]. The comparison takes the same time wherever the keys
// differ. A hash that cannot be parsed is [ErrMalformedHash].
func VerifyPassword(password, encoded string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than p
// (or cannot be parsed), so that it should be replaced by a new hash.
func NeedsRehash(encoded string, p Params) bool {
	q, _, _, err := decodeHash(encoded)
	return err != nil || q != p
}

// ParseHash returns the parameters an encoded hash was made with.
func ParseHash(encoded string) (Params, error) {
	p, _, _, err := decodeHash(encoded)
	return p, err
}

func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	seen := 0
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, ErrMalformedHash
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
			seen |= 1
		case "t":
			p.Time = uint32(n)
			seen |= 2
		case "p":
			if n > 255 {
				return p, nil, nil, ErrMalformedHash
			}
			p.Threads = uint8(n)
			seen |= 4
		default:
			return p, nil, nil, ErrMalformedHash
		}
	}
	if seen != 7 {
		return p, nil, nil, ErrMalformedHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key)) // #nosec G115 -- lengths of decoded fields of a stored hash, far below 4 GiB; check() bounds them to 1024 next
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}
