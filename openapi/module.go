package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/ui"
)

// ModuleID is the module's ID; its routes live under /api.
const ModuleID = "openapi"

// Module serves the application's OpenAPI 3.1 document, built from the
// routes every module mounted ([webos.App.Routes]):
//
//	GET /api/openapi.json   the document
//	GET /api/docs           a page in the shell that lists every operation
//
// Both are public, as the routes they describe are guarded themselves.
// Make it with [New]; list it after the shell.
type Module struct {
	info  Info
	app   *webos.App
	shell *ui.Module

	prefix string // where the routes are mounted, "/api"

	mu     sync.Mutex
	n      int    // routes the cached document was built from
	cached []byte // the document's JSON
}

// New returns the module; info names the API.
func New(info Info) *Module { return &Module{info: info} }

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: ModuleID, Name: "API", Icon: "📜", Version: "1.0.0", Prefix: "/api",
		Description: "The OpenAPI description of every route of the application."}
}

// Requires the shell, for the docs page.
func (m *Module) Requires() []string { return []string{ui.ModuleID} }

// Provision finds the shell.
func (m *Module) Provision(_ context.Context, app *webos.App) error {
	shell, err := registry.Get[*ui.Module](app.Registry())
	if err != nil {
		return err
	}
	m.app, m.shell = app, shell
	return nil
}

// Routes mounts the document and its page.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	pub := r.Public()
	pub.HandleFunc("GET /openapi.json", m.serveDocument, webos.Describe(webos.Operation{
		Summary: "The OpenAPI 3.1 document of the application", ContentType: "application/json"}))
	pub.HandleFunc("GET /docs", m.servePage, webos.Describe(webos.Operation{
		Summary: "A page listing every operation", ContentType: "text/html"}))
}

// MenuItems add the API page to the menu.
func (m *Module) MenuItems() []ui.MenuItem {
	return []ui.MenuItem{{Name: "API", Icon: "📜", Path: "/docs", Order: 98}}
}

// PaletteCommands open the API page.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{{Title: "API reference (OpenAPI)", Icon: "📜", Keywords: "openapi swagger rest docs", Href: "/docs"}}
}

// Document returns the application's OpenAPI document as JSON, built once
// for the routes mounted and rebuilt when they change (a restart).
func (m *Module) Document() ([]byte, error) {
	routes := m.app.Routes()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cached != nil && m.n == len(routes) {
		return m.cached, nil
	}
	spec, err := Build(routes, m.info)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	m.cached, m.n = b, len(routes)
	return b, nil
}

func (m *Module) serveDocument(w http.ResponseWriter, r *http.Request) error {
	b, err := m.Document()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, err = w.Write(b)
	return err
}

// doc is the part of the document the page shows.
type doc struct {
	Paths map[string]map[string]struct {
		Tags        []string `json:"tags"`
		Summary     string   `json:"summary"`
		Description string   `json:"description"`
		Parameters  []struct {
			Name string `json:"name"`
			In   string `json:"in"`
		} `json:"parameters"`
		RequestBody *struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Description string `json:"description"`
			Content     map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
		Security []map[string][]string `json:"security"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	} `json:"components"`
}

type opView struct {
	method, path, summary, desc string
	params                      []string
	request                     string
	responses                   []string
	secured                     bool
}

func (m *Module) servePage(w http.ResponseWriter, r *http.Request) error {
	b, err := m.Document()
	if err != nil {
		return err
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	byTag := map[string][]opView{}
	for path, ops := range d.Paths {
		for method, o := range ops {
			v := opView{method: strings.ToUpper(method), path: path, summary: o.Summary, desc: o.Description, secured: len(o.Security) > 0}
			for _, p := range o.Parameters {
				v.params = append(v.params, p.Name+" ("+p.In+")")
			}
			if o.RequestBody != nil {
				for ct, c := range o.RequestBody.Content {
					v.request = ct + " " + pretty(c.Schema)
				}
			}
			for _, code := range slices.Sorted(maps.Keys(o.Responses)) {
				res := o.Responses[code]
				line := code + " " + res.Description
				for ct, c := range res.Content {
					line += " · " + ct + " " + compact(c.Schema)
				}
				v.responses = append(v.responses, line)
			}
			tag := "kernel"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			byTag[tag] = append(byTag[tag], v)
		}
	}
	var sections []g.Node
	for _, tag := range slices.Sorted(maps.Keys(byTag)) {
		ops := byTag[tag]
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].path != ops[j].path {
				return ops[i].path < ops[j].path
			}
			return ops[i].method < ops[j].method
		})
		sections = append(sections, h.Div(h.ID("api-"+tag), ui.Card(tag, g.Map(ops, opNode))))
	}
	schemas := slices.Sorted(maps.Keys(d.Components.Schemas))
	return m.shell.Render(w, r, ui.Page{Title: "API", Content: g.Group([]g.Node{
		ui.PageHeader("📜", "API", "Every route of this application, from the OpenAPI 3.1 document."),
		h.P(h.A(h.Href(m.prefix+"/openapi.json"), g.Attr("data-openapi-link", ""), g.Text("openapi.json")),
			g.Text(" · send a bearer token (Authorization: Bearer …) or the session cookie to routes marked 🔒.")),
		g.Group(sections),
		ui.Card("Schemas", g.Map(schemas, func(name string) g.Node {
			return h.Details(h.ID("schema-"+name), h.Summary(h.Code(g.Text(name))), h.Pre(g.Text(pretty(d.Components.Schemas[name]))))
		})),
	})})
}

func opNode(v opView) g.Node {
	return h.Details(g.Attr("data-operation", v.method+" "+v.path),
		h.Summary(h.Span(h.Class("badge"), g.Text(v.method)), g.Text(" "), h.Code(g.Text(v.path)), g.If(v.secured, g.Text(" 🔒")),
			g.Text(" — "+v.summary)),
		g.If(v.desc != "", h.P(g.Text(v.desc))),
		g.If(len(v.params) > 0, h.P(h.Strong(g.Text("Parameters: ")), g.Text(strings.Join(v.params, ", ")))),
		g.If(v.request != "", h.Div(h.Strong(g.Text("Request body")), h.Pre(g.Text(v.request)))),
		h.Ul(g.Map(v.responses, func(s string) g.Node { return h.Li(g.Text(s)) })))
}

func pretty(raw json.RawMessage) string {
	var out bytes.Buffer
	if json.Indent(&out, raw, "", "  ") != nil {
		return string(raw)
	}
	return out.String()
}

func compact(raw json.RawMessage) string {
	var out bytes.Buffer
	if json.Compact(&out, raw) != nil {
		return string(raw)
	}
	return out.String()
}
