package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// Permissions of the module. PermUse is the module's permission, declared
// once in its ModuleInfo and inherited by its routes, card, menu entry and
// palette commands.
const (
	// PermUse lets a user keep a vault of their own.
	PermUse = "vault.use"
	// PermRotate lets an administrator re-wrap every data key under the
	// newest master key (the "vault.rotate" task).
	PermRotate = "vault.rotate"
)

// TaskRotate is the type name of the key rotation task.
const TaskRotate = "vault.rotate"

// Config is the vault's configuration, read by [LoadConfig] from WEBOS_*
// variables.
type Config struct {
	// MasterKeys wrap the users' data keys: comma-separated, newest first,
	// each 32 bytes as 64 hex digits or base64 (see [GenerateMasterKey]).
	// The newest wraps new data keys; the others still open what they
	// wrapped until the rotation task has re-wrapped it. Empty outside
	// production: a key is made once and kept in vault-master.key in the
	// data folder (readable by its owner only), which a database dump does
	// not contain but a copy of the data folder does. Production refuses to
	// start without keys.
	MasterKeys []webos.Secret `env:"VAULT_MASTER_KEYS"`
	// BreachURL is the base URL of a Have I Been Pwned style range API
	// ("https://api.pwnedpasswords.com/range/"); empty turns the breach
	// check off.
	BreachURL string `env:"VAULT_BREACH_URL" validate:"omitempty,url"`
	// BreachCacheTTL is how long a fetched range is kept (default 24 h).
	BreachCacheTTL time.Duration `env:"VAULT_BREACH_CACHE_TTL" envDefault:"24h" validate:"gte=0"`
	// MaxPasswordAge is the age from which the health report calls a
	// password old (default 365 days).
	MaxPasswordAge time.Duration `env:"VAULT_MAX_PASSWORD_AGE" envDefault:"8760h" validate:"gte=0"`
	// KeyCacheTTL is how long an unwrapped data key stays in memory
	// (default 5 min; negative: unwrap on every call).
	KeyCacheTTL time.Duration `env:"VAULT_KEY_CACHE_TTL" envDefault:"5m"`
	// IdleLock is how long a vault protected by a passphrase stays
	// unlocked without being used (default 10 min).
	IdleLock time.Duration `env:"VAULT_IDLE_LOCK" envDefault:"10m" validate:"gte=0"`
	// KDFMemoryKiB and KDFTime are the Argon2id cost of new passphrases
	// (default 64 MiB, 3 passes; 2 lanes).
	KDFMemoryKiB uint32 `env:"VAULT_KDF_MEMORY_KIB" envDefault:"65536"`
	KDFTime      uint32 `env:"VAULT_KDF_TIME" envDefault:"3"`
}

// LoadConfig reads a Config from the environment and .env files, as
// [webos.Load] does.
func LoadConfig(envFiles ...string) (Config, error) {
	var c Config
	if err := webos.Load(&c, envFiles...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Module is the vault. Make it with [New].
type Module struct {
	cfg      Config
	keys     *Keyring
	entries  *store.Owned[Entry]
	keyrings *store.Owned[keyRecord]
	shell    *ui.Module
	log      *slog.Logger
	prefix   string
	rotate   *tasks.Def[RotateParams]
	breach   *breachChecker

	mu     sync.Mutex
	cache  map[string]cachedKey // user id → unwrapped data key
	failed map[string]failures  // user id → wrong passphrases in a row
}

type cachedKey struct {
	key       *dataKey
	expires   time.Time
	protected bool // by a passphrase: expires after IdleLock without use
}

// keyRecord is a user's data key, wrapped by a master key. One per user.
type keyRecord struct {
	store.Doc `bson:",inline"`
	// KeyID is the fingerprint of the master key that wrapped it.
	KeyID string `bson:"key_id"`
	// Wrapped is the data key sealed with AES-256-GCM under that master
	// key, with the owner's id as associated data — sealed first under the
	// owner's passphrase when Protected.
	Wrapped []byte `bson:"wrapped"`
	// Protected says that a passphrase protects the data key too.
	Protected bool `bson:"protected"`
	// Salt and KDF are the Argon2id salt and parameters of the passphrase.
	Salt []byte    `bson:"salt,omitempty"`
	KDF  kdfParams `bson:"kdf"`
}

// New returns the vault module for cfg.
func New(cfg Config) *Module {
	if cfg.BreachCacheTTL == 0 {
		cfg.BreachCacheTTL = 24 * time.Hour
	}
	if cfg.MaxPasswordAge == 0 {
		cfg.MaxPasswordAge = 365 * 24 * time.Hour
	}
	if cfg.KeyCacheTTL == 0 {
		cfg.KeyCacheTTL = 5 * time.Minute
	}
	if cfg.IdleLock <= 0 {
		cfg.IdleLock = 10 * time.Minute
	}
	if cfg.KDFMemoryKiB < 8*1024 {
		cfg.KDFMemoryKiB = 64 * 1024
	}
	if cfg.KDFTime == 0 {
		cfg.KDFTime = 3
	}
	m := &Module{cfg: cfg, cache: map[string]cachedKey{}, log: slog.Default()}
	m.rotate = tasks.Define(TaskRotate, m.runRotate, tasks.Expose(PermRotate), tasks.MaxRetry(3), tasks.Timeout(time.Hour))
	if cfg.BreachURL != "" {
		m.breach = newBreachChecker(cfg.BreachURL, cfg.BreachCacheTTL)
	}
	return m
}

// ModuleInfo describes the module; its routes live under /vault.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "vault", Name: "Vault", Description: "Your passwords, encrypted; only you can open them.",
		Icon: "lock", Version: "1.0.0", Permission: PermUse}
}

