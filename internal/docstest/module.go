package docstest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// ModulePath is the import path of this repository's module.
const ModulePath = "github.com/webos-go/webos"

// RepoRoot returns the folder of this repository's go.mod, found from the
// working directory upwards.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module "+ModulePath+"\n") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod of %s above the working directory", ModulePath)
		}
		dir = parent
	}
}

// Module is a temporary Go module outside the repository that requires
// the SDK by a replace directive to the repository's folder — what a
// developer's own module is, with the SDK not yet published. Its go
// commands run with GOFLAGS=-mod=mod, GOPROXY=off and the repository's
// go.sum, so that they resolve every dependency from the module cache
// and never download.
type Module struct {
	Dir  string // the module's folder
	Path string // its module path
	root string
}

// NewModule makes an empty module with the module path path in a
// temporary folder that the test removes.
func NewModule(t testing.TB, path string) *Module {
	t.Helper()
	m := &Module{Dir: t.TempDir(), Path: path, root: RepoRoot(t)}
	gomod := fmt.Sprintf("module %s\n\ngo 1.26.0\n\nrequire %s v0.0.0\n\nreplace %s => %s\n", path, ModulePath, ModulePath, m.root)
	m.Write(t, "go.mod", gomod)
	sum, err := os.ReadFile(filepath.Join(m.root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	m.Write(t, "go.sum", string(sum))
	return m
}

// Write writes content to the file name (a slash-separated path inside
// the module), making its folders; a name that would leave the module's
// folder fails the test.
func (m *Module) Write(t testing.TB, name, content string) {
	t.Helper()
	root, err := os.OpenRoot(m.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	p := filepath.FromSlash(name)
	if err := root.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := root.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ErrOffline is returned by [Module.Go] when the go command needed a
// module that is not in the module cache (it may not download one).
var ErrOffline = errors.New("a module is missing from the module cache")

// Go runs the go command in the module's folder with args and returns
// its combined output. An error carries the output.
func (m *Module) Go(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = m.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		s := out.String()
		if strings.Contains(s, "module lookup disabled") || strings.Contains(s, "GOPROXY=off") {
			return s, fmt.Errorf("go %s: %w:\n%s", strings.Join(args, " "), ErrOffline, s)
		}
		return s, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, s)
	}
	return out.String(), nil
}

// CopyDir copies the files of the repository folder src (relative to the
// repository root, e.g. "examples/notes") into the module's folder dst,
// with their sub-folders; files named *_test.go are left out when
// withTests is false.
func (m *Module) CopyDir(t testing.TB, src, dst string, withTests bool) {
	t.Helper()
	from, err := os.OpenRoot(filepath.Join(m.root, filepath.FromSlash(src)))
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	err = fs.WalkDir(from.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !withTests && strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := from.ReadFile(filepath.FromSlash(p))
		if err != nil {
			return err
		}
		m.Write(t, path.Join(dst, p), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
