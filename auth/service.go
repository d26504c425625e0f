package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// NewUser is what [Module.CreateUser] needs to create a user.
type NewUser struct {
	Email       string
	Password    string
	DisplayName string
	// Roles are the user's roles; nil means the configured default roles.
	Roles []string
	// Inactive creates the user deactivated.
	Inactive bool
}

// hash runs fn while holding one of a bounded number of hashing slots, so
// that a burst of logins cannot allocate argon2's memory without bound.
func (m *Module) hash(ctx context.Context, fn func()) error {
	select {
	case m.hashSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-m.hashSem }()
	fn()
	return nil
}

func (m *Module) hashPassword(ctx context.Context, pw string) (h string, err error) {
	if herr := m.hash(ctx, func() { h, err = HashPassword(pw, m.cfg.Password) }); herr != nil {
		return "", herr
	}
	return h, err
}

func (m *Module) verifyPassword(ctx context.Context, pw, encoded string) (ok bool, err error) {
	if herr := m.hash(ctx, func() { ok, err = VerifyPassword(pw, encoded) }); herr != nil {
		return false, herr
	}
	return ok, err
}

// CreateUser validates nu and stores a new user. Invalid fields are a
// *webos.ValidationError naming them ("email", "password",
// "display_name", "roles"); a taken e-mail address is [ErrEmailTaken].
func (m *Module) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	users, _, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	email := NormalizeEmail(nu.Email)
	f := fields{}
	f.check("email", checkEmail(email))
	f.check("password", checkPassword(nu.Password, m.cfg.MinPasswordLength))
	f.check("display_name", checkDisplayName(nu.DisplayName))
	roles := nu.Roles
	if roles == nil {
		roles = m.cfg.DefaultRoles
	}
	if len(f) == 0 {
		f.check("roles", m.checkRoles(ctx, roles))
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	h, err := m.hashPassword(ctx, nu.Password)
	if err != nil {
		return nil, err
	}
	u := &User{
		Email:        email,
		DisplayName:  nu.DisplayName,
		PasswordHash: h,
		Roles:        slices.Clone(roles),
		Active:       !nu.Inactive,
		Version:      1,
	}
	u.ID = bson.NewObjectID().Hex()
	if _, ok := identity.From(ctx); !ok {
		// Self-registration and first run: the user creates itself.
		ctx = identity.With(ctx, identity.Subject(u.ID))
	}
	if err := users.Insert(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, ErrEmailTaken
		}
		return nil, err
	}
	m.record(ctx, ActionUserCreate, "user:"+u.ID, nil, stateOf(u))
	return u, nil
}

// checkRoles returns a problem when a role does not exist.
func (m *Module) checkRoles(ctx context.Context, roles []string) string {
	known, err := m.rolePermissions(ctx)
	if err != nil {
		return "cannot be checked now"
	}
	for _, r := range roles {
		if _, ok := known[r]; !ok {
			return fmt.Sprintf("unknown role %q", r)
		}
	}
	return ""
}

// User returns the user with the given id, its Permissions resolved from
// its roles, or [ErrUserNotFound].
func (m *Module) User(ctx context.Context, id string) (*User, error) {
	users, _, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	u, err := users.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUserNotFound
	}
	if err != nil {
		return nil, err
	}
	return u, m.resolve(ctx, u)
}

