package ui_test

import (
	"strings"
	"testing"

	"github.com/webos-go/webos/ui"
)

type withAssets struct {
	contributor
	assets []ui.PageAsset
}

func (w *withAssets) PageAssets() []ui.PageAsset { return w.assets }

// TestPageAssets: a module's script and stylesheet are loaded by every
// page after the shell's own, served hashed under the static path.
func TestPageAssets(t *testing.T) {
	m := &withAssets{contributor: contributor{id: "clip"}, assets: []ui.PageAsset{
		{Name: "clip.js", Body: []byte("console.log('clip')")},
		{Name: "clip.css", Body: []byte(".clip{color:red}")},
	}}
	env := startShell(t, ui.Config{}, m)
	_, body := get(t, env.srv.URL+"/", browserHeaders...)
	doc := parse(t, body)
	scripts := query(doc, "script[defer]")
	if len(scripts) != 3 {
		t.Fatalf("%d scripts, want htmx, webos and the module's", len(scripts))
	}
	src := attr(scripts[2], "src")
	if !strings.HasPrefix(src, ui.StaticPath+"/clip-clip.") || !strings.HasSuffix(src, ".js") {
		t.Fatalf("module script %q", src)
	}
	styles := query(doc, "link[rel=stylesheet]")
	css := attr(styles[len(styles)-1], "href")
	if !strings.HasPrefix(css, ui.StaticPath+"/clip-clip.") {
		t.Fatalf("module stylesheet %q", css)
	}
	resp, js := get(t, env.srv.URL+src)
	if resp.StatusCode != 200 || js != "console.log('clip')" || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("script: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), js)
	}
}
