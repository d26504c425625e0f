package auth

import (
	"context"

	"github.com/webos-go/webos/bus"
)

// TopicCredentialsChanged is the bus topic the module emits when something
// that cached credentials depend on changes: a token is revoked, a user's
// password, roles, state or name change, or a role changes. Its payload
// is a [CredentialsChanged]. Every instance of the application listens to
// it and drops what it cached, so that with a bus shared through Redis a
// change made on one instance takes effect on all of them at once.
const TopicCredentialsChanged = "auth.credentials.changed"

// CredentialsChanged is the payload of [TopicCredentialsChanged]. One of
// its fields is set.
type CredentialsChanged struct {
	// TokenID is the id (hash) of a revoked token.
	TokenID string `json:"token_id,omitempty"`
	// UserID is the id of a user whose account changed.
	UserID string `json:"user_id,omitempty"`
	// Roles is true when a role was created, changed or deleted.
	Roles bool `json:"roles,omitempty"`
}

// Subscriptions listen to [TopicCredentialsChanged], from this instance
// and the others.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: TopicCredentialsChanged, Handler: bus.Typed(m.onCredentialsChanged)}}
}

func (m *Module) onCredentialsChanged(_ context.Context, _ bus.Envelope, c CredentialsChanged) error {
	m.forget(c)
	return nil
}

// changed drops what c makes stale from this instance's caches, at once,
// and tells the other instances through the bus. When the bus refuses the
// event, the others notice after Config.CredentialCacheTTL.
func (m *Module) changed(ctx context.Context, c CredentialsChanged) {
	m.forget(c)
	if m.bus == nil {
		return
	}
	if err := m.bus.Emit(ctx, TopicCredentialsChanged, c); err != nil && m.log != nil {
		m.log.WarnContext(ctx, "announcing a credential change failed; other instances see it when their cache expires",
			"err", err, "ttl", m.cfg.CredentialCacheTTL)
	}
}

// forget drops what c makes stale from this instance's caches.
func (m *Module) forget(c CredentialsChanged) {
	switch {
	case c.Roles:
		m.roleDefs.invalidate()
		m.creds.forgetAll()
	case c.UserID != "":
		m.creds.forgetUser(c.UserID)
	case c.TokenID != "":
		m.creds.forgetToken(c.TokenID)
	}
}