// UserByEmail returns the user with the given e-mail address (compared
// case-insensitively), or [ErrUserNotFound].
func (m *Module) UserByEmail(ctx context.Context, email string) (*User, error) {
	users, _, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	u, err := users.FindOne(ctx, store.Eq("email", NormalizeEmail(email)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUserNotFound
	}
	if err != nil {
		return nil, err
	}
	return u, m.resolve(ctx, u)
}

// Users lists users ordered by e-mail address.
func (m *Module) Users(ctx context.Context, skip, limit int64) ([]User, error) {
	users, _, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	return users.Find(ctx, store.Query{Sort: []string{"email"}, Skip: int(skip), Limit: int(limit)})
}

// SetPassword replaces the user's password. Every session and token of the
// user stops working. A password that is too short is a
// *webos.ValidationError for the field "password".
func (m *Module) SetPassword(ctx context.Context, userID, password string) error {
	if p := checkPassword(password, m.cfg.MinPasswordLength); p != "" {
		return webos.Invalid("password", p)
	}
	h, err := m.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return m.changeUser(ctx, userID, ActionUserPassword, nil, store.Set("password_hash", h), store.Inc("version", 1))
}

// SetActive activates or deactivates the user. Deactivation ends every
// session and token of the user at once; reactivation does not revive them.
func (m *Module) SetActive(ctx context.Context, userID string, active bool) error {
	ups := []store.Update{store.Set("active", active)}
	if !active {
		ups = append(ups, store.Inc("version", 1))
	}
	return m.changeUser(ctx, userID, ActionUserUpdate, func(u *User) error {
		return m.keepsAnAdmin(ctx, u, u.Roles, active)
	}, ups...)
}

// SetRoles replaces the user's roles; each must exist.
func (m *Module) SetRoles(ctx context.Context, userID string, roles []string) error {
	if p := m.checkRoles(ctx, roles); p != "" {
		return webos.Invalid("roles", p)
	}
	return m.changeUser(ctx, userID, ActionUserUpdate, func(u *User) error {
		return m.keepsAnAdmin(ctx, u, roles, u.Active)
	}, store.Set("roles", slices.Clone(roles)))
}

// SetDisplayName changes the user's display name.
func (m *Module) SetDisplayName(ctx context.Context, userID, name string) error {
	if p := checkDisplayName(name); p != "" {
		return webos.Invalid("display_name", p)
	}
	return m.changeUser(ctx, userID, ActionUserUpdate, nil, store.Set("display_name", name))
}

// DeleteUser removes the user's account for good: their sessions and API
// tokens are deleted and stop working on every instance at once, and the
// deletion is announced to the audit trail with what the account was. The
// last active administrator cannot be deleted ([ErrLastAdmin]); an unknown
// id is [ErrUserNotFound].
//
// What the user owns in other modules' collections (their notes, files,
// tasks' results…) is kept, under the deleted user's id: nobody reaches
// it through owner-scoped collections any more, so a mistaken deletion
// loses nothing, and a module that wants to purge or hand over such data
// does so on the audit trail's [ActionUserDelete] event, whose target is
// "user:<id>".
func (m *Module) DeleteUser(ctx context.Context, userID string) error {
	users, _, tokens, err := m.colls()
	if err != nil {
		return err
	}
	u, err := users.Get(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUserNotFound
	}
	if err != nil {
		return err
	}
	if err := m.keepsAnAdmin(ctx, u, nil, false); err != nil {
		return err
	}
	// The account first: a token whose user is gone authenticates no one,
	// so a failure between the two steps leaves nothing usable.
	if err := users.Delete(ctx, userID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		}
		return err
	}
	m.changed(ctx, CredentialsChanged{UserID: userID})
	if _, err := tokens.DeleteWhere(ctx, store.Eq("user_id", userID)); err != nil && m.log != nil {
		m.log.WarnContext(ctx, "deleting a deleted user's tokens failed; they no longer authenticate", "user_id", userID, "err", err)
	}
	m.record(ctx, ActionUserDelete, "user:"+userID, stateOf(u), nil)
	return nil
}

// changeUser updates the user after check (when given) accepts its current
// state, drops what the instances cached about them and announces the
// change as action for the audit trail.
func (m *Module) changeUser(ctx context.Context, userID, action string, check func(*User) error, ups ...store.Update) error {
	users, _, _, err := m.colls()
	if err != nil {
		return err
	}
	before, err := users.Get(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUserNotFound
	}
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(before); err != nil {
			return err
		}
	}
	after, err := users.Update(ctx, userID, ups...)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUserNotFound
	}
	if err != nil {
		return err
	}
	m.changed(ctx, CredentialsChanged{UserID: userID})
	if action == ActionUserPassword {
		m.record(ctx, action, "user:"+userID, nil, nil)
	} else {
		m.record(ctx, action, "user:"+userID, stateOf(before), stateOf(after))
	}
	return nil
}

// updateUser updates the user, leaving the caches alone: for what no
// cached credential depends on.
func (m *Module) updateUser(ctx context.Context, userID string, ups ...store.Update) error {
	users, _, _, err := m.colls()
	if err != nil {
		return err
	}
	if _, err := users.Update(ctx, userID, ups...); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		}
		return err
	}
	return nil
}

