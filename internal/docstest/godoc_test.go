package docstest_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/webos-go/webos/internal/docstest"
)

// TestPackageDocs is what `go doc` and pkg.go.dev show, checked: every
// package of the module has a doc.go whose comment starts with "Package
// <name>" (a command's with "Command <name>") and says what it is for in
// its first sentence, and every importable package with an API — not a
// command, not under internal/ — has a runnable example with an
// // Output: comment. The packages are those `go list ./...` gives.
func TestPackageDocs(t *testing.T) {
	root := docstest.RepoRoot(t)
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	documented, examples := 0, 0
	for dec.More() {
		var p struct {
			ImportPath, Name, Dir              string
			GoFiles, TestGoFiles, XTestGoFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if len(p.GoFiles) == 0 {
			continue // tests only
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, docstest.ModulePath), "/")
		fset := token.NewFileSet()
		parse := func(names []string) []*ast.File {
			var fs []*ast.File
			for _, n := range names {
				f, err := parser.ParseFile(fset, filepath.Join(p.Dir, n), nil, parser.ParseComments)
				if err != nil {
					t.Errorf("%s: %v", rel, err)
					continue
				}
				fs = append(fs, f)
			}
			return fs
		}
		if !slices.Contains(p.GoFiles, "doc.go") {
			t.Errorf("%s: no doc.go with the package documentation", rel)
			continue
		}
		doc := parse([]string{"doc.go"})
		if len(doc) == 0 || doc[0].Doc == nil {
			t.Errorf("%s: doc.go has no package documentation", rel)
			continue
		}
		documented++
		want := "Package " + p.Name + " "
		if p.Name == "main" {
			want = "Command "
		}
		if text := doc[0].Doc.Text(); !strings.HasPrefix(text, want) || len(strings.Fields(strings.SplitN(text, ".", 2)[0])) < 5 {
			t.Errorf("%s: the documentation does not start with %q and a sentence saying what it is for:\n%.120s", rel, want, text)
		}
		if p.Name == "main" || strings.HasPrefix(rel, "internal/") || strings.Contains(rel, "/internal/") || !exports(parse(p.GoFiles)) {
			continue // a command, an internal package, or one without API
		}
		if !slices.ContainsFunc(parse(append(p.TestGoFiles, p.XTestGoFiles...)), hasExample) {
			t.Errorf("%s: no runnable example (func Example… with an // Output: comment)", rel)
		}
		examples++
	}
	if documented < 30 || examples < 20 {
		t.Fatalf("only %d packages documented and %d with examples: is go list answering?", documented, examples)
	}
	t.Logf("%d packages have their doc.go, %d importable ones a runnable example", documented, examples)
}

// exports reports whether the files declare an exported name.
func exports(files []*ast.File) bool {
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() {
					return true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							return true
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}

// hasExample reports whether f declares an example function with an
// output comment, which go test runs and pkg.go.dev shows.
func hasExample(f *ast.File) bool {
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Example") || fn.Body == nil {
			continue
		}
		for _, c := range f.Comments {
			if c.Pos() > fn.Body.Lbrace && c.End() < fn.Body.Rbrace {
				if t := strings.TrimSpace(c.Text()); strings.HasPrefix(t, "Output:") || strings.HasPrefix(t, "Unordered output:") {
					return true
				}
			}
		}
	}
	return false
}
