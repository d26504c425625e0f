package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/sessions"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// ModuleID is the ID of [Module].
const ModuleID = "auth"

// Collection names.
const (
	UsersCollection  = "auth_users"
	RolesCollection  = "auth_roles"
	TokensCollection = "auth_tokens" // #nosec G101 -- a collection name, not a credential
)

// Permissions the auth module defines.
const (
	PermUsersRead  = "auth.users.read"
	PermUsersWrite = "auth.users.write"
	PermRolesWrite = "auth.roles.write"
)

// Module is the auth module: users, roles, logins with cookie sessions and
// bearer tokens, and the middleware that puts the current user into the
// request context. Create it with [New]; it needs the store module.
type Module struct {
	// Out receives the output of the module's commands (default: the
	// application's Output).
	Out io.Writer
	// In is where commands read a password given with --password-stdin
	// (default os.Stdin).
	In io.Reader

	cfg      Config
	log      *slog.Logger
	app      *webos.App
	store    *store.DB // from the registry, set by Provision
	trusted  []netip.Prefix
	cookies  *sessions.CookieStore
	cop      *http.CrossOriginProtection
	throttle *loginThrottle
	hashSem  chan struct{}
	dummy    string // hash verified for unknown users

	mu     sync.RWMutex
	db     *store.DB
	users  *store.Collection[User]
	roles  *store.Collection[Role]
	tokens *store.Collection[Token]

	bus      *bus.Bus // the application's, set by Provision
	roleDefs *roleCache
	creds    *credCache
	// cookieSecrets maps recently decoded session cookie values to their
	// secrets.
	cookieSecrets *cookieCache

	stopJanitor context.CancelFunc
	janitorDone chan struct{}
}

var (
	_ webos.Module             = (*Module)(nil)
	_ webos.Provisioner        = (*Module)(nil)
	_ webos.Starter            = (*Module)(nil)
	_ webos.Stopper            = (*Module)(nil)
	_ webos.Dependent          = (*Module)(nil)
	_ webos.RouteProvider      = (*Module)(nil)
	_ webos.CommandProvider    = (*Module)(nil)
	_ webos.AuthorizerProvider = (*Module)(nil)
	_ webos.Subscriber         = (*Module)(nil)
	_ PermissionProvider       = (*Module)(nil)
)

// New returns the auth module configured by cfg (see [Config] for the
// defaults of zero fields).
func New(cfg Config) *Module {
	cfg = cfg.withDefaults()
	m := &Module{cfg: cfg, throttle: newLoginThrottle(cfg.Throttle), creds: newCredCache(cfg.CredentialCacheTTL, cfg.CredentialCacheSize),
		cookieSecrets: newCookieCache(cfg.CredentialCacheTTL, cfg.CredentialCacheSize)}
	roleTTL := cfg.CredentialCacheTTL
	if roleTTL <= 0 {
		roleTTL = defaultRoleTTL
	}
	m.roleDefs = &roleCache{load: m.loadRoles, now: m.now, ttl: roleTTL, log: func(ctx context.Context, err error) {
		if m.log != nil {
			m.log.WarnContext(ctx, "refreshing the roles failed; the cached ones stay in use", "err", err)
		}
	}}
	return m
}

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Accounts",
		Description: "Users, roles and permissions; sign-in with cookie sessions and API tokens.",
		Icon:        "🔐",
		Version:     "1.0.0",
		Prefix:      "/auth",
	}
}

// Requires names the store module.
func (m *Module) Requires() []string { return []string{store.ModuleID} }

// Permissions lists the permissions the auth module defines.
func (m *Module) Permissions() []Permission {
	return []Permission{
		{Name: PermUsersRead, Description: "See users, roles and permissions"},
		{Name: PermUsersWrite, Description: "Create users, change their roles, deactivate them"},
		{Name: PermRolesWrite, Description: "Create and change roles"},
	}
}

// Config returns the module's configuration with defaults applied.
func (m *Module) Config() Config { return m.cfg }

