package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/store"
)

// waitEntries waits until the trail holds at least n entries and returns them.
func waitEntries(t *testing.T, tr *audit.Trail, n int) []audit.Entry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		es, err := tr.Entries().Find(context.Background(), store.Query{Sort: []string{"seq"}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) >= n {
			return es
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d audit entries after 10 s, want %d: %+v", len(es), n, es)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAuditTrailOfUserAndRoleChanges(t *testing.T) {
	am := audit.New()
	e := newEnv(t, envOptions{sqlite: true, extra: []webos.Module{am}})
	admin := e.admin() // an administrator signs in: recorded
	bob := e.register("bob@example.com", "bob-password-1234")
	e.grant(admin, bob.ID, "editor", "notes.read")
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + bob.ID, token: admin.token,
		body: map[string]any{"active": false}}), http.StatusOK)
	if err := e.auth.SetPassword(context.Background(), bob.ID, "another-password-1"); err != nil {
		t.Fatal(err)
	}
	must(t, e.do(req{method: "PUT", path: "/auth/roles/editor", token: admin.token,
		body: map[string]any{"description": "edits", "permissions": []string{"notes.*"}}}), http.StatusOK)
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + bob.ID, token: admin.token,
		body: map[string]any{"roles": []string{auth.RoleUser}}}), http.StatusOK)
	must(t, e.do(req{method: "DELETE", path: "/auth/roles/editor", token: admin.token}), http.StatusNoContent)

	want := []struct{ action, target string }{
		{auth.ActionAdminSignIn, "user:" + admin.user.ID},
		{auth.ActionUserCreate, "user:" + bob.ID},
		{auth.ActionRoleSave, "role:editor"},
		{auth.ActionUserUpdate, "user:" + bob.ID}, // roles
		{auth.ActionUserUpdate, "user:" + bob.ID}, // deactivated
		{auth.ActionUserPassword, "user:" + bob.ID},
		{auth.ActionRoleSave, "role:editor"},
		{auth.ActionUserUpdate, "user:" + bob.ID},
		{auth.ActionRoleDelete, "role:editor"},
	}
	es := waitEntries(t, am.Trail(), len(want))
	// The first-run administrator's creation comes before the test's changes.
	es = es[len(es)-len(want):]
	// Each change is recorded once; the trail's order is the order the
	// bus delivered them, which handlers on a pool may swap.
	count := func(action, target string) (n int) {
		for _, en := range es {
			if en.Action == action && en.Target == target {
				n++
			}
		}
		return n
	}
	for _, w := range want {
		n := 0
		for _, x := range want {
			if x == w {
				n++
			}
		}
		if got := count(w.action, w.target); got != n {
			t.Fatalf("%d entries %s %s, want %d: %+v", got, w.action, w.target, n, es)
		}
	}
	find := func(action, after string) audit.Entry {
		t.Helper()
		for _, en := range es {
			if en.Action == action && strings.Contains(en.After, after) {
				return en
			}
		}
		t.Fatalf("no %s entry with %s after: %+v", action, after, es)
		return audit.Entry{}
	}
	deact := find(auth.ActionUserUpdate, `"active":false`)
	if deact.Actor != admin.user.ID || !strings.Contains(deact.Before, `"active":true`) {
		t.Fatalf("deactivation entry: %+v", deact)
	}
	if deact.TraceID == "" || deact.Client == "" {
		t.Fatalf("deactivation entry without trace or client: %+v", deact)
	}
	if edit := find(auth.ActionRoleSave, `notes.*`); edit.Before == "" {
		t.Fatalf("role edit entry: %+v", edit)
	}
	for _, en := range es {
		for _, secret := range []string{"password-1234", "another-password-1", "argon2", "password_hash"} {
			if strings.Contains(en.Before+en.After, secret) {
				t.Fatalf("entry %d shows %q: %+v", en.Seq, secret, en)
			}
		}
	}
	if n, err := am.Trail().Verify(context.Background()); err != nil || n < int64(len(want)) {
		t.Fatalf("verify: %d, %v", n, err)
	}
	// Read through the API, newest first, by action prefix.
	var page struct {
		Items []audit.Entry `json:"items"`
	}
	must(t, e.do(req{method: "GET", path: "/audit/?action=auth.role.", token: admin.token}), http.StatusOK).decode(t, &page)
	if len(page.Items) != 3 || page.Items[0].Action != auth.ActionRoleDelete {
		t.Fatalf("role entries: %+v", page.Items)
	}
}

