package notes_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/webos-go/webos/internal/testenv"
)

// mainFunc returns func main of cmd/notes/main.go, the program the README
// and the package tour show.
func mainFunc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("cmd/notes/main.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	return strings.TrimSpace(s[strings.Index(s, "func main() {"):])
}

// TestReadmeAndTourShowTheProgram: the README's main and the root doc's
// tour are the program cmd/notes, which TestProgramServes builds and runs.
func TestReadmeAndTourShowTheProgram(t *testing.T) {
	want := mainFunc(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("the README has no Go block")
	}
	prog, _ := os.ReadFile("cmd/notes/main.go")
	body := string(prog)[strings.Index(string(prog), "package main"):]
	if strings.TrimSpace(string(block[1])) != strings.TrimSpace(body) {
		t.Errorf("the README's program differs from cmd/notes/main.go:\n%s", block[1])
	}
	doc, err := os.ReadFile("../../doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var tour []string
	in := false
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case strings.HasPrefix(line, "//\tfunc main() {"):
			in = true
		case in && !strings.HasPrefix(line, "//\t"):
			in = false
		}
		if in {
			tour = append(tour, strings.TrimPrefix(line, "//\t"))
		}
	}
	if got := strings.TrimSpace(strings.Join(tour, "\n")); got != want {
		t.Errorf("the tour in doc.go differs from cmd/notes:\n%s", got)
	}
}

// TestProgramServes builds cmd/notes and runs it as a user would, with no
// service and a fresh data folder: /health answers 200, the notes page
// asks for a sign-in, and SIGTERM stops it.
func TestProgramServes(t *testing.T) {
	testenv.Integration(t)
	bin := filepath.Join(t.TempDir(), "notes")
	build := exec.Command("go", "build", "-o", bin, "./cmd/notes")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	base, out := serve(t, bin)
	resp, err := http.Get(base + "/notes/list")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous notes: %d", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "sign in as admin@localhost") {
		t.Errorf("no first-run password printed:\n%s", out.String())
	}
}

// serve runs the program bin as a user would — in a fresh folder, on a
// free port of 127.0.0.1, with no service (env adds variables) — and
// waits until its /health answers 200. It returns the program's base URL
// and its output; at the end of the test it sends SIGTERM and expects a
// clean exit within 30 s.
func serve(t *testing.T, bin string, env ...string) (string, *testenv.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "WEBOS_DATA_DIR="+filepath.Join(dir, "data"), "WEBOS_ADDR="+addr,
		"WEBOS_MONGO_URL=", "WEBOS_REDIS_URL=", "WEBOS_AFS_SOURCES=", "WEBOS_ENV=development", "WEBOS_LOG_LEVEL=warn"), env...)
	out := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exit: %v\n%s", err, out.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("did not stop on SIGTERM\n%s", out.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := "http://" + addr
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, out
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/health never answered 200: %v\n%s", err, out.String())
		case err := <-done:
			t.Fatalf("the program exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