// Provision takes the database from the registry, registers the module
// there for others (registry.Get[*auth.Module]) and prepares cookie keys,
// the cross-origin check and the password hasher.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	m.app = app
	m.log = app.Logger().With("module", ModuleID)
	if m.Out == nil {
		m.Out = app.Output()
	}
	db, err := registry.Get[*store.DB](app.Registry())
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	m.store = db
	m.bus = app.Bus()
	registry.Register(app.Registry(), m)

	if err := m.cfg.check(); err != nil {
		return err
	}
	if err := m.cfg.Password.check(); err != nil {
		return err
	}
	trusted, err := parsePrefixes(m.cfg.TrustedProxies)
	if err != nil {
		return err
	}
	m.trusted = trusted

	secrets := app.Config().SecretKeys
	switch {
	case len(secrets) == 0:
		m.log.Warn("no WEBOS_SECRET_KEYS: using a random cookie key; sessions end when the process stops")
	case app.Config().Production():
		for i, s := range secrets {
			if len(s.Reveal()) < minSecretLen {
				return fmt.Errorf("auth: WEBOS_SECRET_KEYS: key %d is shorter than %d bytes", i+1, minSecretLen)
			}
		}
	}
	if m.cookies, err = newCookieStore(m.cfg, secrets); err != nil {
		return err
	}
	if m.cfg.InsecureCookies {
		m.log.Warn("insecure cookies (WEBOS_AUTH_INSECURE_COOKIES): the session cookie lacks the Secure flag; use this only for local http")
	}

	m.cop = http.NewCrossOriginProtection()
	for _, o := range m.cfg.TrustedOrigins {
		if err := m.cop.AddTrustedOrigin(o); err != nil {
			return fmt.Errorf("auth: trusted origin: %w", err)
		}
	}

	m.hashSem = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	if m.dummy, err = HashPassword(newPassword(), m.cfg.Password); err != nil {
		return err
	}
	return nil
}