// Requires the database, the shell and the tasks module.
func (m *Module) Requires() []string { return []string{store.ModuleID, ui.ModuleID, tasks.ModuleID} }

// Permissions lists the module's permissions for the admin console.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{
		{Name: PermUse, Description: "Keep one's own password vault"},
		{Name: PermRotate, Description: "Re-wrap every vault's data key under the newest master key"},
	}
}

// Tasks hands the rotation task to the tasks module.
func (m *Module) Tasks() []tasks.Definition { return []tasks.Definition{m.rotate} }

// Provision reads the master keys and makes the owner-scoped collections.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return err
	}
	if m.shell, err = registry.Get[*ui.Module](app.Registry()); err != nil {
		return err
	}
	m.log = app.Logger().With("module", "vault")
	secrets := m.cfg.MasterKeys
	if len(secrets) == 0 {
		if app.Config().Production() {
			return errors.New("vault: WEBOS_VAULT_MASTER_KEYS is required in production")
		}
		s, err := devMasterKey(app.Config().DataDir)
		if err != nil {
			return err
		}
		m.log.Warn("vault: no WEBOS_VAULT_MASTER_KEYS; using the development key in the data folder")
		secrets = []webos.Secret{s}
	}
	if m.keys, err = ParseKeyring(secrets); err != nil {
		return fmt.Errorf("vault: WEBOS_VAULT_MASTER_KEYS: %w", err)
	}
	m.entries = store.NewOwned[Entry](db, "vault_entries",
		store.Index{Keys: []string{"created_by", "title"}},
		store.Index{Keys: []string{"created_by", "-updated_at"}})
	m.keyrings = store.NewOwned[keyRecord](db, "vault_keys",
		store.Index{Keys: []string{"created_by"}, Unique: true},
		store.Index{Keys: []string{"key_id"}})
	if err := m.entries.EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := m.keyrings.EnsureIndexes(ctx); err != nil {
		return err
	}
	return nil
}

// devMasterKey reads, or makes once, the development master key in dir.
func devMasterKey(dir string) (webos.Secret, error) {
	if dir == "" {
		return GenerateMasterKey(), nil
	}
	name := filepath.Join(dir, "vault-master.key")
	b, err := os.ReadFile(name) //nolint:gosec // the application's own data folder
	if err == nil {
		return webos.Secret(strings.TrimSpace(string(b))), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("vault: development key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	s := GenerateMasterKey()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // as above
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return devMasterKey(dir)
		}
		return "", err
	}
	if _, err := f.WriteString(s.Reveal() + "\n"); err != nil {
		_ = f.Close()
		return "", err
	}
	return s, f.Close()
}

// dataKey returns the data key of the user in ctx, made and wrapped on
// first use. A vault protected by a passphrase opens only while it is
// unlocked ([Module.Unlock]); otherwise it is [ErrLocked].
func (m *Module) dataKey(ctx context.Context) (*dataKey, error) {
	if m.keys == nil {
		return nil, errors.New("vault: not provisioned")
	}
	uid := identity.ID(ctx)
	if uid == "" {
		return nil, store.ErrNoUser
	}
	if k := m.cached(uid); k != nil {
		return k, nil
	}
	rec, err := m.keyRecord(ctx, uid)
	if err != nil {
		return nil, err
	}
	if rec.Protected {
		return nil, ErrLocked
	}
	raw, err := m.unwrapRecord(ctx, uid, rec)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	if len(raw) != KeySize {
		return nil, ErrSealed
	}
	k, err := newDataKey(raw)
	if err != nil {
		return nil, err
	}
	if m.cfg.KeyCacheTTL > 0 {
		m.remember(uid, k, false)
	}
	return k, nil
}

