package notes_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/notes"
	"github.com/webos-go/webos/stack"
)

type env struct {
	srv  *httptest.Server
	auth *auth.Module
}

// start runs the README's composition — the standard stack and the notes
// module — with no service, on the embedded store in a fresh folder.
func start(t *testing.T) *env {
	t.Helper()
	t.Setenv("WEBOS_ADMIN_PASSWORD", "correct-horse-battery-staple")
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	std, err := stack.Standard(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app := webos.New(cfg, append(std.List(), notes.New())...)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = app.Stop(context.Background())
	})
	return &env{srv: srv, auth: std.Auth}
}

// user creates a user with the given roles and returns a bearer token.
func (e *env) user(t *testing.T, email string, roles ...string) (id, token string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.auth.CreateUser(ctx, auth.NewUser{Email: email, Password: "a-long-password-1", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.auth.IssueToken(ctx, u.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, tok
}

func (e *env) do(t *testing.T, method, path, token, ct, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestNotesJSONAndForm(t *testing.T) {
	e := start(t)
	if _, err := e.auth.SaveRole(context.Background(), auth.Role{Name: "writer", Permissions: []string{notes.PermUse}}); err != nil {
		t.Fatal(err)
	}
	_, ada := e.user(t, "ada@example.com", "writer")
	_, bob := e.user(t, "bob@example.com", "writer")

	// One handler: JSON in, JSON out; invalid input is 422 JSON.
	code, body := e.do(t, "POST", "/notes/", ada, "application/json", `{"title":""}`)
	if code != 422 || !strings.Contains(body, `"fields":{"title":"is required"}`) {
		t.Fatalf("invalid JSON note: %d %s", code, body)
	}
	code, body = e.do(t, "POST", "/notes/", ada, "application/json", `{"title":"Buy milk"}`)
	if code != 201 || !strings.Contains(body, `"title":"Buy milk"`) {
		t.Fatalf("JSON note: %d %s", code, body)
	}
	// The same handler takes the form.
	code, body = e.do(t, "POST", "/notes/", ada, "application/x-www-form-urlencoded", "title=Call+Bob")
	if code != 201 || !strings.Contains(body, `"title":"Call Bob"`) {
		t.Fatalf("form note: %d %s", code, body)
	}
	var page struct {
		Items []notes.Note `json:"items"`
	}
	code, body = e.do(t, "GET", "/notes/list", ada, "", "")
	if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil || len(page.Items) != 2 || page.Items[0].Title != "Call Bob" {
		t.Fatalf("ada's list: %d %s", code, body)
	}
	// Bob sees none of Ada's notes, with no filtering code in the module.
	code, body = e.do(t, "GET", "/notes/list", bob, "", "")
	if err := json.Unmarshal([]byte(body), &page); code != 200 || err != nil || len(page.Items) != 0 {
		t.Fatalf("bob's list: %d %s", code, body)
	}
	if code, _ := e.do(t, "GET", "/notes/list", "", "", ""); code != 401 {
		t.Fatalf("anonymous: %d", code)
	}
}

// TestPermissionDeclaredOnce: notes.use, written once in ModuleInfo, takes
// the card, the menu entry, the widget, the palette command and the routes
// away together.
func TestPermissionDeclaredOnce(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	if _, err := e.auth.SaveRole(ctx, auth.Role{Name: "writer", Permissions: []string{notes.PermUse}}); err != nil {
		t.Fatal(err)
	}
	id, tok := e.user(t, "ada@example.com", "writer")
	selectors := map[string]string{
		"card":    `a.app-card[href="/notes/"]`,
		"menu":    `#nav a[href="/notes/"]`,
		"widget":  `[data-widget=notes-count]`,
		"command": `#palette-list a[href="/notes/#note-form"]`,
	}
	check := func(want bool) {
		t.Helper()
		code, body := e.do(t, "GET", "/", tok, "", "")
		if code != 200 {
			t.Fatalf("launchpad: %d", code)
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for what, sel := range selectors {
			if got := has(doc, sel); got != want {
				t.Errorf("%s (%s) shown: %v, want %v", what, sel, got, want)
			}
		}
		wantCode := 200
		if !want {
			wantCode = 403
		}
		for _, p := range []string{"/notes/", "/notes/list"} {
			if code, _ := e.do(t, "GET", p, tok, "", ""); code != wantCode {
				t.Errorf("GET %s: %d, want %d", p, code, wantCode)
			}
		}
		if code, _ := e.do(t, "POST", "/notes/", tok, "application/json", `{"title":"x"}`); (code == 201) != want {
			t.Errorf("POST /notes/: %d", code)
		}
	}
	check(true)
	if err := e.auth.SetRoles(ctx, id, []string{auth.RoleUser}); err != nil {
		t.Fatal(err)
	}
	check(false)
}

// has reports whether doc has an element matching the small selector
// forms the test uses: tag.class[attr="v"], #id descendant, [attr=v].
func has(doc *html.Node, sel string) bool {
	parts := strings.Fields(sel)
	var match func(n *html.Node, i int) bool
	match = func(n *html.Node, i int) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && simple(c, parts[i]) {
				if i == len(parts)-1 || match(c, i+1) {
					return true
				}
			}
			if match(c, i) {
				return true
			}
		}
		return false
	}
	return match(doc, 0)
}

func simple(n *html.Node, sel string) bool {
	attr := func(k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	if i := strings.Index(sel, "["); i >= 0 {
		cond := strings.TrimSuffix(sel[i+1:], "]")
		k, v, _ := strings.Cut(cond, "=")
		if got, ok := attr(k); !ok || got != strings.Trim(v, `"`) {
			return false
		}
		sel = sel[:i]
	}
	if id, ok := strings.CutPrefix(sel, "#"); ok {
		got, _ := attr("id")
		return got == id
	}
	tag, class, _ := strings.Cut(sel, ".")
	if tag != "" && n.Data != tag {
		return false
	}
	if class != "" {
		got, _ := attr("class")
		return strings.Contains(" "+got+" ", " "+class+" ")
	}
	return true
}
