package docstest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos/internal/docstest"
)

// TestPackageDocs is what `go doc` and pkg.go.dev show, checked: every
// package of the module has a doc.go whose comment starts with "Package
// <name>" (a command's with "Command <name>") and says what it is for in
// its first sentence, and every importable package with an API — not a
// command, not under internal/ — has a runnable example with an
// // Output: comment. Folders with a go.mod of their own are other
// modules.
func TestPackageDocs(t *testing.T) {
	root := docstest.RepoRoot(t)
	err := filepath.WalkDir(root, func(dir string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if name == "testdata" || name == "node_modules" || name == "data" || name == "artifacts" || strings.HasPrefix(name, ".") && dir != root {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, dir)
		rel = filepath.ToSlash(rel)
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && dir != root {
			return filepath.SkipDir // a module of its own
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return true }, parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		var lib *ast.Package
		var tests []*ast.Package
		for n, p := range pkgs {
			if strings.HasSuffix(n, "_test") {
				tests = append(tests, p)
				continue
			}
			lib = p
		}
		if lib == nil {
			return nil
		}
		files := map[string]*ast.File{}
		for fn, f := range lib.Files {
			if strings.HasSuffix(fn, "_test.go") {
				continue
			}
			files[filepath.Base(fn)] = f
		}
		if len(files) == 0 {
			return nil // tests only
		}
		docFile, ok := files["doc.go"]
		if !ok || docFile.Doc == nil {
			t.Errorf("%s: no doc.go with the package documentation", rel)
			return nil
		}
		want := "Package " + lib.Name + " "
		if lib.Name == "main" {
			want = "Command "
		}
		if text := docFile.Doc.Text(); !strings.HasPrefix(text, want) || len(strings.Fields(strings.SplitN(text, ".", 2)[0])) < 5 {
			t.Errorf("%s: the documentation does not start with %q and a sentence saying what it is for:\n%.120s", rel, want, text)
		}
		if lib.Name == "main" || strings.HasPrefix(rel, "internal/") || strings.Contains(rel, "/internal/") || !exports(files) {
			return nil // a command, an internal package, or one without API (tests only)
		}
		for fn, f := range lib.Files {
			if strings.HasSuffix(fn, "_test.go") && hasExample(f) {
				return nil
			}
		}
		for _, p := range tests {
			for _, f := range p.Files {
				if hasExample(f) {
					return nil
				}
			}
		}
		t.Errorf("%s: no runnable example (func Example… with an // Output: comment)", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// exports reports whether the files declare an exported name.
func exports(files map[string]*ast.File) bool {
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