// Start makes the collections and their indexes, creates the built-in roles
// and, on first run, the administrator.
func (m *Module) Start(ctx context.Context) error {
	db := m.store
	users := store.NewCollection[User](db, UsersCollection, store.Index{Keys: []string{"email"}, Unique: true})
	roles := store.NewCollection[Role](db, RolesCollection)
	tokens := store.NewCollection[Token](db, TokensCollection,
		store.Index{Keys: []string{"user_id"}}, store.Index{Keys: []string{"expires_at"}})
	for _, c := range []interface{ EnsureIndexes(context.Context) error }{users, roles, tokens} {
		if err := c.EnsureIndexes(ctx); err != nil {
			return err
		}
	}
	m.mu.Lock()
	m.db, m.users, m.roles, m.tokens = db, users, roles, tokens
	m.mu.Unlock()
	m.roleDefs.start()

	if err := m.seedRoles(ctx); err != nil {
		return err
	}
	if err := m.bootstrapAdmin(ctx); err != nil {
		return err
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.stopJanitor, m.janitorDone = cancel, make(chan struct{})
	go m.janitor(jctx)
	return nil
}

// Stop ends the background cleanup and the role queries in flight, and
// empties the caches.
func (m *Module) Stop(context.Context) error {
	if m.stopJanitor != nil {
		m.stopJanitor()
		<-m.janitorDone
		m.stopJanitor = nil
	}
	m.roleDefs.stop()
	m.creds.forgetAll()
	m.cookieSecrets.forget()
	m.mu.Lock()
	m.db, m.users, m.roles, m.tokens = nil, nil, nil, nil
	m.mu.Unlock()
	return nil
}

// colls returns the collections, or ErrNotStarted.
func (m *Module) colls() (users *store.Collection[User], roles *store.Collection[Role], tokens *store.Collection[Token], err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.users == nil {
		return nil, nil, nil, ErrNotStarted
	}
	return m.users, m.roles, m.tokens, nil
}

func (m *Module) now() time.Time { return m.cfg.Now().UTC() }

func (m *Module) seedRoles(ctx context.Context) error {
	_, roles, _, err := m.colls()
	if err != nil {
		return err
	}
	for _, r := range []Role{
		{Name: RoleAdmin, Description: "Administrators: every permission", Permissions: []string{Everything}},
		{Name: RoleUser, Description: "Every registered user", Permissions: []string{}},
	} {
		r.ID = r.Name
		if err := roles.Insert(ctx, &r); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}

// bootstrapAdmin creates the first administrator when there is no user.
func (m *Module) bootstrapAdmin(ctx context.Context) error {
	users, _, _, err := m.colls()
	if err != nil {
		return err
	}
	if mode := m.app.Mode(); mode != "" && mode != "serve" {
		return nil // a command such as "user create" sets up users itself
	}
	n, err := users.Count(ctx, store.Filter{})
	if err != nil || n > 0 {
		return err
	}
	pw := m.cfg.AdminPassword.Reveal()
	generated := pw == ""
	if generated {
		pw = newPassword()
	}
	u, err := m.CreateUser(ctx, NewUser{Email: m.cfg.AdminEmail, Password: pw, DisplayName: "Administrator", Roles: []string{RoleAdmin}})
	switch {
	case errors.Is(err, ErrEmailTaken):
		return nil // another instance was faster
	case err != nil:
		return fmt.Errorf("auth: first-run administrator (WEBOS_ADMIN_EMAIL, WEBOS_ADMIN_PASSWORD): %w", err)
	case generated:
		// The password goes to the console only, never into the log, whose
		// records may be kept, shipped or shown to log readers.
		m.log.Warn("first run: created the administrator with a one-time password, printed on the console once: sign in and change it now", "email", u.Email)
		fmt.Fprintf(m.Out, "\nWebOS first run: sign in as %s with the one-time password %s\n(shown only this once; change it after signing in)\n\n", u.Email, pw)
	default:
		m.log.Info("first run: created the administrator from WEBOS_ADMIN_EMAIL and WEBOS_ADMIN_PASSWORD", "email", u.Email)
	}
	return nil
}

// janitor deletes tokens that expired or were revoked a day ago and forgets
// idle throttle entries.
func (m *Module) janitor(ctx context.Context) {
	defer close(m.janitorDone)
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.janitorRound(ctx)
	}
}

// janitorRound runs one round of the janitor. A panic in it is logged and
// the janitor goes on: it must not take the process down.
func (m *Module) janitorRound(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			m.log.Error("auth: the token janitor panicked; it goes on", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	now := m.now()
	m.throttle.sweep(now)
	if _, err := m.PurgeTokens(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
		m.log.Warn("purging old tokens failed", "err", err)
	}
}

// PurgeTokens deletes the tokens that expired or were revoked before cutoff
// and returns how many. The module does it every ten minutes for tokens a
// day past their end.
func (m *Module) PurgeTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	_, _, tokens, err := m.colls()
	if err != nil {
		return 0, err
	}
	n, err := tokens.DeleteWhere(ctx, store.Or(store.Lt("expires_at", cutoff), store.Lt("revoked_at", cutoff)))
	if err != nil {
		return 0, fmt.Errorf("auth: purge tokens: %w", err)
	}
	return n, nil
}

// newPassword returns a random password of 24 characters.
func newPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PermissionCatalog lists the permissions every module of the application
// defines through [PermissionProvider], in module order.
func (m *Module) PermissionCatalog() []ModulePermission {
	var out []ModulePermission
	if m.app == nil {
		return out
	}
	for _, st := range m.app.Modules() {
		mod, ok := m.app.Module(st.ID)
		if !ok {
			continue
		}
		pp, ok := mod.(PermissionProvider)
		if !ok {
			continue
		}
		for _, p := range pp.Permissions() {
			out = append(out, ModulePermission{Permission: p, Module: st.ID})
		}
	}
	return out
}
