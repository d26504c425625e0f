package docstest

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KnownImports maps the package names a fragment may use without an
// import to their import paths: the SDK's packages, the demo apps the
// guides show, gomponents (as g and h) and the standard library's usual
// ones.
var KnownImports = map[string]string{
	"webos": ModulePath, "stack": ModulePath + "/stack", "registry": ModulePath + "/registry",
	"bus": ModulePath + "/bus", "redisbus": ModulePath + "/bus/redisbus", "store": ModulePath + "/store",
	"audit": ModulePath + "/audit", "auth": ModulePath + "/auth", "afs": ModulePath + "/afs",
	"cache": ModulePath + "/cache", "tasks": ModulePath + "/tasks", "openapi": ModulePath + "/openapi",
	"admin": ModulePath + "/admin", "settings": ModulePath + "/settings", "ui": ModulePath + "/ui",
	"explorer": ModulePath + "/explorer", "identity": ModulePath + "/identity", "trace": ModulePath + "/trace",
	"monitor": ModulePath + "/tasks/monitor",
	"notes":   ModulePath + "/examples/notes", "hello": ModulePath + "/examples/hello",
	"report": ModulePath + "/examples/report", "demo": ModulePath + "/examples/demo",
	"g": "maragu.dev/gomponents", "h": "maragu.dev/gomponents/html",
	"context": "context", "errors": "errors", "fmt": "fmt", "io": "io", "log": "log", "slog": "log/slog",
	"http": "net/http", "os": "os", "strings": "strings", "time": "time", "bytes": "bytes",
	"json": "encoding/json", "httptest": "net/http/httptest", "strconv": "strconv", "sync": "sync",
	"filepath": "path/filepath", "slices": "slices", "atomic": "sync/atomic", "signal": "os/signal",
}

// Source returns the Go file that compiles block b of the document name
// (a path shown in compiler errors, which point at the Markdown lines) in
// a package named pkg: a complete file as it stands, a fragment inside
// its wrapper (see the package documentation).
func Source(name, pkg string, b Block) (string, error) {
	line := fmt.Sprintf("//line %s:%d\n", name, b.Line)
	if !b.Has("fragment") {
		if !strings.HasPrefix(strings.TrimSpace(stripComments(b.Code)), "package ") {
			return "", fmt.Errorf("%s:%d: a ```go block is a complete file starting with its package clause; mark a part of one as ```go fragment", name, b.Line)
		}
		return line + b.Code, nil
	}
	var body string
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\n"+b.Context+b.Code, 0); err == nil {
		body = b.Context + line + b.Code
	} else if _, err2 := parser.ParseFile(fset, "", "package p\n"+b.Context+"func _() {\n"+b.Code+"}\n", 0); err2 == nil {
		body = b.Context + "func _() {\n" + line + b.Code + "}\n"
	} else {
		return "", fmt.Errorf("%s:%d: a fragment is declarations or statements: %v", name, b.Line, err2)
	}
	f, err := parser.ParseFile(fset, "", "package p\n"+body, 0)
	if err != nil {
		return "", err
	}
	var imports []string
	for _, id := range f.Unresolved {
		if _, ok := KnownImports[id.Name]; ok && !slices.Contains(imports, id.Name) {
			imports = append(imports, id.Name)
		}
	}
	slices.Sort(imports)
	var s strings.Builder
	fmt.Fprintf(&s, "package %s\n\n", pkg)
	for _, n := range imports {
		p := KnownImports[n]
		if filepath.Base(p) == n {
			fmt.Fprintf(&s, "import %q\n", p)
		} else {
			fmt.Fprintf(&s, "import %s %q\n", n, p)
		}
	}
	s.WriteString("\n" + body)
	return s.String(), nil
}

// stripComments drops the leading // comment lines of Go source.
func stripComments(src string) string {
	var keep []string
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "//") {
			keep = lines[i:]
			break
		}
	}
	return strings.Join(keep, "\n")
}

// CheckLinks checks the links of the Markdown files (paths relative to
// root, slash-separated): a relative link must name a file or folder of
// the repository, and a fragment (#anchor) must be a heading of the
// document it points into. Links with a scheme (https:, mailto:) are not
// followed. It returns one error for each broken link.
func CheckLinks(root string, files []string) []error {
	docs := map[string]*Doc{}
	load := func(rel string) (*Doc, error) {
		if d, ok := docs[rel]; ok {
			return d, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		d, err := Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		docs[rel] = d
		return d, nil
	}
	var errs []error
	for _, f := range files {
		d, err := load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, l := range d.Links {
			if err := checkLink(root, f, l.Target, load); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: %s: %v", f, l.Line, l.Target, err))
			}
		}
	}
	return errs
}

func checkLink(root, from, target string, load func(string) (*Doc, error)) error {
	if i := strings.Index(target, ":"); i > 0 && !strings.ContainsAny(target[:i], "/#.") {
		return nil // a scheme: https:, mailto:
	}
	path, frag, _ := strings.Cut(target, "#")
	rel := from
	if path != "" {
		if strings.HasPrefix(path, "/") {
			return fmt.Errorf("an absolute path; link relative to the document")
		}
		rel = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(from), path)))
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return fmt.Errorf("points outside the repository")
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			return fmt.Errorf("no such file")
		}
	}
	if frag == "" || !strings.HasSuffix(rel, ".md") {
		return nil
	}
	d, err := load(rel)
	if err != nil {
		return err
	}
	if !d.Anchors()[frag] {
		return fmt.Errorf("no heading with the anchor #%s in %s", frag, rel)
	}
	return nil
}
