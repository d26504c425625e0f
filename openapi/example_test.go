package openapi_test

import (
	"encoding/json"
	"fmt"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/openapi"
)

type note struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Build turns routes into an OpenAPI document; an application's come from
// App.Routes.
func ExampleBuild() {
	spec, err := openapi.Build([]webos.Route{
		{Method: "GET", Path: "/notes/{id}", Module: "notes", SignedIn: true, Permissions: []string{"notes.use"},
			Operation: &webos.Operation{Summary: "One note", Response: note{}}},
	}, openapi.Info{Title: "Notes"})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(spec)
	var d struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Summary string   `json:"summary"`
			Perms   []string `json:"x-permissions"`
		}
	}
	_ = json.Unmarshal(b, &d)
	op := d.Paths["/notes/{id}"]["get"]
	fmt.Println(d.OpenAPI, op.Summary, op.Perms)
	// Output: 3.1.0 One note [notes.use]
}
