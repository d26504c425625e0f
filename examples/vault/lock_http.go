package vault

import (
	"net/http"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// lockRoutes serve the optional vault passphrase: its state, lock,
// unlock and set, change or remove — as JSON and as the shell's forms.
func (m *Module) lockRoutes(r *webos.Router) {
	r.HandleFunc("GET /api/lock", m.apiLockState)
	r.HandleFunc("POST /api/lock", m.lockForm)
	r.HandleFunc("POST /api/unlock", m.unlockForm)
	r.HandleFunc("PUT /api/passphrase", m.passphraseForm)
	r.HandleFunc("GET /security", m.securityPage)
	r.HandleFunc("POST /lock", m.lockForm)
	r.HandleFunc("POST /unlock", m.unlockForm)
	r.HandleFunc("POST /passphrase", m.passphraseForm)
}

func (m *Module) apiLockState(w http.ResponseWriter, r *http.Request) error {
	st, err := m.LockState(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, st)
	return nil
}

// done answers a successful form: 204 for API clients, the next page for
// the shell.
func (m *Module) done(w http.ResponseWriter, r *http.Request, next string) {
	if ui.IsHTMX(r) || r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		m.location(w, r, next)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// next is where a form sends the user afterwards: a path of the vault's
// own, or its list.
func (m *Module) next(r *http.Request) string {
	n := r.PostForm.Get("next")
	if strings.HasPrefix(n, m.prefix+"/") && !strings.HasPrefix(n, "//") && !strings.ContainsAny(n, "\\\r\n") {
		return n
	}
	return m.prefix + "/"
}

func (m *Module) lockForm(w http.ResponseWriter, r *http.Request) error {
	if err := m.Lock(r.Context()); err != nil {
		return err
	}
	m.done(w, r, m.prefix+"/")
	return nil
}

func (m *Module) unlockForm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Passphrase string `json:"passphrase" validate:"required,max=1024"`
	}
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if err := m.Unlock(r.Context(), in.Passphrase); err != nil {
		return err
	}
	m.done(w, r, m.next(r))
	return nil
}

func (m *Module) passphraseForm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current string `json:"current" validate:"max=1024"`
		New     string `json:"new" validate:"max=1024"`
		Repeat  string `json:"repeat" validate:"max=1024"`
		Remove  bool   `json:"remove"`
	}
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" && in.New != in.Repeat {
		return webos.Invalid("repeat", "is not the same as the new passphrase")
	}
	if in.New == "" && !in.Remove {
		return webos.Invalid("new", "is required (or remove the passphrase)")
	}
	if err := m.SetPassphrase(r.Context(), in.Current, in.New); err != nil {
		return err
	}
	m.done(w, r, m.prefix+"/security")
	return nil
}

// lockBanner is the list's and the entries' notice of a protected vault:
// the unlock form while it is locked, the Lock button while it is open.
func (m *Module) lockBanner(st LockState, next string) g.Node {
	p := m.prefix
	switch {
	case !st.Protected:
		return nil
	case st.Locked:
		return ui.Card("", h.Form(h.ID("unlock-form"), h.Class("form-inline vault-unlock"), h.Action(p+"/unlock"), h.Method("post"),
			ui.HX("post", p+"/unlock"), ui.HX("swap", "none"),
			h.Strong(g.Text("The vault is locked.")),
			h.Label(h.For("unlock-passphrase"), g.Text("Passphrase")),
			h.Input(h.ID("unlock-passphrase"), h.Name("passphrase"), h.Type("password"), h.AutoComplete("current-password"), h.Required()),
			h.Input(h.Type("hidden"), h.Name("next"), h.Value(next)),
			h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Unlock")),
			ui.FormErrors("unlock-form")))
	}
	return h.Form(h.ID("lock-form"), h.Class("form-inline vault-lock"), h.Action(p+"/lock"), h.Method("post"),
		ui.HX("post", p+"/lock"), ui.HX("swap", "none"),
		h.Span(h.Class("muted"), g.Textf("Unlocked; locks itself after %d minutes unused.", st.IdleSeconds/60)),
		h.Button(h.Type("submit"), h.Class("button"), g.Text("Lock now")))
}

func (m *Module) securityPage(w http.ResponseWriter, r *http.Request) error {
	st, err := m.LockState(r.Context())
	if err != nil {
		return err
	}
	p := m.prefix
	pw := func(id, name, label, ac string) g.Node {
		return h.Div(h.Class("field"), h.Label(h.For(id), g.Text(label)),
			h.Input(h.ID(id), h.Name(name), h.Type("password"), h.AutoComplete(ac), h.MaxLength("1024")))
	}
	var body g.Node
	if st.Protected && st.Locked {
		body = m.lockBanner(st, p+"/security")
	} else {
		body = ui.Card(map[bool]string{true: "Change or remove the passphrase", false: "Protect the vault with a passphrase"}[st.Protected],
			h.P(h.Class("muted"), g.Textf("With a passphrase, the vault's key needs it as well as the server's master key: a copy of the database and the server's configuration together still open nothing. "+
				"You unlock the vault once; it locks itself after %d minutes unused. Nobody can recover a forgotten passphrase — the entries are then lost.", st.IdleSeconds/60)),
			h.Form(h.ID("passphrase-form"), h.Class("form"), h.Action(p+"/passphrase"), h.Method("post"),
				ui.HX("post", p+"/passphrase"), ui.HX("swap", "none"),
				g.If(st.Protected, pw("pass-current", "current", "Current passphrase", "current-password")),
				pw("pass-new", "new", "New passphrase", "new-password"),
				pw("pass-repeat", "repeat", "New passphrase again", "new-password"),
				g.If(st.Protected, h.Label(h.Input(h.Type("checkbox"), h.Name("remove")), g.Text(" Remove the passphrase instead"))),
				ui.FormErrors("passphrase-form"),
				h.Div(h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Save"))),
			))
	}
	return m.render(w, r, "Vault passphrase", ui.PageHeader("lock", "Vault passphrase", ""), m.toolbar(), m.lockBanner(st, p+"/security"), body)
}