// cached returns the user's unwrapped data key from memory, nil when it
// is not there or has expired; using the key of a protected vault keeps
// it unlocked for IdleLock more.
func (m *Module) cached(uid string) *dataKey {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cache[uid]
	now := time.Now()
	if !ok {
		return nil
	}
	if !now.Before(c.expires) {
		delete(m.cache, uid)
		return nil
	}
	if c.protected {
		c.expires = now.Add(m.cfg.IdleLock)
		m.cache[uid] = c
	}
	return c.key
}

func (m *Module) remember(uid string, k *dataKey, protected bool) {
	ttl := m.cfg.KeyCacheTTL
	if protected {
		ttl = m.cfg.IdleLock
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if len(m.cache) > 10000 {
		for id, c := range m.cache {
			if !now.Before(c.expires) {
				delete(m.cache, id)
			}
		}
	}
	m.cache[uid] = cachedKey{key: k, expires: now.Add(ttl), protected: protected}
}

func (m *Module) forget(uid string) {
	m.mu.Lock()
	delete(m.cache, uid)
	m.mu.Unlock()
}

// keyRecord returns the user's key record, making one on first use.
func (m *Module) keyRecord(ctx context.Context, uid string) (*keyRecord, error) {
	rec, err := m.keyrings.FindOne(ctx, store.Filter{})
	if errors.Is(err, store.ErrNotFound) {
		rec, err = m.newKeyRecord(ctx, uid)
	}
	return rec, err
}

// unwrapRecord opens the master key's layer of rec.
func (m *Module) unwrapRecord(ctx context.Context, uid string, rec *keyRecord) ([]byte, error) {
	raw, err := m.keys.unwrap(uid, rec.KeyID, rec.Wrapped)
	if err != nil {
		m.log.ErrorContext(ctx, "vault: a data key does not open", "key_id", rec.KeyID)
		return nil, fmt.Errorf("vault: the vault's key does not open: %w", ErrSealed)
	}
	return raw, nil
}

// newKeyRecord makes the user's data key; when a concurrent request made
// one first, that one is returned.
func (m *Module) newKeyRecord(ctx context.Context, uid string) (*keyRecord, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	id, wrapped, err := m.keys.wrap(uid, raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	rec := &keyRecord{KeyID: id, Wrapped: wrapped}
	if err := m.keyrings.Insert(ctx, rec); errors.Is(err, store.ErrConflict) {
		return m.keyrings.FindOne(ctx, store.Filter{})
	} else if err != nil {
		return nil, err
	}
	return rec, nil
}

// Create stores a new entry for the user in ctx.
func (m *Module) Create(ctx context.Context, in Input) (*Entry, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	k, err := m.dataKey(ctx)
	if err != nil {
		return nil, err
	}
	e := &Entry{}
	secrets := in.apply(e)
	if secrets[FieldPassword] != "" {
		e.PasswordChangedAt = time.Now().UTC().Truncate(time.Millisecond)
		if !in.changedAt.IsZero() && in.changedAt.Before(e.PasswordChangedAt) {
			e.PasswordChangedAt = in.changedAt.UTC().Truncate(time.Millisecond)
		}
	}
	e.pending = &pending{key: k, secrets: secrets}
	e.Sealed = map[string][]byte{}
	e.Secrets = []string{}
	if err := m.entries.Insert(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Get returns the user's entry with the given id, its secrets sealed.
func (m *Module) Get(ctx context.Context, id string) (*Entry, error) {
	return m.entries.Get(ctx, id)
}

// Update changes the user's entry with the given id.
func (m *Module) Update(ctx context.Context, id string, in Input) (*Entry, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	k, err := m.dataKey(ctx)
	if err != nil {
		return nil, err
	}
	e, err := m.entries.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	secrets := in.apply(e)
	if p, ok := secrets[FieldPassword]; ok {
		old, _ := m.open(k, e, FieldPassword)
		if p == "" {
			e.PasswordChangedAt = time.Time{}
		} else if p != old {
			e.PasswordChangedAt = time.Now().UTC().Truncate(time.Millisecond)
		}
	}
	if err := e.sealAll(k, secrets); err != nil {
		return nil, err
	}
	if err := m.entries.Replace(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Delete removes the user's entry with the given id.
func (m *Module) Delete(ctx context.Context, id string) error { return m.entries.Delete(ctx, id) }

// Count returns how many entries the user keeps.
func (m *Module) Count(ctx context.Context) (int64, error) {
	return m.entries.Count(ctx, store.Filter{})
}

// Reveal opens the secret field name of the user's entry id. An entry of
// another user is [store.ErrNotFound]; a ciphertext that was changed or
// moved is [ErrSealed].
func (m *Module) Reveal(ctx context.Context, id, name string) (string, error) {
	k, err := m.dataKey(ctx)
	if err != nil {
		return "", err
	}
	e, err := m.entries.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return m.open(k, e, name)
}

func (m *Module) open(k *dataKey, e *Entry, name string) (string, error) {
	ct, ok := e.Sealed[name]
	if !ok {
		return "", fmt.Errorf("%w: %w", webos.ErrNotFound, errNoSecret)
	}
	v, err := k.openField(e.ID, name, ct)
	if err != nil {
		m.log.Error("vault: a sealed field does not open", "entry", e.ID, "field", name)
		return "", err
	}
	return v, nil
}

// Code returns the current TOTP code of the user's entry id and how long
// it stays valid.
func (m *Module) Code(ctx context.Context, id string, now time.Time) (code string, remaining, period time.Duration, err error) {
	s, err := m.Reveal(ctx, id, FieldTOTP)
	if err != nil {
		return "", 0, 0, err
	}
	k, err := ParseTOTP(s)
	if err != nil {
		return "", 0, 0, err
	}
	code, remaining = k.Code(now)
	return code, remaining, k.period(), nil
}

// ListOptions select and order the entries [Module.List] returns.
type ListOptions struct {
	// Query matches the title and the URLs, ignoring case.
	Query string `json:"q" validate:"max=200"`
	// Folder, when set, keeps the entries of that folder.
	Folder string `json:"folder" validate:"max=100"`
	// Tag, when set, keeps the entries with that tag.
	Tag string `json:"tag" validate:"max=50"`
	// Favorites keeps the favourites only.
	Favorites bool `json:"favorites"`
	// After is the cursor of the next page.
	After string `json:"after" validate:"max=500"`
	// Limit is the page size (default 50, at most 1,000).
	Limit int `json:"limit" validate:"min=0,max=1000"`
}

// List returns a page of the user's entries, by title.
func (m *Module) List(ctx context.Context, o ListOptions) (*store.Page[Entry], error) {
	if err := webos.Validate(&o); err != nil {
		return nil, err
	}
	var where []store.Filter
	if q := strings.TrimSpace(o.Query); q != "" {
		where = append(where, store.Contains("search", strings.ToLower(q)))
	}
	if o.Folder != "" {
		where = append(where, store.Eq("folder", o.Folder))
	}
	if o.Tag != "" {
		where = append(where, store.Eq("tags", strings.ToLower(o.Tag)))
	}
	if o.Favorites {
		where = append(where, store.Eq("favorite", true))
	}
	limit := o.Limit
	if limit == 0 {
		limit = 50
	}
	return m.entries.Page(ctx, store.Query{Where: store.And(where...), Sort: []string{"title"}, Limit: limit, After: o.After, Fields: listFields})
}

// listFields are the fields a list reads: everything but the ciphertexts
// and the password's keyed hash, which a list never needs.
var listFields = []string{"title", "username", "urls", "folder", "tags", "favorite", "fields", "secrets", "password_changed_at",
	store.FieldCreatedAt, store.FieldUpdatedAt, store.FieldCreatedBy, store.FieldUpdatedBy}

// all calls fn for every entry of the user, page by page.
func (m *Module) all(ctx context.Context, fn func(*Entry) error) error {
	after := ""
	for {
		p, err := m.entries.Page(ctx, store.Query{Sort: []string{"title"}, Limit: 500, After: after})
		if err != nil {
			return err
		}
		for i := range p.Items {
			if err := fn(&p.Items[i]); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		after = p.Next
	}
}

// Folders returns the user's folders and tags, sorted.
func (m *Module) Folders(ctx context.Context) (folders, tags []string, err error) {
	fs, ts := map[string]bool{}, map[string]bool{}
	err = m.all(ctx, func(e *Entry) error {
		if e.Folder != "" {
			fs[e.Folder] = true
		}
		for _, t := range e.Tags {
			ts[t] = true
		}
		return nil
	})
	return sortedKeys(fs), sortedKeys(ts), err
}
