package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// A vault passphrase protects the data key a second time: the key record
// then holds the data key sealed (AES-256-GCM) under a key derived from
// the passphrase with Argon2id, and that sealed again under the master
// key. Rotation re-wraps the outer layer only, without the passphrase.
// Unlocking keeps the data key in the memory of the instance that
// unlocked it, for the user, until Lock or IdleLock without use; other
// instances ask for the passphrase again.

// Errors of the passphrase.
var (
	// ErrLocked: the vault is protected by a passphrase and locked (403).
	ErrLocked = fmt.Errorf("vault: %w: the vault is locked; unlock it with its passphrase", webos.ErrForbidden)
	// errWrongPassphrase is a passphrase that does not open the vault.
	errWrongPassphrase = webos.Invalid("passphrase", "is not the vault's passphrase")
)

// MinPassphraseLength is the shortest vault passphrase accepted.
const MinPassphraseLength = 10

// Wrong passphrases: after MaxUnlockFailures in a row, a user's next
// attempts on the instance wait UnlockPause — on top of Argon2id's own
// cost, which bounds guessing already.
const (
	MaxUnlockFailures = 5
	UnlockPause       = 30 * time.Second
)

type failures struct {
	n     int
	until time.Time
}

// checkThrottle refuses an unlock while the user's pause lasts.
func (m *Module) checkThrottle(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.failed[uid]
	if wait := time.Until(f.until); wait > 0 {
		return &webos.RetryAfterError{Err: fmt.Errorf("vault: %w: too many wrong passphrases; try again later", webos.ErrTooManyRequests), After: wait}
	}
	return nil
}

// noteUnlock counts a wrong passphrase, or forgets the count after a
// right one.
func (m *Module) noteUnlock(uid string, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failed == nil {
		m.failed = map[string]failures{}
	}
	if ok {
		delete(m.failed, uid)
		return
	}
	f := m.failed[uid]
	f.n++
	if f.n >= MaxUnlockFailures {
		f = failures{until: time.Now().Add(UnlockPause)}
	}
	m.failed[uid] = f
}

type kdfParams struct {
	Time    uint32 `bson:"time"`
	Memory  uint32 `bson:"memory"` // KiB
	Threads uint8  `bson:"threads"`
}

func passphraseAD(owner string) []byte { return []byte("webos-vault/passphrase/v1\x00" + owner) }

func (p kdfParams) key(passphrase string, salt []byte) ([]byte, error) {
	if p.Time == 0 || p.Time > 20 || p.Memory < 8*1024 || p.Memory > 1<<21 || p.Threads == 0 {
		return nil, errors.New("vault: stored Argon2id parameters out of range")
	}
	return argon2.IDKey([]byte(passphrase), salt, p.Time, p.Memory, p.Threads, KeySize), nil
}

// LockState says whether the user's vault has a passphrase and is locked.
type LockState struct {
	Protected bool `json:"protected"`
	Locked    bool `json:"locked"`
	// IdleSeconds is how long an unlocked vault stays open unused.
	IdleSeconds int `json:"idle_seconds"`
}

// LockState reports on the user's vault.
func (m *Module) LockState(ctx context.Context) (LockState, error) {
	uid := identity.ID(ctx)
	if uid == "" {
		return LockState{}, store.ErrNoUser
	}
	rec, err := m.keyRecord(ctx, uid)
	if err != nil {
		return LockState{}, err
	}
	st := LockState{Protected: rec.Protected, IdleSeconds: int(m.cfg.IdleLock.Seconds())}
	st.Locked = rec.Protected && m.cached(uid) == nil
	return st, nil
}

// rawKey returns the user's raw data key from rec, with the passphrase
// when rec is protected.
func (m *Module) rawKey(ctx context.Context, uid string, rec *keyRecord, passphrase string) ([]byte, error) {
	inner, err := m.unwrapRecord(ctx, uid, rec)
	if err != nil {
		return nil, err
	}
	if !rec.Protected {
		if len(inner) != KeySize {
			return nil, ErrSealed
		}
		return inner, nil
	}
	kek, err := rec.KDF.key(passphrase, rec.Salt)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	raw, err := open(aead, inner, passphraseAD(uid))
	if err != nil || len(raw) != KeySize {
		return nil, errWrongPassphrase
	}
	return raw, nil
}

