package notes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/internal/docstest"
	"github.com/webos-go/webos/internal/testenv"
)

// TestExtractedModule answers "can I take a business module out into a
// repository of its own and install it?": the notes app (without its
// tests, which use this repository's internal packages) is copied into a
// new Go module, example.com/mynotes, that requires the SDK (by a replace
// directive, as `go get` would), with its program's import changed to the
// new path — and that module builds, lists the module, serves, and its
// routes work: the JSON API with a bearer token, the page in the shell,
// 401 without a user and 422 for bad input.
func TestExtractedModule(t *testing.T) {
	testenv.Integration(t)
	m := docstest.NewModule(t, "example.com/mynotes")
	m.CopyDir(t, "examples/notes", ".", false)
	main, err := os.ReadFile(filepath.Join(m.Dir, "cmd", "notes", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	m.Write(t, "cmd/notes/main.go", strings.ReplaceAll(string(main),
		`"github.com/webos-go/webos/examples/notes"`, `"example.com/mynotes"`))
	if out, err := m.Go("list", "-deps", "./..."); err != nil || strings.Contains(out, "github.com/webos-go/webos/examples/") {
		t.Fatalf("the extracted module still depends on the repository's examples (%v):\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "mynotes")
	if out, err := m.Go("build", "-ldflags=-s -w", "-o", bin, "./cmd/notes"); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	list, err := exec.Command(bin, "modules", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "notes") || !strings.Contains(string(list), "Notes") {
		t.Fatalf("modules list (%v):\n%s", err, list)
	}

	base, _ := serve(t, bin, "WEBOS_ADMIN_PASSWORD=extracted-module-password")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code, body := call(t, ctx, "GET", base+"/notes/list", "", ""); code != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
		t.Errorf("anonymous list: %d %s", code, body)
	}
	code, body := call(t, ctx, "POST", base+"/auth/login", "", `{"email":"admin@localhost","password":"extracted-module-password","token":true}`)
	var login struct{ Token string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &login) != nil || login.Token == "" {
		t.Fatalf("login: %d %s", code, body)
	}
	if code, body := call(t, ctx, "POST", base+"/notes/", login.Token, `{"title":"Written in my own repository"}`); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body := call(t, ctx, "POST", base+"/notes/", login.Token, `{"title":""}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"title"`) {
		t.Errorf("invalid note: %d %s", code, body)
	}
	if code, body := call(t, ctx, "GET", base+"/notes/list", login.Token, ""); code != http.StatusOK || !strings.Contains(body, "Written in my own repository") {
		t.Errorf("list: %d %s", code, body)
	}
	if code, body := call(t, ctx, "GET", base+"/notes/", login.Token, ""); code != http.StatusOK || !strings.Contains(body, "Written in my own repository") || !strings.Contains(body, `id="note-form"`) {
		t.Errorf("page: %d\n%.300s", code, body)
	}
}

// call makes one request with an optional bearer token and JSON body and
// returns the status and body.
func call(t *testing.T, ctx context.Context, method, url, token, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