// Login checks an e-mail address and password and, when they match an
// active user, issues a login credential valid for the session lifetime.
// It is not throttled: the HTTP endpoint is. A wrong address and a wrong
// password are the same error, [ErrInvalidCredentials], and take about the
// same time.
func (m *Module) Login(ctx context.Context, email, password string) (secret string, tok *Token, u *User, err error) {
	u, err = m.checkPassword(ctx, email, password)
	if err != nil {
		return "", nil, nil, err
	}
	return m.finishLogin(ctx, u, password)
}

// finishLogin issues the login credential of u, whose password was checked,
// records the login and rehashes the password when the parameters changed.
func (m *Module) finishLogin(ctx context.Context, u *User, password string) (secret string, tok *Token, _ *User, err error) {
	if !u.Active {
		return "", nil, nil, ErrInvalidCredentials
	}
	secret, tok, err = m.issue(ctx, u, KindLogin, "", m.cfg.SessionTTL)
	if err != nil {
		return "", nil, nil, err
	}
	now := m.now()
	set := []store.Update{store.Set("last_login_at", now)}
	if NeedsRehash(u.PasswordHash, m.cfg.Password) {
		if h, err := m.hashPassword(ctx, password); err == nil {
			set = append(set, store.Set("password_hash", h))
			u.PasswordHash = h
		}
	}
	// The time of the login and a rehash of the same password change
	// nothing a cached credential is checked by.
	if err := m.updateUser(identity.With(ctx, u), u.ID, set...); err != nil {
		m.log.WarnContext(ctx, "recording the login failed", "user_id", u.ID, "err", err)
	}
	u.LastLoginAt = &now
	if err := m.resolve(ctx, u); err != nil {
		return "", nil, nil, err
	}
	if isAdmin(u) {
		m.record(identity.With(ctx, u), ActionAdminSignIn, "user:"+u.ID, nil, nil)
	}
	return secret, tok, u, nil
}

// checkPassword returns the user whose e-mail address and password match.
// An unknown address is verified against a dummy hash, so both failures
// cost the same.
func (m *Module) checkPassword(ctx context.Context, email, password string) (*User, error) {
	u, err := m.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, ErrUserNotFound):
		_, _ = m.verifyPassword(ctx, password, m.dummy)
		return nil, ErrInvalidCredentials
	case err != nil:
		return nil, err
	}
	ok, err := m.verifyPassword(ctx, password, u.PasswordHash)
	if err != nil {
		if errors.Is(err, ErrMalformedHash) {
			m.log.ErrorContext(ctx, "stored password hash is malformed", "user_id", u.ID)
			return nil, ErrInvalidCredentials
		}
		return nil, err
	}
	if !ok {
		return nil, ErrInvalidCredentials
	}
	return u, nil
}

