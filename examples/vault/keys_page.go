package vault

import (
	"net/http"
	"slices"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// keyRoutes are the administrators' page of the master keys, which needs
// PermRotate besides the module's permission.
func (m *Module) keyRoutes(r *webos.Router) {
	admin := r.Require(PermRotate)
	admin.HandleFunc("GET /api/keys", m.apiKeys)
	admin.HandleFunc("GET /keys", m.keysPage)
	admin.HandleFunc("POST /keys/rotate", m.rotateForm)
}

func (m *Module) apiKeys(w http.ResponseWriter, r *http.Request) error {
	st, err := m.KeyStatus(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, map[string]any{"current": m.keys.Current(), "wrapped_by": st})
	return nil
}

func (m *Module) keysPage(w http.ResponseWriter, r *http.Request) error {
	st, err := m.KeyStatus(r.Context())
	if err != nil {
		return err
	}
	ids := m.keys.IDs()
	rows := g.Group{}
	for i, id := range ids {
		role := "older: opens only"
		if i == 0 {
			role = "newest: wraps new data keys"
		}
		rows = append(rows, h.Tr(g.Attr("data-key", id), h.Td(h.Code(g.Text(id))), h.Td(g.Text(role)), h.Td(g.Textf("%d", st[id]))))
	}
	if n := st["unknown"]; n > 0 {
		rows = append(rows, h.Tr(h.Td(g.Text("not configured")), h.Td(g.Text("these vaults do not open")), h.Td(g.Textf("%d", n))))
	}
	stale := int64(0)
	for id, n := range st {
		if id != m.keys.Current() && slices.Contains(ids, id) {
			stale += n
		}
	}
	return m.render(w, r, "Vault keys", ui.PageHeader("key", "Vault keys",
		"Master keys come from WEBOS_VAULT_MASTER_KEYS, newest first. They wrap each user's data key; the entries themselves are sealed by the data keys."),
		ui.Card("Master keys",
			h.Table(h.Class("table"), h.THead(h.Tr(h.Th(g.Text("Fingerprint")), h.Th(g.Text("Role")), h.Th(g.Text("Data keys it wraps")))), h.TBody(rows)),
			h.P(h.Class("muted space-above"), g.Textf("%d data keys are wrapped by an older key. Re-wrapping them under the newest lets you remove the older keys from the configuration.", stale)),
			h.Form(h.ID("rotate-form"), h.Class("form-inline"), h.Action(m.prefix+"/keys/rotate"), h.Method("post"),
				ui.HX("post", m.prefix+"/keys/rotate"), ui.HX("target", "#rotate-runs"), ui.HX("swap", "afterbegin"),
				h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Re-wrap under the newest key"))),
			h.Div(h.ID("rotate-runs"), g.Attr("aria-live", "polite")),
		))
}

func (m *Module) rotateForm(w http.ResponseWriter, r *http.Request) error {
	id, err := m.Rotate(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/tasks/"+id)
	if !ui.IsHTMX(r) {
		webos.WriteJSON(w, http.StatusAccepted, map[string]string{"id": id})
		return nil
	}
	return m.fragment(w, http.StatusAccepted, h.Div(h.Class("vault-rotation"), g.Attr("data-task", id), ui.TaskProgress(id)))
}
