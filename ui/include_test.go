package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/ui"
)

// includer adds a script and a stylesheet to the shell in Provision.
type includer struct{ err error }

func (*includer) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "includer"} }
func (*includer) Requires() []string           { return []string{ui.ModuleID} }
func (i *includer) Provision(_ context.Context, app *webos.App) error {
	shell, err := registry.Get[*ui.Module](app.Registry())
	if err != nil {
		return err
	}
	if err := shell.Include("extra.js", []byte("window.extra = 1;")); err != nil {
		return err
	}
	if err := shell.Include("extra.css", []byte(".extra { color: red; }")); err != nil {
		return err
	}
	i.err = shell.Include("extra.html", []byte("<p>no</p>"))
	return nil
}

// TestInclude: a module's script and stylesheet are linked from every
// page of the shell under hashed names and served; other file types are
// refused.
func TestInclude(t *testing.T) {
	inc := &includer{}
	env := startShell(t, ui.Config{}, inc)
	if inc.err == nil || !strings.Contains(inc.err.Error(), ".css and .js") {
		t.Errorf("Include of an HTML file: %v", inc.err)
	}
	_, body := get(t, env.srv.URL+"/", browserHeaders...)
	doc := parse(t, body)
	var script, style string
	for _, n := range query(doc, "script[src]") {
		if s := attr(n, "src"); strings.Contains(s, "/extra.") {
			script = s
		}
	}
	for _, n := range query(doc, "link[rel=stylesheet]") {
		if s := attr(n, "href"); strings.Contains(s, "/extra.") {
			style = s
		}
	}
	if script == "" || style == "" {
		t.Fatalf("page links script %q, style %q", script, style)
	}
	for u, want := range map[string]string{script: "window.extra", style: ".extra"} {
		resp, b := get(t, env.srv.URL+u)
		if resp.StatusCode != 200 || !strings.Contains(b, want) {
			t.Errorf("%s: %d %q", u, resp.StatusCode, b)
		}
	}
}