// IssueToken creates an API token for the user, valid for ttl (at most the
// configured maximum), and returns its secret — shown only now — and its
// record.
func (m *Module) IssueToken(ctx context.Context, userID, name string, ttl time.Duration) (string, *Token, error) {
	u, err := m.User(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	if !u.Active {
		return "", nil, fmt.Errorf("auth: %w: user is deactivated", webos.ErrConflict)
	}
	if ttl <= 0 {
		ttl = m.cfg.TokenTTL
	}
	return m.issue(ctx, u, KindAPI, name, min(ttl, m.cfg.MaxTokenTTL))
}

func (m *Module) issue(ctx context.Context, u *User, kind, name string, ttl time.Duration) (string, *Token, error) {
	_, _, tokens, err := m.colls()
	if err != nil {
		return "", nil, err
	}
	secret := NewTokenSecret()
	now := m.now()
	t := &Token{UserID: u.ID, Kind: kind, Name: name, ExpiresAt: now.Add(ttl).Truncate(time.Millisecond), UserVersion: u.Version}
	if kind == KindLogin {
		t.RenewUntil = now.Add(m.cfg.SessionMaxLifetime).Truncate(time.Millisecond)
	}
	t.ID = HashToken(secret)
	if err := tokens.Insert(identity.With(ctx, u), t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Tokens lists the user's tokens that are still valid, newest first.
func (m *Module) Tokens(ctx context.Context, userID string) ([]Token, error) {
	_, _, tokens, err := m.colls()
	if err != nil {
		return nil, err
	}
	return tokens.Find(ctx, store.Query{
		Where: store.And(store.Eq("user_id", userID), store.Gt("expires_at", m.now()), store.Not(store.Exists("revoked_at"))),
		Sort:  []string{"-created_at"},
	})
}

// RevokeToken revokes the token with the given id (its hash) if it belongs
// to the user; otherwise it is [ErrTokenNotFound].
func (m *Module) RevokeToken(ctx context.Context, userID, id string) error {
	_, _, tokens, err := m.colls()
	if err != nil {
		return err
	}
	t, err := tokens.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.UserID != userID) {
		return ErrTokenNotFound
	}
	if err != nil {
		return err
	}
	return m.revoke(ctx, id)
}

// revoke marks the token id revoked.
func (m *Module) revoke(ctx context.Context, id string) error {
	_, _, tokens, err := m.colls()
	if err != nil {
		return err
	}
	_, err = tokens.Update(ctx, id, store.Set("revoked_at", m.now()))
	if errors.Is(err, store.ErrNotFound) {
		return ErrTokenNotFound
	}
	if err != nil {
		return err
	}
	m.changed(ctx, CredentialsChanged{TokenID: id})
	return nil
}

// AuthenticateToken returns the active user a token secret — bearer token
// or session — belongs to, with permissions resolved, and the token. Any
// reason to refuse it is [ErrInvalidToken]. What the database says is
// cached for Config.CredentialCacheTTL (see [TopicCredentialsChanged]).
func (m *Module) AuthenticateToken(ctx context.Context, secret string) (*User, *Token, error) {
	users, _, tokens, err := m.colls()
	if err != nil {
		return nil, nil, err
	}
	if !wellFormedToken(secret) {
		return nil, nil, ErrInvalidToken
	}
	id := HashToken(secret)
	if u, t, ok := m.creds.get(id, m.now()); ok {
		return u, t, nil
	}
	gen := m.creds.generation()
	t, err := tokens.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	if !t.Valid(m.now()) {
		return nil, nil, ErrInvalidToken
	}
	u, err := users.Get(ctx, t.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrInvalidToken
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.Active || u.Version != t.UserVersion {
		return nil, nil, ErrInvalidToken
	}
	roles, err := m.roleDefs.get(ctx)
	if err != nil {
		return nil, nil, err
	}
	u.Permissions = roles.grant(u.Roles)
	// Role definitions served stale while they are refreshed are not
	// cached with the user beyond their own lifetime.
	m.creds.put(id, u, t, gen, m.now(), roles.at.Add(m.roleDefs.ttl))
	return u, t, nil
}

// renew extends the login t of u that a request is being made with, once
// a tenth of the session lifetime has passed since it was issued or last
// renewed: its end moves to SessionTTL from now, at most to t.RenewUntil.
// So a login costs at most one write per tenth of its lifetime, and a
// request may take up to nine tenths of it (a slow upload's chunk) with
// the login still valid for the next one. It returns the renewed
// token, or nil when t was not renewed (not due, not a login, at its
// limit, revoked meanwhile, or the database failed: the request goes on
// with the login as it was).
func (m *Module) renew(ctx context.Context, u *User, t *Token) *Token {
	now := m.now()
	if t.Kind != KindLogin || t.ExpiresAt.Sub(now) > m.cfg.SessionTTL-m.cfg.SessionTTL/10 || !t.ExpiresAt.Before(t.RenewUntil) {
		return nil
	}
	until := minTime(now.Add(m.cfg.SessionTTL), t.RenewUntil).Truncate(time.Millisecond)
	if !until.After(t.ExpiresAt) {
		return nil
	}
	_, _, tokens, err := m.colls()
	if err != nil {
		return nil
	}
	// Never revive a revoked login, and leave one renewed further by a
	// concurrent request (or another instance) as it is.
	nt, err := tokens.UpdateIf(identity.With(ctx, u), t.ID,
		store.And(store.Not(store.Exists("revoked_at")), store.Lt("expires_at", until)),
		store.Set("expires_at", until))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			m.log.WarnContext(ctx, "renewing a session failed", "user_id", u.ID, "err", err)
		}
		return nil
	}
	m.creds.forgetToken(t.ID)
	return nt
}

// loadRoles reads every role's permissions from the database.
func (m *Module) loadRoles(ctx context.Context) (map[string][]string, error) {
	_, roles, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	list, err := roles.Find(ctx, store.Query{})
	if err != nil {
		return nil, err
	}
	c := make(map[string][]string, len(list))
	for _, r := range list {
		c[r.Name] = r.Permissions
	}
	return c, nil
}

// rolePermissions returns every role's permissions, cached briefly.
func (m *Module) rolePermissions(ctx context.Context) (map[string][]string, error) {
	s, err := m.roleDefs.get(ctx)
	if err != nil {
		return nil, err
	}
	return s.perms, nil
}

// grant returns the permissions the roles grant, each once.
func (s *roleSnapshot) grant(roles []string) []string {
	var perms []string
	for _, r := range roles {
		for _, p := range s.perms[r] {
			if !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
	}
	return perms
}

// resolve fills u.Permissions from its roles.
func (m *Module) resolve(ctx context.Context, u *User) error {
	s, err := m.roleDefs.get(ctx)
	if err != nil {
		return err
	}
	u.Permissions = s.grant(u.Roles)
	return nil
}

// Roles lists the roles by name.
func (m *Module) Roles(ctx context.Context) ([]Role, error) {
	_, roles, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	return roles.Find(ctx, store.Query{Sort: []string{"name"}})
}

// SaveRole creates or replaces a role. Its name must be a valid identifier
// and its permissions valid permission strings (see [ValidPermission]);
// the admin role keeps "*".
func (m *Module) SaveRole(ctx context.Context, r Role) (*Role, error) {
	_, roles, _, err := m.colls()
	if err != nil {
		return nil, err
	}
	f := fields{}
	if !idPattern(r.Name) {
		f.check("name", "must be lowercase letters, digits, '_' or '-', at most 64")
	}
	for _, p := range r.Permissions {
		if err := ValidPermission(p); err != nil {
			f.check("permissions", err.Error())
			break
		}
	}
	if r.Name == RoleAdmin && !slices.Contains(r.Permissions, Everything) {
		f.check("permissions", `the admin role must keep "*"`)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	defer m.changed(ctx, CredentialsChanged{Roles: true})
	existing, err := roles.Get(ctx, r.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		nr := &Role{Name: r.Name, Description: r.Description, Permissions: r.Permissions}
		nr.ID = r.Name
		if err := roles.Insert(ctx, nr); err != nil {
			return nil, err
		}
		m.record(ctx, ActionRoleSave, "role:"+nr.Name, nil, roleStateOf(nr))
		return nr, nil
	case err != nil:
		return nil, err
	}
	saved, err := roles.Update(ctx, existing.ID, store.Set("description", r.Description), store.Set("permissions", r.Permissions))
	if err != nil {
		return nil, err
	}
	m.record(ctx, ActionRoleSave, "role:"+saved.Name, roleStateOf(existing), roleStateOf(saved))
	return saved, nil
}

// DeleteRole deletes a role that no user has. The built-in roles cannot be
// deleted.
func (m *Module) DeleteRole(ctx context.Context, name string) error {
	users, roles, _, err := m.colls()
	if err != nil {
		return err
	}
	if name == RoleAdmin || name == RoleUser {
		return fmt.Errorf("auth: %w: the built-in role %q cannot be deleted", webos.ErrConflict, name)
	}
	n, err := users.Count(ctx, store.Eq("roles", name))
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("auth: %w: role %q is given to %d users", webos.ErrConflict, name, n)
	}
	defer m.changed(ctx, CredentialsChanged{Roles: true})
	existing, err := roles.Get(ctx, name)
	if err == nil {
		err = roles.Delete(ctx, name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return ErrRoleNotFound
	}
	if err != nil {
		return err
	}
	m.record(ctx, ActionRoleDelete, "role:"+name, roleStateOf(existing), nil)
	return nil
}

func idPattern(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
