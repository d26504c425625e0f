package identity

import "context"

// User is the acting user as lower layers see it: only a stable identifier.
// An empty UserID means "no user".
type User interface {
	UserID() string
}

// Subject is a User that is nothing but its identifier. It is useful for
// system jobs, restored task contexts and tests.
type Subject string

// UserID returns the subject itself.
func (s Subject) UserID() string { return string(s) }

type ctxKey struct{}

// With returns a copy of ctx that carries u as the acting user.
func With(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// From returns the acting user in ctx. ok is false when there is none or when
// its UserID is empty.
func From(ctx context.Context) (u User, ok bool) {
	u, _ = ctx.Value(ctxKey{}).(User)
	if u == nil || u.UserID() == "" {
		return nil, false
	}
	return u, true
}

// ID returns the acting user's identifier, or "" when ctx carries no user.
func ID(ctx context.Context) string {
	if u, ok := From(ctx); ok {
		return u.UserID()
	}
	return ""
}
