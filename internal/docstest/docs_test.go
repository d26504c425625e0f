package docstest_test

import (
	"context"
	"errors"
	"fmt"
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

	"github.com/webos-go/webos/internal/docstest"
	"github.com/webos-go/webos/internal/testenv"
)

// documents returns the README and every Markdown file under docs/,
// relative to root; the guides (docs/*.md) come right after the README.
func documents(t *testing.T, root string) []string {
	t.Helper()
	docs := []string{"README.md"}
	var deeper []string
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel = filepath.ToSlash(rel); strings.Count(rel, "/") == 1 {
			docs = append(docs, rel)
		} else {
			deeper = append(deeper, rel)
		}
		return nil
	})
	if err != nil || len(docs) == 1 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append(docs, deeper...)
}

func parse(t *testing.T, root, rel string) *docstest.Doc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	d, err := docstest.Parse(string(b))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return d
}

// TestLinks: every relative link of the README and of the Markdown files
// under docs/ names a file of the repository, every #anchor a heading of
// its document, and every guide (docs/*.md) is linked from the README.
func TestLinks(t *testing.T) {
	root := docstest.RepoRoot(t)
	docs := documents(t, root)
	for _, err := range docstest.CheckLinks(root, docs) {
		t.Error(err)
	}
	linked := map[string]bool{}
	for _, l := range parse(t, root, "README.md").Links {
		path, _, _ := strings.Cut(l.Target, "#")
		linked[path] = true
	}
	for _, d := range docs[1:] {
		if !linked[d] && strings.Count(d, "/") == 1 {
			t.Errorf("the README does not link %s", d)
		}
	}
}

// TestGoBlocks compiles every ```go block of the README and docs/ that is
// not part of a tutorial's project (those are built by
// TestFirstModuleTutorial): each in a package of its own in one
// temporary module that requires the SDK, with go vet. Compiler errors
// point at the Markdown lines. A ```go copy=PATH block must be the
// repository's file PATH as it is, which the repository's build compiles.
func TestGoBlocks(t *testing.T) {
	root := docstest.RepoRoot(t)
	m := docstest.NewModule(t, "example.com/docsblocks")
	n := 0
	for _, rel := range documents(t, root) {
		for _, b := range parse(t, root, rel).Blocks {
			if b.Lang != "go" || b.Has("file") {
				continue
			}
			n++
			if p := b.Attrs["copy"]; p != "" {
				src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
				if err != nil {
					t.Errorf("%s:%d: %v", rel, b.Line, err)
				} else if strings.TrimSpace(string(src)) != strings.TrimSpace(b.Code) {
					t.Errorf("%s:%d: the block differs from %s; copy the file again", rel, b.Line, p)
				}
				continue
			}
			dir := fmt.Sprintf("b%03d", n)
			src, err := docstest.Source(rel, "frag", b)
			if err != nil {
				t.Error(err)
				continue
			}
			m.Write(t, dir+"/block.go", src)
		}
	}
	if n == 0 {
		t.Fatal("no Go blocks found")
	}
	out, err := m.Go("vet", "./...")
	if errors.Is(err, docstest.ErrOffline) && testing.Short() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("the documentation's Go blocks do not compile:\n%s", out)
	}
	t.Logf("%d Go blocks compile", n)
}

// tutorial is a document's project: its files, and its steps in order.
type tutorial struct {
	module string            // from `go mod init` in the ```sh setup block
	files  map[string]string // file= blocks
	steps  []docstest.Block  // ```sh run, ```sh serve and ```text output blocks
}

