package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a git repository with a Go module in a temporary folder and
// installs the pre-commit hook there the way `make hooks` does.
func repo(t *testing.T) (run func(args ...string) (string, error)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	hooks, err := filepath.Abs("hooks.sh")
	if err != nil {
		t.Fatal(err)
	}
	run = func(args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GOFLAGS=", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, c := range [][]string{{"git", "init", "-q"}, {"bash", hooks}} {
		if out, err := run(c...); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hooked\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return run
}

func write(t *testing.T, run func(...string) (string, error), name, src string) {
	t.Helper()
	out, err := run("bash", "-c", "mkdir -p \"$(dirname "+name+")\" && cat > "+name+" <<'EOF'\n"+src+"EOF")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := run("git", "add", "-A"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestHookRefusesBadCommits: with the hook `make hooks` installs, a commit
// of a malformatted file is refused and names the file, so is one go vet
// or staticcheck finds fault with, and a clean one goes through.
func TestHookRefusesBadCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git, go vet and staticcheck: not under -short")
	}
	run := repo(t)

	write(t, run, "pkg/a.go", "package pkg\nfunc A() int {   return 1 }\n")
	out, err := run("git", "commit", "-q", "-m", "malformatted")
	if err == nil {
		t.Fatalf("a malformatted file was committed:\n%s", out)
	}
	if !strings.Contains(out, "need gofmt -w") || !strings.Contains(out, "pkg/a.go") || !strings.Contains(out, "commit refused") {
		t.Errorf("the refusal does not name the file:\n%s", out)
	}

	write(t, run, "pkg/a.go", "package pkg\n\nimport \"fmt\"\n\n// A prints.\nfunc A() { fmt.Printf(\"%d\\n\", \"x\") }\n")
	if out, err := run("git", "commit", "-q", "-m", "vet"); err == nil || !strings.Contains(out, "go vet failed") {
		t.Errorf("a file go vet faults was committed (%v):\n%s", err, out)
	}

	write(t, run, "pkg/a.go", "package pkg\n\nimport \"strings\"\n\n// A compares.\nfunc A(s string) bool { return strings.ToLower(s) == strings.ToLower(\"X\") }\n")
	if out, err := run("git", "commit", "-q", "-m", "staticcheck"); err == nil || !strings.Contains(out, "staticcheck failed") {
		t.Errorf("a file staticcheck faults was committed (%v):\n%s", err, out)
	}

	write(t, run, "pkg/a.go", "package pkg\n\n// A is one.\nfunc A() int { return 1 }\n")
	if out, err := run("git", "commit", "-q", "-m", "clean"); err != nil {
		t.Fatalf("a clean commit was refused: %v\n%s", err, out)
	}
	if out, _ := run("git", "log", "--oneline"); strings.Count(out, "\n") != 1 || !strings.Contains(out, "clean") {
		t.Errorf("log:\n%s", out)
	}
}
