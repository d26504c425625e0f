package webos

import (
	"context"
	"net/http"
	"testing"
)

// permOnly grants "ok" to every request and has no user otherwise.
type permOnly struct{}

func (permOnly) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r, nil
}
func (permOnly) Authorize(_ context.Context, perm string) error {
	if perm == "ok" {
		return nil
	}
	return ErrForbidden
}

// TestPermitsRequiresThePermissions: an Access naming permissions needs
// them even when SignIn is not set.
func TestPermitsRequiresThePermissions(t *testing.T) {
	a := New(Config{})
	az := Authorizer(permOnly{})
	a.authz.Store(&az)
	ctx := context.Background()
	if a.Permits(ctx, Access{Permissions: []string{"nope"}}) {
		t.Error("a missing permission permitted without SignIn")
	}
	if !a.Permits(ctx, Access{Permissions: []string{"ok"}}) || !a.Permits(ctx, Access{}) {
		t.Error("held permission or empty access refused")
	}
	closed := New(Config{})
	if closed.Permits(ctx, Access{Permissions: []string{"ok"}}) || closed.Can(ctx, "") {
		t.Error("an app without an authorizer permits")
	}
}
