package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/webos-go/webos"
)

// KeySize is the size in bytes of master keys and data keys (AES-256).
const KeySize = 32

// ErrSealed is the error of opening a sealed value that does not open:
// the wrong key, a changed ciphertext, or a ciphertext that belongs to
// another entry, field or user. It says nothing about the value.
var ErrSealed = errors.New("vault: sealed value does not open")

// Sealed values start with a version byte; the nonce and the AES-GCM
// ciphertext with its tag follow.
const sealVersion = 1

// gcmNonceSize is the size of AES-GCM's standard nonce.
const gcmNonceSize = 12

// seal encrypts plain under aead with a fresh random nonce and ad as
// associated data.
func seal(aead cipher.AEAD, plain, ad []byte) ([]byte, error) {
	out := make([]byte, 1+gcmNonceSize, 1+gcmNonceSize+len(plain)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+gcmNonceSize]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:1+gcmNonceSize], plain, ad), nil
}

// open reverses seal; anything wrong is ErrSealed.
func open(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < 1+gcmNonceSize+aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+gcmNonceSize], sealed[1+gcmNonceSize:], ad)
	if err != nil {
		return nil, ErrSealed
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("vault: a key must be %d bytes, not %d", KeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// derive returns HMAC-SHA256(key, label): a subkey for one purpose.
func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// MasterKey is one key-encryption key from the configuration. Its ID, a
// fingerprint that reveals nothing of the key, is stored with every data
// key it wraps.
type MasterKey struct {
	id   string
	aead cipher.AEAD
}

// ID returns the key's fingerprint: 16 hex digits.
func (k *MasterKey) ID() string { return k.id }

// NewMasterKey returns the master key with the given 32 bytes.
func NewMasterKey(key []byte) (*MasterKey, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &MasterKey{id: hex.EncodeToString(derive(key, "webos-vault/master-key-id")[:8]), aead: aead}, nil
}

// ParseMasterKey reads a master key written as 64 hex digits or as the
// base64 (standard or URL alphabet, padded or not) of 32 bytes. The error
// never repeats the input.
func ParseMasterKey(s webos.Secret) (*MasterKey, error) {
	v := strings.TrimSpace(s.Reveal())
	var b []byte
	if len(v) == 2*KeySize {
		b, _ = hex.DecodeString(v)
	}
	if b == nil {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if d, err := enc.DecodeString(v); err == nil {
				b = d
				break
			}
		}
	}
	if len(b) != KeySize {
		return nil, fmt.Errorf("vault: a master key must be %d bytes as 64 hex digits or base64", KeySize)
	}
	return NewMasterKey(b)
}

// GenerateMasterKey returns a new random master key in the base64 form
// [ParseMasterKey] reads, for WEBOS_VAULT_MASTER_KEYS.
func GenerateMasterKey() webos.Secret {
	b := make([]byte, KeySize)
	_, _ = rand.Read(b)
	return webos.Secret(base64.StdEncoding.EncodeToString(b))
}

// Keyring holds the master keys, newest first. The newest wraps new data
// keys; the others only unwrap, until rotation has re-wrapped everything
// they wrapped. The zero Keyring has no key and refuses every operation.
type Keyring struct {
	keys []*MasterKey
}

// NewKeyring returns a keyring of the given master keys, newest first.
// Two keys with one fingerprint are an error.
func NewKeyring(keys ...*MasterKey) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("vault: no master key")
	}
	seen := map[string]bool{}
	for i, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("vault: master key %d is nil", i+1)
		}
		if seen[k.id] {
			return nil, fmt.Errorf("vault: master key %d is listed twice", i+1)
		}
		seen[k.id] = true
	}
	return &Keyring{keys: keys}, nil
}

// ParseKeyring reads master keys as [ParseMasterKey] does, newest first.
func ParseKeyring(secrets []webos.Secret) (*Keyring, error) {
	keys := make([]*MasterKey, 0, len(secrets))
	for i, s := range secrets {
		k, err := ParseMasterKey(s)
		if err != nil {
			return nil, fmt.Errorf("master key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return NewKeyring(keys...)
}

// Current returns the fingerprint of the newest key, "" for the zero
// Keyring.
func (r *Keyring) Current() string {
	if r == nil || len(r.keys) == 0 {
		return ""
	}
	return r.keys[0].id
}

// IDs returns the fingerprints of the keys, newest first.
func (r *Keyring) IDs() []string {
	if r == nil {
		return nil
	}
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.id
	}
	return ids
}

func (r *Keyring) find(id string) *MasterKey {
	if r == nil {
		return nil
	}
	for _, k := range r.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// wrapAD binds a wrapped data key to its owner, so that a keyring copied
// to another user's record does not open.
func wrapAD(owner string) []byte { return []byte("webos-vault/data-key/v1\x00" + owner) }

// wrap seals dataKey for owner under the newest master key and returns
// the key's fingerprint with the sealed key.
func (r *Keyring) wrap(owner string, dataKey []byte) (keyID string, wrapped []byte, err error) {
	if r == nil || len(r.keys) == 0 {
		return "", nil, errors.New("vault: no master key")
	}
	k := r.keys[0]
	wrapped, err = seal(k.aead, dataKey, wrapAD(owner))
	return k.id, wrapped, err
}

// unwrap opens what wrap sealed under the master key keyID: a data key,
// or one sealed again under a passphrase (see lock.go). A key the ring no
// longer has, or a wrapped key that does not open, is ErrSealed.
func (r *Keyring) unwrap(owner, keyID string, wrapped []byte) ([]byte, error) {
	k := r.find(keyID)
	if k == nil {
		return nil, fmt.Errorf("%w: master key %s is not configured", ErrSealed, keyID)
	}
	return open(k.aead, wrapped, wrapAD(owner))
}

// dataKey is one user's unwrapped data key, ready to seal and open.
type dataKey struct {
	aead   cipher.AEAD
	health []byte // HMAC key of password fingerprints
}

func newDataKey(raw []byte) (*dataKey, error) {
	aead, err := newGCM(derive(raw, "webos-vault/fields"))
	if err != nil {
		return nil, err
	}
	return &dataKey{aead: aead, health: derive(raw, "webos-vault/health")}, nil
}

// fieldAD is the associated data of a sealed field: the entry's id and the
// field's name, so that a ciphertext moved to another entry or field does
// not open.
func fieldAD(entryID, field string) []byte {
	return []byte("webos-vault/field/v1\x00" + entryID + "\x00" + field)
}

func (k *dataKey) sealField(entryID, field, value string) ([]byte, error) {
	return seal(k.aead, []byte(value), fieldAD(entryID, field))
}

func (k *dataKey) openField(entryID, field string, sealed []byte) (string, error) {
	b, err := open(k.aead, sealed, fieldAD(entryID, field))
	return string(b), err
}

// fingerprint is the keyed hash of a password that the health report
// compares to find reuse: equal passwords of one user have equal
// fingerprints, and without the user's data key nothing can be learnt
// from one.
func (k *dataKey) fingerprint(password string) string {
	m := hmac.New(sha256.New, k.health)
	m.Write([]byte(password))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