func TestLastAdministratorIsKept(t *testing.T) {
	e := newEnv(t, envOptions{sqlite: true})
	ctx := context.Background()
	admin := e.admin()
	id := admin.user.ID
	if err := e.auth.SetActive(ctx, id, false); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("deactivating the last administrator: %v", err)
	}
	if err := e.auth.SetRoles(ctx, id, []string{auth.RoleUser}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("taking the admin role from the last administrator: %v", err)
	}
	// A second administrator, deactivated, does not count.
	other, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "root2@example.com", Password: "root2-password-1234",
		Roles: []string{auth.RoleAdmin}, Inactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.auth.SetActive(ctx, id, false); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("with only an inactive second administrator: %v", err)
	}
	if err := e.auth.SetActive(ctx, other.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.SetRoles(ctx, id, []string{auth.RoleUser}); err != nil {
		t.Fatalf("with another active administrator: %v", err)
	}
	// Now other is the last one. Its own roles cannot be changed through
	// the API in any case, and the Go API refuses to deactivate it.
	r := e.login("root2@example.com", "root2-password-1234")
	must(t, e.do(req{method: "PATCH", path: "/auth/users/" + other.ID, token: r.token,
		body: map[string]any{"roles": []string{auth.RoleUser}}}), http.StatusUnprocessableEntity) // one's own roles: refused first
	if err := e.auth.SetActive(ctx, other.ID, false); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("the new last administrator: %v", err)
	}
	if u, _ := e.auth.User(ctx, other.ID); !u.Active || !u.HasRole(auth.RoleAdmin) {
		t.Fatalf("refused change was applied: %+v", u)
	}
}

func TestExplainMatrix(t *testing.T) {
	e := newEnv(t, envOptions{sqlite: true})
	ctx := context.Background()
	admin := e.admin()
	if _, err := e.auth.SaveRole(ctx, auth.Role{Name: "editor", Permissions: []string{"blog.*", "notes.read"}}); err != nil {
		t.Fatal(err)
	}
	ed, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "ed@example.com", Password: "ed-password-1234", Roles: []string{auth.RoleUser, "editor"}})
	if err != nil {
		t.Fatal(err)
	}
	plain := e.register("plain@example.com", "plain-password-1234")
	gone, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "gone@example.com", Password: "gone-password-1234", Roles: []string{"editor"}, Inactive: true})
	if err != nil {
		t.Fatal(err)
	}
	none, err := e.auth.CreateUser(ctx, auth.NewUser{Email: "none@example.com", Password: "none-password-1234", Roles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user    string
		perm    string
		allowed bool
		grant   string // "role=permission" of the first grant
		reason  string
	}{
		{admin.user.ID, "blog.write", true, "admin=*", `grants "*"`},
		{admin.user.ID, "admin.users.delete", true, "admin=*", "covers"},
		{ed.ID, "blog.write", true, "editor=blog.*", `"blog.*"`},
		{ed.ID, "blog.posts.publish", true, "editor=blog.*", "covers"},
		{ed.ID, "notes.read", true, "editor=notes.read", "notes.read"},
		{ed.ID, "notes.write", false, "", "none of the roles"},
		{ed.ID, "blog", false, "", "none of the roles"},
		{plain.ID, "blog.write", false, "", "none of the roles"},
		{gone.ID, "blog.write", false, "editor=blog.*", "deactivated"},
		{none.ID, "blog.write", false, "", "no role"},
	}
	for _, c := range cases {
		ex, err := e.auth.Explain(ctx, c.user, c.perm)
		if err != nil {
			t.Fatal(err)
		}
		first := ""
		if len(ex.Grants) > 0 {
			first = ex.Grants[0].Role + "=" + ex.Grants[0].Permission
		}
		if ex.Allowed != c.allowed || first != c.grant || !strings.Contains(ex.Reason, c.reason) {
			t.Errorf("%s may %s: %+v, want allowed=%v grant %q reason ~%q", c.user, c.perm, ex, c.allowed, c.grant, c.reason)
		}
	}
	if _, err := e.auth.Explain(ctx, ed.ID, "Bad Perm"); err == nil {
		t.Fatal("explained an invalid permission")
	}
	if _, err := e.auth.Explain(ctx, "nobody", "blog.write"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

// TestDeleteUser: a deleted user's session and API token stop working at
// once, the account is gone, the deletion is in the audit trail with what
// the account was, and the last administrator cannot be deleted.
func TestDeleteUser(t *testing.T) {
	am := audit.New()
	e := newEnv(t, envOptions{sqlite: true, extra: []webos.Module{am}})
	ctx := context.Background()
	admin := e.admin()
	e.register("dan@example.com", "dan-password-1234")
	dan := e.login("dan@example.com", "dan-password-1234")
	must(t, e.do(req{method: "GET", path: "/auth/me", token: dan.token}), http.StatusOK)
	if err := e.auth.DeleteUser(ctx, admin.user.ID); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("deleting the last administrator: %v", err)
	}
	if err := e.auth.DeleteUser(ctx, dan.user.ID); err != nil {
		t.Fatal(err)
	}
	must(t, e.do(req{method: "GET", path: "/auth/me", token: dan.token}), http.StatusUnauthorized)
	if _, err := e.auth.User(ctx, dan.user.ID); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("the deleted user: %v", err)
	}
	if err := e.auth.DeleteUser(ctx, dan.user.ID); !errors.Is(err, auth.ErrUserNotFound) {
		t.Fatalf("deleted twice: %v", err)
	}
	// The address is free again.
	e.register("dan@example.com", "dan-password-5678")
	deadline := time.Now().Add(10 * time.Second)
	for {
		es, err := am.Trail().Entries().Find(ctx, store.Query{Where: store.Eq("action", auth.ActionUserDelete)})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 1 {
			if es[0].Target != "user:"+dan.user.ID || !strings.Contains(es[0].Before, "dan@example.com") {
				t.Fatalf("deletion entry %+v", es[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deletion is not in the audit trail")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
