package files

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/ui"
)

// PickerOptions configure a file picker ([Module.Picker]).
type PickerOptions struct {
	// Name is the form field that carries the chosen files' URNs, one
	// value per file (required).
	Name string
	// Label is the button's text (default "Select file", or "Select
	// files" with Multiple).
	Label string
	// Start is the folder the picker opens in (default the root of the
	// first source).
	Start afs.URN
	// Accept limits what may be chosen, as an <input type=file> accept
	// list: media types ("image/png"), families ("image/*") and
	// extensions (".pdf"). Empty accepts every file.
	Accept []string
	// Multiple lets the user choose several files.
	Multiple bool
	// Value is what is chosen already.
	Value []afs.URN
}

// Picker returns a "Select file" control for a form: a button that opens
// a dialog to browse every source the user may read (and upload into a
// folder, with the commander's resumable uploads), and hidden inputs
// named opts.Name holding the chosen files' URNs. When the user confirms,
// the control also fires a "files:pick" event (it bubbles) whose detail
// is the list of chosen files, each {urn, url, name, size, type}; url is
// [DownloadURL]. On the server, [Module.Picked] reads the field back.
//
//	fm, _ := registry.Get[*files.Module](app.Registry()) // in Provision
//	h.Form(h.Method("post"),
//		fm.Picker(files.PickerOptions{Name: "image", Accept: []string{"image/*"}}),
//		h.Button(g.Text("Save")))
//	// in the handler:
//	urns, err := fm.Picked(r, "image", []string{"image/*"})
//
// The picker needs the page to be one of the shell's, which loads its
// script.
func (m *Module) Picker(opts PickerOptions) g.Node {
	label := opts.Label
	if label == "" {
		label = "Select file"
		if opts.Multiple {
			label = "Select files"
		}
	}
	start := ""
	if !opts.Start.IsZero() {
		start = opts.Start.String()
	} else if names := m.fs.Sources(); len(names) > 0 {
		start = "fs://" + names[0]
	}
	return h.Div(h.Class("fp"), g.Attr("data-files-picker", ""), g.Attr("data-api", m.api("")),
		g.Attr("data-name", opts.Name), g.Attr("data-start", start),
		g.Attr("data-max-upload", strconv.FormatInt(m.opts.MaxUpload, 10)),
		g.Attr("data-accept", strings.Join(opts.Accept, ",")),
		g.If(opts.Multiple, g.Attr("data-multiple", "")),
		h.Button(h.Type("button"), h.Class("button fp-open"), g.Text(label)),
		h.Ul(h.Class("fp-chosen"), g.Map(opts.Value, func(u afs.URN) g.Node {
			return h.Li(h.Span(g.Text(u.Name())))
		})),
		g.Map(opts.Value, func(u afs.URN) g.Node {
			return h.Input(h.Type("hidden"), h.Name(opts.Name), h.Value(u.String()))
		}),
	)
}

// Picked returns the files a picker named name sent with the form of r:
// each a URN of an existing file (not a folder) the user may read, of a
// type accept allows (empty allows all). A missing field is no file and
// no error; anything else wrong is a validation error naming the field.
func (m *Module) Picked(r *http.Request, name string, accept []string) ([]afs.URN, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	var out []afs.URN
	for _, v := range r.PostForm[name] {
		u, err := afs.Parse(v)
		if err != nil {
			return nil, webos.Invalid(name, problem(err))
		}
		info, err := m.fs.Stat(r.Context(), u)
		switch {
		case errors.Is(err, afs.ErrNotFound):
			return nil, webos.Invalid(name, u.Name()+" does not exist")
		case err != nil:
			return nil, err
		case info.Folder:
			return nil, webos.Invalid(name, u.Name()+" is a folder")
		case !Accepts(accept, info.Name):
			return nil, webos.Invalid(name, u.Name()+" is not of an accepted type")
		}
		out = append(out, u)
	}
	return out, nil
}

// Accepts reports whether a file name fits an accept list as
// [PickerOptions.Accept] has it.
func Accepts(accept []string, name string) bool {
	if len(accept) == 0 {
		return true
	}
	typ, _ := typeOf(name)
	ext := strings.ToLower(path.Ext(name))
	for _, a := range accept {
		a = strings.ToLower(strings.TrimSpace(a))
		switch {
		case a == "" || a == "*" || a == "*/*":
			return true
		case strings.HasPrefix(a, "."):
			if ext == a {
				return true
			}
		case strings.HasSuffix(a, "/*"):
			if strings.HasPrefix(typ, strings.TrimSuffix(a, "*")) {
				return true
			}
		case a == typ:
			return true
		}
	}
	return false
}

// pickerPage is a page to try the picker on: one form with a single
// image picker and one with a multiple picker of any type.
func (m *Module) pickerPage(w http.ResponseWriter, r *http.Request) error {
	return m.shell.Render(w, r, ui.Page{Title: "File picker", Content: h.Div(h.Class("fp-demo"),
		ui.PageHeader("folder", "File picker", "The dialog other apps open to let you choose files."),
		ui.Card("Choose an image",
			h.Form(h.ID("fp-demo-one"), h.Method("post"), h.Action(m.prefix+"/picker"), ui.HX("boost", "false"),
				m.Picker(PickerOptions{Name: "image", Label: "Select image", Accept: []string{"image/*", ".pdf"}}),
				h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Use it")),
			)),
		ui.Card("Choose several files",
			h.Form(h.ID("fp-demo-many"), h.Method("post"), h.Action(m.prefix+"/picker"), ui.HX("boost", "false"),
				m.Picker(PickerOptions{Name: "image", Multiple: true}),
				h.Button(h.Type("submit"), h.Class("button primary"), g.Text("Use them")),
			)),
	)})
}

func (m *Module) pickerSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	urns, err := m.Picked(r, "image", nil)
	if err != nil {
		return err
	}
	return m.shell.Render(w, r, ui.Page{Title: "File picker", Content: ui.Card("You chose",
		h.Ul(h.ID("fp-result"), g.Map(urns, func(u afs.URN) g.Node {
			return h.Li(h.Code(g.Text(u.String())), g.Text(" "), h.A(h.Href(DownloadURL(u)), g.Text("open")))
		})),
		h.P(h.A(h.Href(m.prefix+"/picker"), g.Text("Choose again"))),
	)})
}
