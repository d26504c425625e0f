package admin

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/ui"
)

func (m *Module) newUserPage(w http.ResponseWriter, r *http.Request) error {
	return m.page(w, r, "Users", m.newUserForm(r))
}

func (m *Module) rolesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	roles, err := m.auth.Roles(ctx)
	if err != nil {
		return err
	}
	me := caller(r)
	canWrite := m.app.Can(ctx, auth.PermRolesWrite)
	catalog := m.auth.PermissionCatalog()
	var cards []g.Node
	for _, role := range roles {
		reason := ""
		if err := m.auth.MayChangeRole(ctx, me, role.Name, role.Permissions); err != nil {
			reason = "it grants permissions you do not hold"
		}
		cards = append(cards, m.roleForm(role, catalog, me, canWrite, reason))
	}
	if canWrite {
		cards = append(cards, m.roleForm(auth.Role{}, catalog, me, true, ""))
	}
	return m.page(w, r, "Roles", g.Group(cards))
}

// roleForm edits one role (a new one when role.Name is ""): the permission
// catalog grouped by module, each permission the caller does not hold
// shown disabled with the reason.
func (m *Module) roleForm(role auth.Role, catalog []auth.ModulePermission, me *auth.User, canWrite bool, reason string) g.Node {
	isNew := role.Name == ""
	formID := "role-" + role.Name
	title := role.Name
	if isNew {
		formID, title = "role-new", "New role"
	}
	locked := !canWrite || reason != ""
	var groups []g.Node
	byModule := map[string][]auth.ModulePermission{}
	var order []string
	for _, p := range catalog {
		if _, ok := byModule[p.Module]; !ok {
			order = append(order, p.Module)
		}
		byModule[p.Module] = append(byModule[p.Module], p)
	}
	extra := slices.DeleteFunc(slices.Clone(role.Permissions), func(p string) bool {
		return slices.ContainsFunc(catalog, func(c auth.ModulePermission) bool { return c.Name == p })
	})
	for _, mod := range order {
		var boxes []g.Node
		for _, p := range byModule[mod] {
			id := formID + "-" + strings.ReplaceAll(p.Name, ".", "-")
			holds := auth.Allowed(me.Permissions, p.Name)
			boxes = append(boxes, h.Div(h.Class("field"),
				h.Input(h.Type("checkbox"), h.ID(id), h.Name("permissions"), h.Value(p.Name),
					g.If(slices.Contains(role.Permissions, p.Name), h.Checked()), g.If(locked || !holds, h.Disabled())),
				h.Label(h.For(id), h.Code(g.Text(p.Name)), g.Text(" "+p.Description)),
				g.If(!holds && !locked, h.Span(h.Class("muted"), g.Text(" (you do not hold it)")))))
		}
		groups = append(groups, h.FieldSet(h.Legend(g.Text(mod)), g.Group(boxes)))
	}
	act := m.prefix + "/roles"
	return ui.Card(title,
		g.If(reason != "", h.P(h.Class("muted"), g.Text("Read-only: "+reason+"."))),
		h.Form(h.ID(formID), h.Class("form"), h.Method("post"), h.Action(act), ui.HX("post", act),
			g.If(isNew, h.Div(h.Class("field"), h.Label(h.For(formID+"-name"), g.Text("Name")),
				h.Input(h.ID(formID+"-name"), h.Name("name"), h.Required(), h.Pattern("[a-z0-9_-]{1,64}")))),
			g.If(!isNew, h.Input(h.Type("hidden"), h.Name("name"), h.Value(role.Name))),
			h.Div(h.Class("field"), h.Label(h.For(formID+"-desc"), g.Text("Description")),
				h.Input(h.ID(formID+"-desc"), h.Name("description"), h.Value(role.Description), g.If(locked, h.Disabled()))),
			g.Group(groups),
			h.Div(h.Class("field"), h.Label(h.For(formID+"-extra"), g.Text("Other permission strings (wildcards such as blog.*), one per line")),
				h.Textarea(h.ID(formID+"-extra"), h.Name("extra"), g.If(locked, h.Disabled()), g.Text(strings.Join(extra, "\n")))),
			g.If(!locked, h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Save role"))),
			ui.FormErrors(formID)),
		g.If(!isNew && !locked && role.Name != auth.RoleAdmin && role.Name != auth.RoleUser,
			h.Form(h.ID(formID+"-delete"), h.Method("post"), h.Action(act+"/"+role.Name+"/delete"), ui.HX("post", act+"/"+role.Name+"/delete"),
				ui.HX("confirm", "Delete the role "+role.Name+"? Only a role no user has can be deleted."),
				h.Button(h.Type("submit"), h.Class("button"), g.Text("Delete role")), ui.FormErrors(formID+"-delete"))))
}

func (m *Module) saveRole(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	perms := slices.Clone(r.PostForm["permissions"])
	for line := range strings.SplitSeq(r.PostFormValue("extra"), "\n") {
		if p := strings.TrimSpace(line); p != "" {
			perms = append(perms, p)
		}
	}
	slices.Sort(perms)
	perms = slices.Compact(perms)
	if perms == nil {
		perms = []string{}
	}
	ctx := r.Context()
	if err := m.auth.MayChangeRole(ctx, caller(r), name, perms); err != nil && !errors.Is(err, auth.ErrRoleNotFound) {
		return asField("permissions", err)
	}
	if _, err := m.auth.SaveRole(ctx, auth.Role{Name: name, Description: r.PostFormValue("description"), Permissions: perms}); err != nil {
		return asField("name", err)
	}
	return done(w, r, m.prefix+"/roles")
}

func (m *Module) deleteRole(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	roles, err := m.auth.Roles(r.Context())
	if err != nil {
		return err
	}
	i := slices.IndexFunc(roles, func(ro auth.Role) bool { return ro.Name == name })
	if i < 0 {
		return auth.ErrRoleNotFound
	}
	if err := m.auth.MayChangeRole(r.Context(), caller(r), name, roles[i].Permissions); err != nil {
		return asField("name", err)
	}
	if err := m.auth.DeleteRole(r.Context(), name); err != nil {
		return asField("name", err)
	}
	return done(w, r, m.prefix+"/roles")
}
