package settings

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/webos-go/webos"
)

// View is one module's settings as the HTTP API shows them.
type View struct {
	// Module is the module's ID.
	Module string `json:"module"`
	// Name is the module's display name.
	Name string `json:"name"`
	// Fields describe the settings, each with its current value.
	Fields []FieldView `json:"fields"`
}

// FieldView is a [Field] with its current value.
type FieldView struct {
	Field
	// Value is the effective value: stored, or the default.
	Value any `json:"value"`
}

// Views lists every module's settings, in module registration order.
func (m *Module) Views() ([]View, error) {
	cat := m.cat.Load()
	if cat == nil {
		return nil, ErrNotStarted
	}
	out := make([]View, 0, len(cat.order))
	for _, e := range cat.order {
		v, err := m.View(e.id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// View returns one module's settings.
func (m *Module) View(moduleID string) (View, error) {
	e, err := m.entry(moduleID)
	if err != nil {
		return View{}, err
	}
	vals, err := m.Values(moduleID)
	if err != nil {
		return View{}, err
	}
	v := View{Module: e.id, Name: e.name, Fields: make([]FieldView, 0, len(e.schema.fields))}
	for _, f := range e.schema.fields {
		v.Fields = append(v.Fields, FieldView{Field: f, Value: vals[f.Key]})
	}
	return v, nil
}

// Routes serves the HTTP API under the module's prefix (/settings):
//
//	GET   /settings/          every module's settings ([View] list)
//	GET   /settings/{module}  one module's settings
//	PATCH /settings/{module}  change some: a JSON object of key → value
//
// Reads need PermRead, changes PermWrite, which the application's
// authorizer checks (with none, every request is refused).
func (m *Module) Routes(r *webos.Router) {
	read, write := r.Require(PermRead), r.Require(PermWrite)
	read.HandleFunc("GET /", m.list, webos.Describe(webos.Operation{Summary: "Every module's settings", Response: []View{}}))
	read.HandleFunc("GET /{module}", m.get, webos.Describe(webos.Operation{Summary: "One module's settings", Response: View{}}))
	write.HandleFunc("PATCH /{module}", m.patch, webos.Describe(webos.Operation{
		Summary: "Change some of a module's settings: key → new value, null for the default", Request: map[string]any{}, Response: View{}}))
}

func (m *Module) list(w http.ResponseWriter, _ *http.Request) error {
	vs, err := m.Views()
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, vs)
	return nil
}

func (m *Module) get(w http.ResponseWriter, r *http.Request) error {
	v, err := m.View(r.PathValue("module"))
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (m *Module) patch(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("module")
	if _, err := m.entry(id); err != nil {
		return err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%w: settings: the body must be a JSON object (application/json)", webos.ErrBadRequest)
	}
	var patch map[string]any
	if err := webos.Decode(r, &patch); err != nil {
		return err
	}
	if patch == nil {
		return fmt.Errorf("%w: settings: body must be a JSON object", webos.ErrBadRequest)
	}
	if err := m.Set(r.Context(), id, patch); err != nil {
		return err
	}
	v, err := m.View(id)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, v)
	return nil
}
