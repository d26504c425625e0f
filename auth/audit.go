package auth

import (
	"context"
	"fmt"
	"slices"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/store"
)

// Audit actions the module announces (see package audit): every change of
// a user or role, whichever way it is made (HTTP, command line, Go), and
// every sign-in of an administrator.
const (
	ActionUserCreate   = "auth.user.create"
	ActionUserUpdate   = "auth.user.update"
	ActionUserPassword = "auth.user.password" // #nosec G101 -- the name of an audit action, not a credential
	ActionUserDelete   = "auth.user.delete"
	ActionRoleSave     = "auth.role.save"
	ActionRoleDelete   = "auth.role.delete"
	ActionAdminSignIn  = "auth.signin.admin"
)

// ErrLastAdmin is returned when a change would leave no active user with
// the admin role.
var ErrLastAdmin = fmt.Errorf("auth: %w: the last active administrator cannot lose the admin role or be deactivated", webos.ErrConflict)

// userState is what the audit trail records of a user: never the hash.
type userState struct {
	Email       string   `json:"email"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Active      bool     `json:"active"`
}

func stateOf(u *User) *userState {
	if u == nil {
		return nil
	}
	return &userState{Email: u.Email, DisplayName: u.DisplayName, Roles: slices.Clone(u.Roles), Active: u.Active}
}

// roleState is what the audit trail records of a role.
type roleState struct {
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

func roleStateOf(r *Role) *roleState {
	if r == nil {
		return nil
	}
	return &roleState{Description: r.Description, Permissions: slices.Clone(r.Permissions)}
}

// record announces a change for the audit trail. A change that is stored
// is not undone when the announcement fails; the failure is logged.
func (m *Module) record(ctx context.Context, action, target string, before, after any) {
	if err := audit.Emit(ctx, m.bus, audit.Change{Action: action, Target: target, Before: before, After: after}); err != nil && m.log != nil {
		m.log.WarnContext(ctx, "announcing a change for the audit trail failed", "action", action, "target", target, "err", err)
	}
}

// keepsAnAdmin refuses a change that takes the admin role or the active
// state from u when u is the last active administrator. Two such changes
// made at the same moment on different users can both pass; the console
// shows the count so that an administrator notices.
func (m *Module) keepsAnAdmin(ctx context.Context, u *User, roles []string, active bool) error {
	if !u.Active || !u.HasRole(RoleAdmin) || active && slices.Contains(roles, RoleAdmin) {
		return nil
	}
	users, _, _, err := m.colls()
	if err != nil {
		return err
	}
	n, err := users.CountUpTo(ctx, store.And(store.Eq("roles", RoleAdmin), store.Eq("active", true), store.Ne("_id", u.ID)), 1)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}

// Explanation says why a user has or lacks a permission, for the admin
// console's "why can / can't" view.
type Explanation struct {
	// Allowed reports whether the user has the permission now.
	Allowed bool `json:"allowed"`
	// Reason is one sentence for people.
	Reason string `json:"reason"`
	// Grants lists each role of the user that grants the permission, with
	// the permission string that matches it.
	Grants []Grant `json:"grants"`
	// Roles lists the user's roles.
	Roles []string `json:"roles"`
}

// Grant is a role's permission string that covers a wanted permission.
type Grant struct {
	Role       string `json:"role"`
	Permission string `json:"permission"`
}

// Explain tells whether the user with the given id has perm and why:
// which roles grant it through which permission string, or that the user
// is deactivated, or that none of their roles grants it.
func (m *Module) Explain(ctx context.Context, userID, perm string) (*Explanation, error) {
	if err := ValidPermission(perm); err != nil {
		return nil, webos.Invalid("permission", err.Error())
	}
	u, err := m.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	perms, err := m.rolePermissions(ctx)
	if err != nil {
		return nil, err
	}
	ex := &Explanation{Roles: slices.Clone(u.Roles), Grants: []Grant{}}
	for _, r := range u.Roles {
		for _, p := range perms[r] {
			if Match(p, perm) {
				ex.Grants = append(ex.Grants, Grant{Role: r, Permission: p})
			}
		}
	}
	switch {
	case !u.Active:
		ex.Reason = fmt.Sprintf("%s is deactivated: a deactivated user can do nothing", u.Email)
	case len(ex.Grants) == 0 && len(u.Roles) == 0:
		ex.Reason = fmt.Sprintf("%s has no role, so no permission", u.Email)
	case len(ex.Grants) == 0:
		ex.Reason = fmt.Sprintf("none of the roles of %s grants %q", u.Email, perm)
	default:
		ex.Allowed = true
		g := ex.Grants[0]
		ex.Reason = fmt.Sprintf("the role %q grants %q, which covers %q", g.Role, g.Permission, perm)
	}
	return ex, nil
}

// isAdmin reports whether a signed-in user counts as an administrator for
// the audit trail: one whose roles grant everything.
func isAdmin(u *User) bool { return slices.Contains(u.Permissions, Everything) }
