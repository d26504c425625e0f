package vault

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// pageRoutes are the shell's pages and their htmx fragments.
func (m *Module) pageRoutes(r *webos.Router) {
	r.HandleFunc("GET /{$}", m.listPage)
	r.HandleFunc("GET /entries", m.listFragment)
	r.HandleFunc("GET /new", m.newPage)
	r.HandleFunc("POST /entries", m.createForm)
	r.HandleFunc("GET /entries/{entry}", m.entryPage)
	r.HandleFunc("GET /entries/{entry}/edit", m.editPage)
	r.HandleFunc("POST /entries/{entry}", m.updateForm)
	r.HandleFunc("POST /entries/{entry}/delete", m.deleteForm)
	r.HandleFunc("GET /entries/{entry}/reveal/{field}", m.revealFragment)
	r.HandleFunc("GET /entries/{entry}/edit-field/{field}", m.editFieldFragment)
	r.HandleFunc("GET /generator", m.generatorPage)
	r.HandleFunc("GET /generator/result", m.generatorResult)
	r.HandleFunc("GET /generator/field", m.generatorField)
	r.HandleFunc("GET /health", m.healthPage)
	r.HandleFunc("GET /transfer", m.transferPage)
	r.HandleFunc("POST /import", m.importForm, webos.BodyLimit(maxImportBytes), webos.Timeout(10*time.Minute))
}

func (m *Module) render(w http.ResponseWriter, r *http.Request, title string, content ...g.Node) error {
	active := m.prefix + "/" // the pages without a menu entry of their own are the vault's
	for _, it := range m.MenuItems() {
		if r.URL.Path == m.prefix+it.Path {
			active = ""
		}
	}
	return m.shell.Render(w, r, ui.Page{Title: title, Active: active, Content: h.Div(h.Class("vault"), g.Group(content))})
}

func (m *Module) fragment(w http.ResponseWriter, status int, n g.Node) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	ui.SetSecurityHeaders(w.Header())
	w.Header().Set("Vary", "HX-Request")
	w.WriteHeader(status)
	return n.Render(w)
}

