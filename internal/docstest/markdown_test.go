package docstest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos/internal/docstest"
)

func TestAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"How to protect a route":          "how-to-protect-a-route",
		"1. A new Go module":              "1-a-new-go-module",
		"`store.Owned` and `Collection`":  "storeowned-and-collection",
		"Why the context? (ContextVars)":  "why-the-context-contextvars",
		"MongoDB ∩ FerretDB":              "mongodb--ferretdb",
		"[Links](x.md) in a heading":      "links-in-a-heading",
		"Événements — bus_events":         "événements--bus_events",
		"Several instances, one database": "several-instances-one-database",
	} {
		if got := docstest.Anchor(in); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	src := "# A\n\n## A\n\n- a list item:\n\n  ```go fragment\n  x := 1\n  ```\n\n" +
		"`[not](a-link.md)` and [a](b.md \"title\") ![img](i.svg)\n\n[ref]: c.md#d\n\n" +
		"````md\n```go\nnot a block\n```\n````\n"
	d, err := docstest.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Headings) != 2 || d.Headings[1].Anchor != "a-1" {
		t.Errorf("headings: %+v", d.Headings)
	}
	if len(d.Blocks) != 2 || d.Blocks[0].Code != "x := 1\n" || !d.Blocks[0].Has("fragment") || d.Blocks[1].Lang != "md" {
		t.Errorf("blocks: %+v", d.Blocks)
	}
	var targets []string
	for _, l := range d.Links {
		targets = append(targets, l.Target)
	}
	if got := strings.Join(targets, " "); got != "b.md i.svg c.md#d" {
		t.Errorf("links: %s", got)
	}
	if _, err := docstest.Parse("```go\nnever closed\n"); err == nil {
		t.Error("an unclosed block parsed")
	}
}

func TestCheckLinks(t *testing.T) {
	root := t.TempDir()
	write := func(name, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "[ok](docs/a.md#b-c) [gone](docs/none.md) [bad anchor](docs/a.md#nope) [web](https://example.com/x#y) [self](#readme)\n# README\n")
	write("docs/a.md", "## B c\n[up](../README.md) [out](../../etc/passwd) [code](../main.go#L3)\n")
	write("main.go", "package main\n")
	var got []string
	for _, err := range docstest.CheckLinks(root, []string{"README.md", "docs/a.md"}) {
		got = append(got, err.Error())
	}
	want := []string{
		"README.md:1: docs/none.md: no such file",
		"README.md:1: docs/a.md#nope: no heading with the anchor #nope in docs/a.md",
		"docs/a.md:2: ../../etc/passwd: points outside the repository",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSourceWrapsFragments(t *testing.T) {
	decl, err := docstest.Source("x.md", "frag", docstest.Block{Line: 3, Lang: "go", Attrs: map[string]string{"fragment": ""},
		Code: "func f(w http.ResponseWriter) { webos.WriteJSON(w, 200, nil) }\n"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"package frag", `import "net/http"`, `import "github.com/webos-go/webos"`, "//line x.md:3\nfunc f("} {
		if !strings.Contains(decl, s) {
			t.Errorf("declarations: no %q in\n%s", s, decl)
		}
	}
	stmts, err := docstest.Source("x.md", "frag", docstest.Block{Line: 9, Lang: "go", Attrs: map[string]string{"fragment": ""},
		Context: "var cfg webos.Config\n", Code: "app := webos.New(cfg)\n_ = app\n"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stmts, "var cfg webos.Config\nfunc _() {\n//line x.md:9\napp := webos.New(cfg)") {
		t.Errorf("statements:\n%s", stmts)
	}
	if _, err := docstest.Source("x.md", "frag", docstest.Block{Line: 1, Lang: "go", Code: "x := 1\n"}); err == nil {
		t.Error("a fragment without the marker was taken")
	}
}
