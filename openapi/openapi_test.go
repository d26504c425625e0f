package openapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/openapi"
)

// ValidateDocument checks doc against the OpenAPI 3.1 schema.
func validateDocument(t *testing.T, doc []byte) {
	t.Helper()
	raw, err := os.ReadFile("testdata/oas-3.1-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("oas.json", meta); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("oas.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3.1: %v", err)
	}
}

type item struct {
	Title string `json:"title" minLength:"1"`
	Count int    `json:"count"`
}

type itemQuery struct {
	Limit int    `query:"limit"`
	Sort  string `query:"sort"`
}

func TestBuild(t *testing.T) {
	routes := []webos.Route{
		{Method: "GET", Path: "/health", Operation: &webos.Operation{Summary: "Up?", Response: webos.HealthReport{}}},
		{Method: "GET", Path: "/items/{$}", Module: "items", SignedIn: true, Operation: &webos.Operation{Request: itemQuery{}, Response: []item{}}},
		{Method: "GET", Path: "/items", Module: "items", SignedIn: true, Operation: &webos.Operation{Request: itemQuery{}, Response: []item{}}},
		{Method: "POST", Path: "/items/{id}/copies", Module: "items", SignedIn: true, Permissions: []string{"items.write"},
			Operation: &webos.Operation{Summary: "Copy", Request: item{}, Response: item{}, Status: http.StatusCreated}},
		{Method: "GET", Path: "/files/{path...}", Module: "files"},
		{Path: "/anything", Module: "files"},
	}
	spec, err := openapi.Build(routes, openapi.Info{Title: "Test", CookieName: "sid"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	validateDocument(t, doc)
	var d struct {
		Paths map[string]map[string]struct {
			Summary    string   `json:"summary"`
			Tags       []string `json:"tags"`
			Security   []map[string][]string
			Perms      []string `json:"x-permissions"`
			Parameters []struct{ Name, In string }
			Request    *struct{} `json:"requestBody"`
			Responses  map[string]json.RawMessage
		}
		Components struct {
			SecuritySchemes map[string]struct {
				Type, Scheme, In, Name string
			}
		}
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	copyOp := d.Paths["/items/{id}/copies"]["post"]
	if copyOp.Summary != "Copy" || len(copyOp.Security) != 2 || strings.Join(copyOp.Perms, ",") != "items.write" ||
		copyOp.Request == nil || copyOp.Responses["201"] == nil || copyOp.Responses["403"] == nil || copyOp.Responses["422"] == nil {
		t.Errorf("copy: %+v", copyOp)
	}
	if len(copyOp.Parameters) != 1 || copyOp.Parameters[0].Name != "id" || copyOp.Parameters[0].In != "path" {
		t.Errorf("copy parameters: %+v", copyOp.Parameters)
	}
	list := d.Paths["/items/"]["get"]
	if len(list.Parameters) != 2 || list.Request != nil || list.Tags[0] != "items" {
		t.Errorf("list: %+v", list)
	}
	if _, ok := d.Paths["/items"]["get"]; !ok {
		t.Error("/items without the slash is missing")
	}
	if f := d.Paths["/files/{path}"]["get"]; len(f.Parameters) != 1 || f.Parameters[0].Name != "path" || len(f.Security) != 0 {
		t.Errorf("files: %+v", f)
	}
	if _, ok := d.Paths["/anything"]["get"]; !ok {
		t.Error("a route for any method is not listed as GET")
	}
	if h := d.Paths["/health"]["get"]; h.Tags[0] != "kernel" || h.Summary != "Up?" || h.Responses["200"] == nil {
		t.Errorf("health: %+v", h)
	}
	if s := d.Components.SecuritySchemes[openapi.SchemeCookie]; s.In != "cookie" || s.Name != "sid" {
		t.Errorf("cookie scheme: %+v", s)
	}
	if s := d.Components.SecuritySchemes[openapi.SchemeBearer]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearer scheme: %+v", s)
	}
	if !strings.Contains(string(doc), `"WebosErrorBody"`) {
		t.Error("the error shape is missing")
	}
}