// location sends an htmx client on to path inside the shell, or a browser
// with a redirect.
func (m *Module) location(w http.ResponseWriter, r *http.Request, path string) {
	if ui.IsHTMX(r) {
		b, _ := json.Marshal(map[string]string{"path": path, "target": "#" + ui.MainTarget, "swap": "outerHTML"})
		w.Header().Set("HX-Location", string(b))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func (m *Module) toolbar() g.Node {
	p := m.prefix
	return h.Nav(h.Class("vault-toolbar"), g.Attr("aria-label", "Vault"),
		h.A(h.Class("button primary"), h.Href(p+"/new"), g.Text("New entry")),
		h.A(h.Class("button"), h.Href(p+"/"), g.Text("All entries")),
		h.A(h.Class("button"), h.Href(p+"/generator"), g.Text("Generator")),
		h.A(h.Class("button"), h.Href(p+"/health"), g.Text("Password health")),
		h.A(h.Class("button"), h.Href(p+"/transfer"), g.Text("Import / export")),
		h.A(h.Class("button"), h.Href(p+"/security"), g.Text("Passphrase")),
	)
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	page, err := m.List(r.Context(), o)
	if err != nil {
		return err
	}
	folders, tags, err := m.Folders(r.Context())
	if err != nil {
		return err
	}
	p := m.prefix
	option := func(v, cur string) g.Node { return h.Option(h.Value(v), g.If(v == cur, h.Selected()), g.Text(v)) }
	filters := h.Form(h.ID("vault-search"), h.Class("form-inline vault-filters"), h.Role("search"),
		h.Action(p+"/"), h.Method("get"),
		ui.HX("get", p+"/entries"), ui.HX("target", "#vault-list"), ui.HX("swap", "outerHTML"),
		ui.HX("trigger", "input changed delay:250ms from:#vault-q, change, submit"), ui.HX("push-url", "false"),
		h.Label(h.For("vault-q"), g.Text("Search")),
		h.Input(h.ID("vault-q"), h.Name("q"), h.Type("search"), h.Value(o.Query), h.Placeholder("Title or web address"), h.MaxLength("200"), h.AutoComplete("off")),
		h.Label(h.For("vault-folder"), g.Text("Folder")),
		h.Select(h.ID("vault-folder"), h.Name("folder"), h.Option(h.Value(""), g.Text("All")), g.Map(folders, func(f string) g.Node { return option(f, o.Folder) })),
		h.Label(h.For("vault-tag"), g.Text("Tag")),
		h.Select(h.ID("vault-tag"), h.Name("tag"), h.Option(h.Value(""), g.Text("All")), g.Map(tags, func(t string) g.Node { return option(t, o.Tag) })),
		h.Label(h.Input(h.Type("checkbox"), h.Name("favorites"), h.Value("true"), g.If(o.Favorites, h.Checked())), g.Text(" Favourites")),
		h.NoScript(h.Button(h.Type("submit"), h.Class("button"), g.Text("Search"))),
	)
	st, err := m.LockState(r.Context())
	if err != nil {
		return err
	}
	return m.render(w, r, "Vault",
		ui.PageHeader("lock", "Vault", "Encrypted in the database with a key of your own. Secrets show only when you reveal or copy them."),
		m.toolbar(), m.lockBanner(st, p+"/"), filters, m.entryList(page, o))
}

func (m *Module) listFragment(w http.ResponseWriter, r *http.Request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	page, err := m.List(r.Context(), o)
	if err != nil {
		return err
	}
	if !ui.IsHTMX(r) {
		http.Redirect(w, r, m.prefix+"/?"+r.URL.RawQuery, http.StatusSeeOther)
		return nil
	}
	return m.fragment(w, http.StatusOK, m.entryList(page, o))
}

func (m *Module) entryList(page *store.Page[Entry], o ListOptions) g.Node {
	p := m.prefix
	if len(page.Items) == 0 {
		msg := "Your vault is empty. Add an entry or import an export of another password manager."
		if o.Query != "" || o.Folder != "" || o.Tag != "" || o.Favorites {
			msg = "No entry matches."
		}
		return h.Div(h.ID("vault-list"), h.P(h.Class("muted vault-empty"), g.Text(msg)))
	}
	next := url.Values{"q": {o.Query}, "folder": {o.Folder}, "tag": {o.Tag}, "after": {page.Next}}
	if o.Favorites {
		next.Set("favorites", "true")
	}
	return h.Div(h.ID("vault-list"),
		h.Table(h.Class("table vault-table"),
			h.THead(h.Tr(h.Th(g.Text("")), h.Th(g.Text("Title")), h.Th(g.Text("User name")), h.Th(g.Text("Web address")), h.Th(g.Text("Folder")), h.Th(g.Text("Tags")))),
			h.TBody(g.Map(page.Items, func(e Entry) g.Node {
				return h.Tr(g.Attr("data-entry", e.ID),
					h.Td(g.If(e.Favorite, h.Span(h.Class("vault-fav"), g.Attr("title", "Favourite"), g.Text("★")))),
					h.Td(h.A(h.Class("vault-title"), h.Href(p+"/entries/"+e.ID), g.Text(e.Title))),
					h.Td(g.Text(e.Username)),
					h.Td(g.If(len(e.URLs) > 0, g.Text(first(e.URLs)))),
					h.Td(g.Text(e.Folder)),
					h.Td(g.Map(e.Tags, func(t string) g.Node {
						return h.A(h.Class("badge"), h.Href(p+"/?tag="+url.QueryEscape(t)), g.Text(t))
					})),
				)
			})),
		),
		g.If(page.Next != "", h.P(h.A(h.Class("button"), h.Href(p+"/?"+next.Encode()), g.Text("More")))),
	)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (m *Module) newPage(w http.ResponseWriter, r *http.Request) error {
	return m.render(w, r, "New entry", ui.PageHeader("lock", "New entry", ""), m.toolbar(), m.editor(nil))
}

func (m *Module) editPage(w http.ResponseWriter, r *http.Request) error {
	e, err := m.Get(r.Context(), r.PathValue("entry"))
	if err != nil {
		return err
	}
	return m.render(w, r, "Edit "+e.Title, ui.PageHeader("lock", "Edit "+e.Title, ""), m.toolbar(), m.editor(e))
}

// editor is the form of a new entry (e nil) or of e. Secret fields are
// never filled in: left empty they keep their value; "Edit" loads one
// into the form when the user asks.
func (m *Module) editor(e *Entry) g.Node {
	p := m.prefix
	action := p + "/entries"
	if e == nil {
		e = &Entry{}
	} else {
		action = p + "/entries/" + e.ID
	}
	field := func(id, label string, input g.Node, hint ...g.Node) g.Node {
		return h.Div(h.Class("field"), h.Label(h.For(id), g.Text(label)), input, g.Group(hint))
	}
	secret := func(name, label string, input g.Node) g.Node {
		id := "entry-" + name
		if !e.Has(name) {
			return field(id, label, h.Div(h.ID(id+"-wrap"), h.Class("vault-secret-input"), input))
		}
		return field(id, label, h.Div(h.ID(id+"-wrap"), h.Class("vault-secret-input"), input,
			h.Button(h.Type("button"), h.Class("button"), ui.HX("get", p+"/entries/"+e.ID+"/edit-field/"+name),
				ui.HX("target", "#"+id+"-wrap"), ui.HX("swap", "innerHTML"), g.Text("Show to edit")),
			h.Label(h.Class("vault-clear"), h.Input(h.Type("checkbox"), h.Name("clear_"+name)), g.Text(" remove")),
		), h.Small(h.Class("muted"), g.Text("Set; left empty, it stays as it is.")))
	}
	return ui.Card("",
		h.Form(h.ID("entry-form"), h.Class("form vault-editor"), h.Action(action), h.Method("post"),
			ui.HX("post", action), ui.HX("swap", "none"),
			field("entry-title", "Title", h.Input(h.ID("entry-title"), h.Name("title"), h.Value(e.Title), h.Required(), h.MaxLength("200"))),
			field("entry-username", "User name", h.Input(h.ID("entry-username"), h.Name("username"), h.Value(e.Username), h.AutoComplete("off"))),
			secret(FieldPassword, "Password", g.Group{
				h.Input(h.ID("entry-password"), h.Name("password"), h.Type("password"), h.AutoComplete("new-password"), h.MaxLength("4096")),
				h.Button(h.Type("button"), h.Class("button"), h.ID("entry-generate"), ui.HX("get", p+"/generator/field"),
					ui.HX("target", "#entry-password-wrap"), ui.HX("swap", "innerHTML"), g.Text("Generate")),
			}),
			field("entry-urls", "Web addresses", h.Textarea(h.ID("entry-urls"), h.Name("urls"), h.Rows("2"), g.Text(strings.Join(e.URLs, "\n"))),
				h.Small(h.Class("muted"), g.Text("One a line."))),
			secret(FieldTOTP, "One-time password secret (TOTP)", h.Input(h.ID("entry-totp"), h.Name("totp"), h.Type("password"), h.AutoComplete("off"),
				h.Placeholder("base32 secret or otpauth:// link"))),
			secret(FieldNotes, "Notes", h.Textarea(h.ID("entry-notes"), h.Name("notes"), h.Rows("4"))),
			field("entry-folder", "Folder", h.Input(h.ID("entry-folder"), h.Name("folder"), h.Value(e.Folder), h.MaxLength("100"))),
			field("entry-tags", "Tags", h.Input(h.ID("entry-tags"), h.Name("tags"), h.Value(strings.Join(e.Tags, ", "))),
				h.Small(h.Class("muted"), g.Text("Separated by commas."))),
			h.Label(h.Input(h.Type("checkbox"), h.Name("favorite"), g.If(e.Favorite, h.Checked())), g.Text(" Favourite")),
			ui.FormErrors("entry-form"),
			h.Div(h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Save"))),
		))
}

// formInput decodes the editor's form: empty secrets keep their value,
// and a ticked "remove" box removes one.
func formInput(r *http.Request) (Input, error) {
	var in Input
	if err := webos.Decode(r, &in); err != nil {
		return in, err
	}
	for name, p := range map[string]**string{FieldPassword: &in.Password, FieldNotes: &in.Notes, FieldTOTP: &in.TOTP} {
		if *p != nil && **p == "" {
			*p = nil
		}
		if r.PostForm.Get("clear_"+name) != "" {
			*p = ptr("")
		}
	}
	return in, nil
}

func (m *Module) createForm(w http.ResponseWriter, r *http.Request) error {
	in, err := formInput(r)
	if err != nil {
		return err
	}
	e, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	m.location(w, r, m.prefix+"/entries/"+e.ID)
	return nil
}

func (m *Module) updateForm(w http.ResponseWriter, r *http.Request) error {
	in, err := formInput(r)
	if err != nil {
		return err
	}
	e, err := m.Get(r.Context(), r.PathValue("entry"))
	if err != nil {
		return err
	}
	if in.Fields == nil {
		in.Fields = e.Fields // the form does not edit custom fields
	}
	if _, err := m.Update(r.Context(), e.ID, in); err != nil {
		return err
	}
	m.location(w, r, m.prefix+"/entries/"+e.ID)
	return nil
}

func (m *Module) deleteForm(w http.ResponseWriter, r *http.Request) error {
	if err := m.Delete(r.Context(), r.PathValue("entry")); err != nil {
		return err
	}
	m.location(w, r, m.prefix+"/")
	return nil
}

// hidden is what stands for a secret that is not revealed.
const hidden = "••••••••"

// RevealSeconds is how long a revealed secret stays on the page.
const RevealSeconds = 20

// ClipboardSeconds is how long a copied secret stays on the clipboard,
// where the browser lets the page clear it.
const ClipboardSeconds = 30

func (m *Module) entryPage(w http.ResponseWriter, r *http.Request) error {
	e, err := m.Get(r.Context(), r.PathValue("entry"))
	if err != nil {
		return err
	}
	p := m.prefix
	base := p + "/entries/" + e.ID
	secretRow := func(name, label string) g.Node {
		if !e.Has(name) {
			return nil
		}
		return g.Group{
			h.Dt(g.Text(label)),
			h.Dd(h.Class("vault-secret"),
				h.Span(h.ID("secret-"+name), h.Class("vault-secret-value"), g.Attr("data-hidden", hidden), g.Text(hidden)),
				h.Button(h.Type("button"), h.Class("button"), h.ID("reveal-"+name), ui.HX("get", base+"/reveal/"+name),
					ui.HX("target", "#secret-"+name), ui.HX("swap", "innerHTML"), g.Text("Reveal")),
				g.If(name != FieldNotes, copyButton("copy-"+name, p+"/api/entries/"+e.ID+"/secrets/"+name)),
			),
		}
	}
	custom := g.Group{}
	for _, f := range e.Fields {
		if f.Secret {
			custom = append(custom, secretRow(customPrefix+f.Name, f.Name))
		} else {
			custom = append(custom, h.Dt(g.Text(f.Name)), h.Dd(g.Text(f.Value)))
		}
	}
	var totp g.Node
	if e.Has(FieldTOTP) {
		totp = g.Group{h.Dt(g.Text("One-time code")), h.Dd(
			h.Div(h.ID("totp"), h.Class("vault-totp"), g.Attr("data-totp-url", p+"/api/entries/"+e.ID+"/totp"), g.Attr("aria-live", "polite"),
				h.Span(h.Class("vault-totp-code"), g.Attr("data-totp-code", ""), g.Text("······")),
				h.Progress(g.Attr("data-totp-bar", ""), h.Max("30"), h.Value("30"), g.Attr("aria-label", "Time left")),
				h.Span(h.Class("muted"), g.Attr("data-totp-left", ""), g.Text("")),
				copyButton("copy-totp", ""),
			))}
	}
	var breach g.Node
	if m.breach != nil && e.Has(FieldPassword) {
		breach = h.Button(h.Type("button"), h.Class("button"), ui.HX("get", base+"/reveal/breach"), ui.HX("target", "#breach-result"),
			g.Text("Check for breaches"))
	}
	st, err := m.LockState(r.Context())
	if err != nil {
		return err
	}
	return m.render(w, r, e.Title,
		ui.PageHeader("lock", e.Title, ""), m.toolbar(), m.lockBanner(st, base),
		ui.Card("",
			h.Dl(h.Class("facts vault-entry"),
				g.If(e.Username != "", g.Group{h.Dt(g.Text("User name")), h.Dd(h.Span(h.ID("entry-username-value"), g.Text(e.Username)),
					copyText("copy-username", e.Username))}),
				secretRow(FieldPassword, "Password"),
				totp,
				g.If(len(e.URLs) > 0, g.Group{h.Dt(g.Text("Web addresses")), h.Dd(g.Map(e.URLs, func(u string) g.Node {
					return h.Div(g.If(safeLink(u), h.A(h.Href(u), h.Rel("noopener noreferrer"), h.Target("_blank"), g.Text(u))), g.If(!safeLink(u), g.Text(u)))
				}))}),
				secretRow(FieldNotes, "Notes"),
				custom,
				g.If(e.Folder != "", g.Group{h.Dt(g.Text("Folder")), h.Dd(h.A(h.Href(p+"/?folder="+url.QueryEscape(e.Folder)), g.Text(e.Folder)))}),
				g.If(len(e.Tags) > 0, g.Group{h.Dt(g.Text("Tags")), h.Dd(g.Map(e.Tags, func(t string) g.Node {
					return h.A(h.Class("badge"), h.Href(p+"/?tag="+url.QueryEscape(t)), g.Text(t))
				}))}),
				g.If(!e.PasswordChangedAt.IsZero(), g.Group{h.Dt(g.Text("Password set")), h.Dd(g.Text(e.PasswordChangedAt.Format("2 Jan 2006")))}),
				h.Dt(g.Text("Changed")), h.Dd(g.Text(e.UpdatedAt.Format("2 Jan 2006 15:04 MST"))),
			),
			h.P(h.Class("muted vault-hint"), g.Textf("Revealed secrets hide again after %d seconds; copied ones are cleared from the clipboard after %d seconds where the browser allows it.", RevealSeconds, ClipboardSeconds)),
			h.Div(h.Class("form-inline space-above"),
				h.A(h.Class("button primary"), h.Href(base+"/edit"), g.Text("Edit")),
				breach, h.Span(h.ID("breach-result")),
				h.Form(h.Class("inline-form"), h.Action(base+"/delete"), h.Method("post"), ui.HX("post", base+"/delete"), ui.HX("swap", "none"),
					ui.HX("confirm", "Delete “"+e.Title+"” for good?"),
					h.Button(h.Type("submit"), h.Class("button"), g.Text("Delete"))),
			),
		))
}

func safeLink(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// copyButton copies what url answers ({"value": …}) — or, with no url,
// the text of the closest [data-totp-code] — to the clipboard.
func copyButton(id, src string) g.Node {
	return h.Button(h.Type("button"), h.Class("button"), h.ID(id), g.Attr("data-copy-url", src), g.Attr("data-clear-after", strconv.Itoa(ClipboardSeconds)), g.Text("Copy"))
}

// copyText copies a value that is already on the page (not a secret).
func copyText(id, v string) g.Node {
	return h.Button(h.Type("button"), h.Class("button"), h.ID(id), g.Attr("data-copy-text", v), g.Text("Copy"))
}

// revealFragment answers the Reveal button: the secret, which the page
// script hides again after RevealSeconds. "breach" answers the breach
// check instead.
func (m *Module) revealFragment(w http.ResponseWriter, r *http.Request) error {
	id, field := r.PathValue("entry"), r.PathValue("field")
	if field == "breach" {
		n, err := m.Breached(r.Context(), id)
		if err != nil {
			return err
		}
		msg := "Not found in known breaches."
		if n > 0 {
			msg = fmt.Sprintf("Found %d times in known breaches: change it.", n)
		}
		return m.fragment(w, http.StatusOK, h.Span(h.Class("vault-breach"), g.Attr("data-breached", strconv.FormatBool(n > 0)), g.Text(msg)))
	}
	v, err := m.Reveal(r.Context(), id, field)
	if err != nil {
		return err
	}
	noStore(w)
	return m.fragment(w, http.StatusOK, h.Span(h.Class("vault-revealed"), g.Attr("data-autohide", strconv.Itoa(RevealSeconds)), g.Text(v)))
}

// editFieldFragment puts a secret's value into the editor, on request.
func (m *Module) editFieldFragment(w http.ResponseWriter, r *http.Request) error {
	field := r.PathValue("field")
	if field != FieldPassword && field != FieldNotes && field != FieldTOTP {
		return fmt.Errorf("%w: no such field", webos.ErrNotFound)
	}
	v, err := m.Reveal(r.Context(), r.PathValue("entry"), field)
	if err != nil {
		return err
	}
	noStore(w)
	id := "entry-" + field
	var n g.Node = h.Input(h.ID(id), h.Name(field), h.Type("text"), h.Value(v), h.AutoComplete("off"))
	if field == FieldNotes {
		n = h.Textarea(h.ID(id), h.Name(field), h.Rows("4"), g.Text(v))
	}
	return m.fragment(w, http.StatusOK, n)
}

func (m *Module) generatorForm(id, target string) g.Node {
	p := m.prefix
	d := DefaultGenerate
	check := func(name, label string, on bool) g.Node {
		return h.Label(h.Input(h.Type("checkbox"), h.Name(name), h.Value("true"), g.If(on, h.Checked())), g.Text(" "+label))
	}
	return h.Form(h.ID(id), h.Class("form vault-generator"), h.Action(p+"/generator/result"), h.Method("get"),
		ui.HX("get", p+"/generator/result"), ui.HX("target", target), ui.HX("trigger", "change, submit, load"),
		h.FieldSet(h.Legend(g.Text("Kind")),
			h.Label(h.Input(h.Type("radio"), h.Name("mode"), h.Value("chars"), h.Checked()), g.Text(" Characters")),
			h.Label(h.Input(h.Type("radio"), h.Name("mode"), h.Value("words")), g.Text(" Words (passphrase)")),
		),
		h.Div(h.Class("form-inline"),
			h.Label(h.For(id+"-length"), g.Text("Length")),
			h.Input(h.ID(id+"-length"), h.Name("length"), h.Type("number"), h.Min("4"), h.Max("256"), h.Value(strconv.Itoa(d.Length))),
			check("lower", "a–z", d.Lower), check("upper", "A–Z", d.Upper), check("digits", "0–9", d.Digits), check("symbols", "!#$…", d.Symbols),
			check("exclude_similar", "no look-alikes (Il1O0…)", d.ExcludeSimilar),
		),
		h.Div(h.Class("form-inline"),
			h.Label(h.For(id+"-words"), g.Text("Words")),
			h.Input(h.ID(id+"-words"), h.Name("words"), h.Type("number"), h.Min("3"), h.Max("20"), h.Value("5")),
			h.Label(h.For(id+"-sep"), g.Text("Separator")),
			h.Input(h.ID(id+"-sep"), h.Name("separator"), h.Value("-"), h.MaxLength("3")),
			check("capitalize", "Capitalise", false),
		),
		ui.FormErrors(id),
		h.Div(h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Generate again"))),
	)
}

func (m *Module) generatorPage(w http.ResponseWriter, r *http.Request) error {
	return m.render(w, r, "Password generator", ui.PageHeader("key", "Password generator", "Random passwords and passphrases, made on the server from a cryptographic source; nothing is stored."),
		m.toolbar(), ui.Card("", m.generatorForm("gen-form", "#gen-result"), h.Div(h.ID("gen-result"), h.Class("vault-gen-result"), g.Attr("aria-live", "polite"))))
}

// generated reads the generator's form; the "words" count only counts in
// word mode.
func generated(r *http.Request) (Generated, error) {
	q := r.URL.Query()
	if q.Get("mode") != "words" {
		q.Del("words")
	}
	r.URL.RawQuery = q.Encode()
	o, err := generateOptions(r)
	if err != nil {
		return Generated{}, err
	}
	g, err := Generate(o)
	if err != nil {
		return Generated{}, webos.Invalid("length", err.Error())
	}
	return g, nil
}

func entropyNote(bits float64) g.Node {
	verdict := "strong"
	switch {
	case bits < WeakBits:
		verdict = "weak"
	case bits < 80:
		verdict = "fair"
	}
	return h.Span(h.Class("muted vault-entropy"), g.Attr("data-entropy", strconv.FormatFloat(bits, 'f', 1, 64)),
		g.Textf("%.0f bits of entropy (%s)", math.Floor(bits), verdict))
}

func (m *Module) generatorResult(w http.ResponseWriter, r *http.Request) error {
	gen, err := generated(r)
	if err != nil {
		return err
	}
	noStore(w)
	return m.fragment(w, http.StatusOK, h.Div(h.Class("vault-generated"),
		g.El("output", h.ID("gen-password"), h.Class("vault-password"), g.Text(gen.Password)),
		copyText("gen-copy", gen.Password), entropyNote(gen.Entropy)))
}

// generatorField answers the editor's Generate button: the password field
// filled with a new password, shown, with its entropy.
func (m *Module) generatorField(w http.ResponseWriter, r *http.Request) error {
	gen, err := generated(r)
	if err != nil {
		return err
	}
	noStore(w)
	return m.fragment(w, http.StatusOK, g.Group{
		h.Input(h.ID("entry-password"), h.Name("password"), h.Type("text"), h.Value(gen.Password), h.AutoComplete("off")),
		h.Button(h.Type("button"), h.Class("button"), h.ID("entry-generate"), ui.HX("get", m.prefix+"/generator/field"),
			ui.HX("target", "#entry-password-wrap"), ui.HX("swap", "innerHTML"), g.Text("Generate")),
		entropyNote(gen.Entropy),
	})
}

func (m *Module) healthPage(w http.ResponseWriter, r *http.Request) error {
	rep, err := m.Health(r.Context(), time.Now())
	if err != nil {
		return err
	}
	p := m.prefix
	link := func(it HealthItem) g.Node { return h.A(h.Href(p+"/entries/"+it.ID), g.Text(it.Title)) }
	list := func(id, title, empty string, items []HealthItem, note func(HealthItem) string) g.Node {
		return ui.Card(fmt.Sprintf("%s (%d)", title, len(items)), h.Div(h.ID(id),
			g.If(len(items) == 0, h.P(h.Class("muted"), g.Text(empty))),
			g.If(len(items) > 0, h.Ul(g.Map(items, func(it HealthItem) g.Node {
				return h.Li(g.Attr("data-entry", it.ID), link(it), h.Span(h.Class("muted"), g.Text(" "+note(it))))
			}))),
		))
	}
	reused := ui.Card(fmt.Sprintf("Reused (%d)", len(rep.Reused)), h.Div(h.ID("health-reused"),
		g.If(len(rep.Reused) == 0, h.P(h.Class("muted"), g.Text("No password is used twice."))),
		g.Map(rep.Reused, func(grp []HealthItem) g.Node {
			return h.P(g.Attr("data-group", strconv.Itoa(len(grp))), g.Textf("One password for %d entries: ", len(grp)), g.Map(grp, func(it HealthItem) g.Node {
				return h.Span(g.Attr("data-entry", it.ID), link(it), g.Text(" "))
			}))
		})))
	var breached g.Node = ui.Card("Breaches", h.P(h.Class("muted"), g.Text("The breach check is off (WEBOS_VAULT_BREACH_URL).")))
	if rep.BreachChecked {
		breached = list("health-breached", "Found in breaches", "None of your passwords is in a known breach.", rep.Breached,
			func(it HealthItem) string { return fmt.Sprintf("seen %d times", it.Seen) })
	}
	return m.render(w, r, "Password health",
		ui.PageHeader("shield", "Password health", fmt.Sprintf("%d passwords checked.", rep.Checked)), m.toolbar(),
		list("health-weak", "Weak", "No weak password.", rep.Weak, func(it HealthItem) string { return fmt.Sprintf("about %.0f bits", it.Bits) }),
		reused,
		list("health-old", "Old", "No password is older than the limit.", rep.Old, func(it HealthItem) string {
			return "set " + it.Since.Format("2 Jan 2006")
		}),
		breached,
	)
}

func (m *Module) transferPage(w http.ResponseWriter, r *http.Request) error {
	p := m.prefix
	return m.render(w, r, "Import and export", ui.PageHeader("file", "Import and export", ""), m.toolbar(),
		ui.Card("Import",
			h.P(g.Text("A CSV export of Bitwarden, KeePassXC or KeePass. Every login becomes a new entry; nothing is replaced.")),
			h.Form(h.ID("import-form"), h.Class("form"), h.Action(p+"/import"), h.Method("post"), h.EncType("multipart/form-data"),
				ui.HX("post", p+"/import"), ui.HX("encoding", "multipart/form-data"), ui.HX("target", "#import-result"),
				h.Div(h.Class("field"), h.Label(h.For("import-file"), g.Text("CSV file")),
					h.Input(h.ID("import-file"), h.Name("file"), h.Type("file"), h.Accept(".csv,text/csv"), h.Required())),
				ui.FormErrors("import-form"),
				h.Div(h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Import"))),
			),
			h.Div(h.ID("import-result"), g.Attr("aria-live", "polite")),
		),
		ui.Card("Export",
			h.P(h.Class("flash flash-warning"), h.Role("note"),
				h.Strong(g.Text("The export holds every password, note and one-time password secret in the clear. ")),
				g.Text("Anyone who gets the file can open all your accounts: keep it on an encrypted disk, and delete it when you are done.")),
			h.Form(h.ID("export-form"), h.Class("form"), h.Action(p+"/api/export"), h.Method("post"), ui.HX("boost", "false"),
				h.Label(h.Input(h.Type("checkbox"), h.Name("confirm"), h.Value("true"), h.Required()), g.Text(" I understand; export my vault as a Bitwarden CSV file.")),
				h.Div(h.Button(h.Type("submit"), h.Class("button"), g.Text("Export"))),
			),
		),
	)
}

func (m *Module) importForm(w http.ResponseWriter, r *http.Request) error {
	body, err := importBody(r)
	if err != nil {
		return err
	}
	res, err := m.Import(r.Context(), body)
	if err != nil {
		return err
	}
	if !ui.IsHTMX(r) {
		webos.WriteJSON(w, http.StatusOK, res)
		return nil
	}
	return m.fragment(w, http.StatusOK, h.Div(h.Class("vault-import-result"),
		h.P(g.Textf("Imported %d entries from a %s export.", res.Imported, res.Format)),
		g.If(len(res.Skipped) > 0, h.Ul(g.Map(res.Skipped, func(s ImportIssue) g.Node {
			return h.Li(g.Textf("Line %d skipped: %s", s.Line, s.Problem))
		}))),
		h.P(h.A(h.Class("button"), h.Href(m.prefix+"/"), g.Text("See the entries"))),
	))
}
