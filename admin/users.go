package admin

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/ui"
)

// oneTimePassword returns a random password to show once.
func oneTimePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// caller returns the signed-in user (the routes require one).
func caller(r *http.Request) *auth.User {
	u, _ := auth.UserFrom(r.Context())
	return u
}

func (m *Module) userPage(w http.ResponseWriter, r *http.Request) error {
	u, err := m.auth.User(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return m.page(w, r, "Users", m.userView(r, u, ""))
}

// userView is a user's card: facts, roles, actions and the explainer.
// shown is a one-time password to show once ("" for none).
func (m *Module) userView(r *http.Request, u *auth.User, shown string) g.Node {
	ctx := r.Context()
	me := caller(r)
	canWrite := m.app.Can(ctx, auth.PermUsersWrite)
	base := m.prefix + "/user/" + u.ID
	state := "active"
	if !u.Active {
		state = "deactivated"
	}
	lastLogin := "never"
	if u.LastLoginAt != nil {
		lastLogin = u.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	roles, _ := m.auth.Roles(ctx)
	var roleBoxes []g.Node
	for _, role := range roles {
		reason := ""
		if err := m.auth.MayGrant(ctx, me, []string{role.Name}); err != nil {
			reason = "it grants permissions you do not hold"
		}
		if u.ID == me.ID {
			reason = "you cannot change your own roles"
		}
		id := "role-" + role.Name
		roleBoxes = append(roleBoxes, h.Div(h.Class("field"),
			h.Input(h.Type("checkbox"), h.ID(id), h.Name("roles"), h.Value(role.Name),
				g.If(u.HasRole(role.Name), h.Checked()), g.If(reason != "" || !canWrite, h.Disabled())),
			h.Label(h.For(id), g.Text(" "+role.Name), g.If(role.Description != "", h.Span(h.Class("muted"), g.Text(" — "+role.Description)))),
			g.If(reason != "", h.Span(h.Class("muted"), g.Attr("data-disabled-reason", role.Name), g.Text(" ("+reason+")")))))
	}
	toggle := "Deactivate"
	if !u.Active {
		toggle = "Reactivate"
	}
	return g.Group([]g.Node{
		ui.Card(u.Email,
			h.Dl(h.Class("facts"),
				h.Dt(g.Text("Name")), h.Dd(g.Text(u.DisplayName)),
				h.Dt(g.Text("State")), h.Dd(h.Span(h.Class("badge"), g.Attr("data-state", state), g.Text(state))),
				h.Dt(g.Text("Roles")), h.Dd(g.Text(strings.Join(u.Roles, ", "))),
				h.Dt(g.Text("Last sign-in")), h.Dd(g.Text(lastLogin)),
				h.Dt(g.Text("Created")), h.Dd(g.Text(u.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")))),
			g.If(shown != "", h.P(h.Class("flash flash-success"), g.Attr("data-one-time-password", ""),
				g.Text("New password, shown only now: "), h.Code(g.Text(shown)))),
		),
		g.If(canWrite, ui.Card("Roles",
			h.Form(h.ID("roles-form"), h.Method("post"), h.Action(base+"/roles"), ui.HX("post", base+"/roles"),
				g.Group(roleBoxes),
				h.Button(h.Type("submit"), h.Class("button primary"), g.If(u.ID == me.ID, h.Disabled()), g.Text("Save roles")),
				ui.FormErrors("roles-form")))),
		g.If(canWrite, ui.Card("Account",
			h.Form(h.ID("active-form"), h.Method("post"), h.Action(base+"/active"), ui.HX("post", base+"/active"),
				ui.HX("confirm", toggle+" "+u.Email+"? A deactivated user is signed out everywhere at once."),
				h.Input(h.Type("hidden"), h.Name("active"), h.Value(map[bool]string{true: "false", false: "true"}[u.Active])),
				h.Button(h.Type("submit"), h.Class("button"), g.If(u.ID == me.ID, h.Disabled()), g.Text(toggle)),
				g.If(u.ID == me.ID, h.Span(h.Class("muted"), g.Text(" you cannot deactivate yourself"))),
				ui.FormErrors("active-form")),
			h.Form(h.ID("delete-form"), h.Method("post"), h.Action(base+"/delete"), ui.HX("post", base+"/delete"),
				ui.HX("confirm", "Delete the account of "+u.Email+" for good? They are signed out everywhere and their API tokens stop working. "+
					"What they own in the apps (notes, files, …) is kept under their id, but nobody can open it through the apps any more; "+
					"deactivating instead keeps the account and lets it be reactivated."),
				h.Button(h.Type("submit"), h.Class("button"), g.Attr("data-delete-user", u.ID), g.If(u.ID == me.ID, h.Disabled()), g.Text("Delete account")),
				g.If(u.ID == me.ID, h.Span(h.Class("muted"), g.Text(" you cannot delete yourself"))),
				ui.FormErrors("delete-form")),
			h.Form(h.ID("password-form"), h.Method("post"), h.Action(base+"/password"), ui.HX("post", base+"/password"),
				ui.HX("target", "main"), ui.HX("select", "main"),
				ui.HX("confirm", "Reset the password of "+u.Email+"? Their sessions and tokens end; the new password is shown once."),
				h.Button(h.Type("submit"), h.Class("button"), g.Text("Reset password")),
				ui.FormErrors("password-form")))),
		ui.Card("Why can or can't this user…",
			h.Form(h.ID("why-form"), h.Class("form-inline"), h.Method("get"), h.Action(base+"/why"),
				ui.HX("get", base+"/why"), ui.HX("target", "#why-answer"),
				h.Label(h.For("why-perm"), g.Text("Permission")),
				h.Input(h.ID("why-perm"), h.Name("perm"), h.Placeholder("blog.write"), h.Required(), g.Attr("list", "why-perms")),
				h.DataList(h.ID("why-perms"), g.Map(m.auth.PermissionCatalog(), func(p auth.ModulePermission) g.Node {
					return h.Option(h.Value(p.Name), g.Text(p.Description))
				})),
				h.Button(h.Type("submit"), h.Class("button"), g.Text("Explain")),
				ui.FormErrors("why-form")),
			h.Div(h.ID("why-answer"), g.Attr("aria-live", "polite"))),
	})
}

func (m *Module) why(w http.ResponseWriter, r *http.Request) error {
	ex, err := m.auth.Explain(r.Context(), r.PathValue("id"), strings.TrimSpace(r.URL.Query().Get("perm")))
	if err != nil {
		return asField("perm", err)
	}
	if !ui.IsHTMX(r) {
		webos.WriteJSON(w, http.StatusOK, ex)
		return nil
	}
	verdict := "can"
	if !ex.Allowed {
		verdict = "cannot"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	ui.SetSecurityHeaders(w.Header())
	return h.Div(g.Attr("data-allowed", map[bool]string{true: "true", false: "false"}[ex.Allowed]),
		h.P(h.Strong(g.Text("This user "+verdict+".")), g.Text(" "+ex.Reason+".")),
		g.If(len(ex.Grants) > 0, h.Ul(g.Map(ex.Grants, func(gr auth.Grant) g.Node {
			return h.Li(g.Text("role "), h.Code(g.Text(gr.Role)), g.Text(" grants "), h.Code(g.Text(gr.Permission)))
		})))).Render(w)
}

func (m *Module) createUser(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	ctx := r.Context()
	roles := r.PostForm["roles"]
	if len(roles) == 0 {
		roles = []string{auth.RoleUser}
	}
	if err := m.auth.MayGrant(ctx, caller(r), roles); err != nil {
		return asField("roles", err)
	}
	pw, shown := r.PostFormValue("password"), ""
	if pw == "" {
		pw = oneTimePassword()
		shown = pw
	}
	u, err := m.auth.CreateUser(ctx, auth.NewUser{Email: r.PostFormValue("email"), DisplayName: r.PostFormValue("display_name"),
		Password: pw, Roles: roles})
	if errors.Is(err, auth.ErrEmailTaken) {
		return webos.Invalid("email", "is taken by another user")
	}
	if err != nil {
		return err
	}
	return m.page(w, r, "Users", m.userView(r, u, shown))
}

func (m *Module) setActive(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == caller(r).ID {
		return webos.Invalid("active", "you cannot deactivate yourself")
	}
	active := r.PostFormValue("active") == "true"
	if err := m.mayManage(r, id); err != nil {
		return asField("active", err)
	}
	if err := m.auth.SetActive(r.Context(), id, active); err != nil {
		return asField("active", err)
	}
	return done(w, r, m.prefix+"/user/"+id)
}

func (m *Module) setRoles(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == caller(r).ID {
		return webos.Invalid("roles", "you cannot change your own roles")
	}
	roles := slices.Compact(slices.Sorted(slices.Values(r.PostForm["roles"])))
	if roles == nil {
		roles = []string{}
	}
	if err := m.mayManage(r, id); err != nil {
		return asField("roles", err)
	}
	if err := m.auth.MayGrant(r.Context(), caller(r), roles); err != nil {
		return asField("roles", err)
	}
	if err := m.auth.SetRoles(r.Context(), id, roles); err != nil {
		return asField("roles", err)
	}
	return done(w, r, m.prefix+"/user/"+id)
}

func (m *Module) resetPassword(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := m.mayManage(r, id); err != nil {
		return asField("password", err)
	}
	pw := oneTimePassword()
	if err := m.auth.SetPassword(r.Context(), id, pw); err != nil {
		return asField("password", err)
	}
	u, err := m.auth.User(r.Context(), id)
	if err != nil {
		return err
	}
	return m.page(w, r, "Users", m.userView(r, u, pw))
}

func (m *Module) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if id == caller(r).ID {
		return webos.Invalid("delete", "you cannot delete yourself")
	}
	if err := m.mayManage(r, id); err != nil {
		return asField("delete", err)
	}
	if err := m.auth.DeleteUser(r.Context(), id); err != nil {
		return asField("delete", err)
	}
	return done(w, r, m.prefix+"/users/")
}

// mayManage refuses changes to a user who holds permissions the caller
// does not: nobody acts on an account more powerful than their own.
func (m *Module) mayManage(r *http.Request, id string) error {
	target, err := m.auth.User(r.Context(), id)
	if err != nil {
		return err
	}
	if !auth.Allowed(caller(r).Permissions, target.Permissions...) {
		return auth.ErrForbidden
	}
	return nil
}

// newUserForm is the form that creates a user, shown above the grid.
func (m *Module) newUserForm(r *http.Request) g.Node {
	if !m.app.Can(r.Context(), auth.PermUsersWrite) {
		return nil
	}
	roles, _ := m.auth.Roles(r.Context())
	act := m.prefix + "/users/new"
	return ui.Card("New user",
		h.Form(h.ID("new-user"), h.Class("form"), h.Method("post"), h.Action(act), ui.HX("post", act), ui.HX("target", "main"), ui.HX("select", "main"),
			h.Div(h.Class("field"), h.Label(h.For("nu-email"), g.Text("E-mail")), h.Input(h.ID("nu-email"), h.Name("email"), h.Type("email"), h.Required())),
			h.Div(h.Class("field"), h.Label(h.For("nu-name"), g.Text("Name")), h.Input(h.ID("nu-name"), h.Name("display_name"))),
			h.Div(h.Class("field"), h.Label(h.For("nu-password"), g.Text("Password (empty: a one-time password is shown once)")),
				h.Input(h.ID("nu-password"), h.Name("password"), h.Type("password"), g.Attr("autocomplete", "new-password"))),
			h.Div(h.Class("field"), h.Label(h.For("nu-roles"), g.Text("Roles")),
				h.Select(h.ID("nu-roles"), h.Name("roles"), h.Multiple(), g.Map(roles, func(ro auth.Role) g.Node {
					return h.Option(h.Value(ro.Name), g.If(ro.Name == auth.RoleUser, h.Selected()), g.Text(ro.Name))
				}))),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Create user")),
			ui.FormErrors("new-user")))
}
