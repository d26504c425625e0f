package auth

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// Built-in roles, created at start when missing.
const (
	// RoleAdmin grants everything ("*").
	RoleAdmin = "admin"
	// RoleUser is given to every registered user. It grants nothing until
	// an administrator adds permissions to it.
	RoleUser = "user"
)

// User is an account. Its JSON form never contains the password hash.
type User struct {
	store.Doc `bson:",inline"`
	// Email is unique, stored trimmed and lower-cased.
	Email string `bson:"email" json:"email" explorer:"label=E-mail,order=1,width=260,sort,filter=contains|eq|startsWith"`
	// DisplayName is the name shown to people.
	DisplayName string `bson:"display_name" json:"display_name" explorer:"label=Name,order=2,sort,filter=contains"`
	// PasswordHash is the argon2id hash (see [HashPassword]).
	PasswordHash string `bson:"password_hash" json:"-"`
	// Roles name the user's roles.
	Roles []string `bson:"roles" json:"roles" explorer:"order=3,filter=eq|ne"`
	// Active is false for a deactivated user, who cannot log in and whose
	// sessions and tokens stop working.
	Active bool `bson:"active" json:"active" explorer:"order=3,filter"`
	// Version increases when the password changes or the user is
	// deactivated; sessions and tokens issued before stop working.
	Version int64 `bson:"version" json:"-"`
	// LastLoginAt is the time of the last successful login.
	LastLoginAt *time.Time `bson:"last_login_at,omitempty" json:"last_login_at,omitempty" explorer:"label=Last sign-in,order=4"`

	// Permissions are the permission strings the user's roles grant. They
	// are resolved when the user is authenticated and not stored.
	Permissions []string `bson:"-" json:"permissions,omitempty"`
}

// UserID returns the user's id, making *User an [identity.User].
func (u *User) UserID() string { return u.ID }

// Can reports whether the user's resolved permissions cover every one of
// perms (see [Match]).
func (u *User) Can(perms ...string) bool {
	return u != nil && Allowed(u.Permissions, perms...)
}

// HasRole reports whether the user has the named role.
func (u *User) HasRole(role string) bool { return u != nil && slices.Contains(u.Roles, role) }

var _ identity.User = (*User)(nil)

// Role is a named set of permission strings.
type Role struct {
	store.Doc `bson:",inline"`
	// Name is the role's name and also its id.
	Name string `bson:"name" json:"name"`
	// Description says what the role is for.
	Description string `bson:"description" json:"description"`
	// Permissions are the granted permission strings; "*" and "x.*"
	// wildcards are allowed (see [Match]).
	Permissions []string `bson:"permissions" json:"permissions"`
}

type userKey struct{}

// WithUser returns a copy of ctx that carries u as the authenticated user,
// both for [UserFrom] and as the [identity] user that owner-scoped
// collections and logs read.
func WithUser(ctx context.Context, u *User) context.Context {
	ctx = context.WithValue(ctx, userKey{}, u)
	return identity.With(ctx, u)
}

// UserFrom returns the authenticated user in ctx, put there when the
// request passed a route guard ([webos.Router.Require], [webos.Router.Public])
// or by [WithUser].
func UserFrom(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey{}).(*User)
	return u, ok && u != nil && u.ID != ""
}

// NormalizeEmail trims and lower-cases an e-mail address, the form in which
// it is stored and compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkEmail validates a normalised address.
func checkEmail(email string) string {
	switch {
	case email == "":
		return "is required"
	case len(email) > 254:
		return "must be at most 254 characters"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email, "@") {
		return "must be an e-mail address such as ada@example.com"
	}
	return ""
}

// maxPasswordLen bounds passwords: long enough for any passphrase, short
// enough that hashing is not a way to burn the server's CPU.
const maxPasswordLen = 1024

// checkPassword validates a new password against the minimum length.
func checkPassword(pw string, minLen int) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < minLen:
		return "must be at least " + strconv.Itoa(minLen) + " characters"
	case len(pw) > maxPasswordLen:
		return "must be at most " + strconv.Itoa(maxPasswordLen) + " bytes"
	case strings.TrimSpace(pw) == "":
		return "must not be blank"
	}
	return ""
}

func checkDisplayName(name string) string {
	switch {
	case utf8.RuneCountInString(name) > 100:
		return "must be at most 100 characters"
	case !utf8.ValidString(name):
		return "must be valid UTF-8"
	}
	return ""
}

// fields collects field problems into a *webos.ValidationError.
type fields map[string]string

func (f fields) check(name, problem string) {
	if problem != "" {
		f[name] = problem
	}
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &webos.ValidationError{Fields: f}
}