func readTutorial(t *testing.T, root, rel string) tutorial {
	t.Helper()
	tu := tutorial{files: map[string]string{}}
	for _, b := range parse(t, root, rel).Blocks {
		switch {
		case b.Has("file"):
			tu.files[b.Attrs["file"]] += b.Code
		case b.Lang == "sh" && b.Has("setup"):
			if m := regexp.MustCompile(`go mod init (\S+)`).FindStringSubmatch(b.Code); m != nil {
				tu.module = m[1]
			}
		case b.Lang == "sh" && (b.Has("run") || b.Has("serve")), b.Lang == "text" && b.Has("output"):
			tu.steps = append(tu.steps, b)
		}
	}
	if tu.module == "" || len(tu.files) == 0 || len(tu.steps) == 0 {
		t.Fatalf("%s: no ```sh setup block with `go mod init`, no file= blocks or no steps", rel)
	}
	return tu
}

// TestFirstModuleTutorial executes docs/first-module.md verbatim: its
// file= blocks become a module of their own that requires the SDK (a
// replace directive stands for `go get`), which is type-checked under
// -short, and otherwise built and run: the ```sh serve command starts the server
// on a free port with a fresh data folder, and every ```sh run command is
// run as a bash script (-e, pipefail) in the module's folder (`go run .` as the built binary,
// 127.0.0.1:8080 as the server's address), its output compared with the
// ```text output block after it.
func TestFirstModuleTutorial(t *testing.T) {
	const rel = "docs/first-module.md"
	root := docstest.RepoRoot(t)
	tu := readTutorial(t, root, rel)
	m := docstest.NewModule(t, tu.module)
	for name, code := range tu.files {
		m.Write(t, name, code)
	}
	if testing.Short() {
		// Type-checked (go vet links nothing), not built and run.
		if out, err := m.Go("vet", "./..."); err != nil {
			if errors.Is(err, docstest.ErrOffline) {
				t.Skip(err)
			}
			t.Fatalf("the tutorial's program does not compile:\n%s", out)
		}
		t.Skip("the tutorial's program compiles; building and running it: not under -short")
	}
	start := time.Now()
	bin := filepath.Join(t.TempDir(), "app")
	if out, err := m.Go("build", "-ldflags=-s -w", "-o", bin, "."); err != nil {
		t.Fatalf("the tutorial's program does not build: %v\n%s", err, out)
	}
	t.Logf("built in %v", time.Since(start).Round(time.Millisecond))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := t.TempDir()
	env := append(os.Environ(), "WEBOS_ADDR="+addr, "WEBOS_DATA_DIR="+data, "WEBOS_MONGO_URL=", "WEBOS_REDIS_URL=",
		"WEBOS_AFS_SOURCES=", "WEBOS_ENV=development", "WEBOS_LOG_LEVEL=warn", "WEBOS_ADMIN_PASSWORD=")
	expand := func(cmd string) string {
		cmd = strings.ReplaceAll(cmd, "go run .", bin)
		return strings.ReplaceAll(cmd, "127.0.0.1:8080", addr)
	}
	for i, b := range tu.steps {
		switch {
		case b.Has("serve"):
			serve(t, expand(strings.TrimSpace(b.Code)), m.Dir, env, addr)
		case b.Has("run"):
			cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", expand(b.Code))
			var stdout, stderr strings.Builder
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = m.Dir, env, &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s:%d: %v\n%s%s", rel, b.Line, err, stdout.String(), stderr.String())
			}
			out := stdout.String()
			if i+1 < len(tu.steps) && tu.steps[i+1].Has("output") {
				want := tu.steps[i+1]
				if !docstest.Match(want.Code, out) {
					t.Errorf("%s:%d: the commands printed\n%s\nthe tutorial says (line %d)\n%s", rel, b.Line, out, want.Line, want.Code)
				}
			}
		}
	}
}

// serve starts the server command in the background and waits until its
// /health answers 200; the test stops it with SIGTERM and expects a clean
// exit.
func serve(t *testing.T, command, dir string, env []string, addr string) {
	t.Helper()
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // SIGTERM goes to the whole group
	var out testenv.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the server's exit: %v\n%s", err, out.String())
			}
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Errorf("the server did not stop on SIGTERM\n%s", out.String())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("/health never answered 200: %v\n%s", err, out.String())
		case err := <-done:
			t.Fatalf("the server exited: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