// Unlock opens the user's vault with its passphrase until [Module.Lock]
// or IdleLock without use. A vault without a passphrase is always open.
func (m *Module) Unlock(ctx context.Context, passphrase string) error {
	uid := identity.ID(ctx)
	if uid == "" {
		return store.ErrNoUser
	}
	rec, err := m.keyRecord(ctx, uid)
	if err != nil || !rec.Protected {
		return err
	}
	if err := m.checkThrottle(uid); err != nil {
		return err
	}
	raw, err := m.rawKey(ctx, uid, rec, passphrase)
	if errors.Is(err, errWrongPassphrase) {
		m.noteUnlock(uid, false)
	}
	if err != nil {
		return err
	}
	m.noteUnlock(uid, true)
	defer clear(raw)
	k, err := newDataKey(raw)
	if err != nil {
		return err
	}
	m.remember(uid, k, true)
	return nil
}

// Lock closes the user's vault on this instance. Without a passphrase it
// opens again on the next use.
func (m *Module) Lock(ctx context.Context) error {
	uid := identity.ID(ctx)
	if uid == "" {
		return store.ErrNoUser
	}
	m.forget(uid)
	return nil
}

// SetPassphrase protects the user's vault with passphrase, changes it, or
// — with passphrase "" — removes it. A vault that has one needs the
// current one. The entries are not touched: only the data key is wrapped
// anew. The vault is unlocked afterwards.
func (m *Module) SetPassphrase(ctx context.Context, current, passphrase string) error {
	uid := identity.ID(ctx)
	if uid == "" {
		return store.ErrNoUser
	}
	if passphrase != "" && len([]rune(passphrase)) < MinPassphraseLength {
		return webos.Invalid("new", fmt.Sprintf("must be at least %d characters", MinPassphraseLength))
	}
	if len(passphrase) > 1024 {
		return webos.Invalid("new", "must be at most 1024 bytes")
	}
	rec, err := m.keyRecord(ctx, uid)
	if err != nil {
		return err
	}
	if rec.Protected {
		if err := m.checkThrottle(uid); err != nil {
			return err
		}
	}
	raw, err := m.rawKey(ctx, uid, rec, current)
	if errors.Is(err, errWrongPassphrase) {
		m.noteUnlock(uid, false)
		return webos.Invalid("current", "is not the vault's passphrase")
	}
	if err != nil {
		return err
	}
	defer clear(raw)
	inner := raw
	var salt []byte
	kdf := kdfParams{}
	if passphrase != "" {
		salt = make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		kdf = kdfParams{Time: m.cfg.KDFTime, Memory: m.cfg.KDFMemoryKiB, Threads: 2}
		kek, err := kdf.key(passphrase, salt)
		if err != nil {
			return err
		}
		aead, err := newGCM(kek)
		clear(kek)
		if err != nil {
			return err
		}
		if inner, err = seal(aead, raw, passphraseAD(uid)); err != nil {
			return err
		}
	}
	id, wrapped, err := m.keys.wrap(uid, inner)
	if err != nil {
		return err
	}
	ups := []store.Update{store.Set("key_id", id), store.Set("wrapped", wrapped), store.Set("protected", passphrase != ""), store.Set("kdf", kdf)}
	if salt != nil {
		ups = append(ups, store.Set("salt", salt))
	} else {
		ups = append(ups, store.Unset("salt"))
	}
	if _, err := m.keyrings.Update(ctx, rec.ID, ups...); err != nil {
		return err
	}
	k, err := newDataKey(raw)
	if err != nil {
		return err
	}
	m.remember(uid, k, passphrase != "")
	return nil
}
