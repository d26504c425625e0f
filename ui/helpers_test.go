package ui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	g "maragu.dev/gomponents"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/ui"
)

// contributor is a test module with every UI capability and, optionally,
// routes.
type contributor struct {
	id         string
	permission string
	apps       []ui.App
	menu       []ui.MenuItem
	widgets    []ui.Widget
	commands   []ui.Command
	routes     func(r *webos.Router)
}

func (c *contributor) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: c.id, Name: strings.ToUpper(c.id[:1]) + c.id[1:], Description: "The " + c.id + " module.", Icon: "app", Version: "0.1.0", Permission: c.permission}
}
func (c *contributor) LaunchpadApps() []ui.App       { return c.apps }
func (c *contributor) MenuItems() []ui.MenuItem      { return c.menu }
func (c *contributor) SlotWidgets() []ui.Widget      { return c.widgets }
func (c *contributor) PaletteCommands() []ui.Command { return c.commands }
func (c *contributor) Routes(r *webos.Router) {
	if c.routes != nil {
		c.routes(r)
	}
}

// testUsers is the application's authorizer in tests: a request that
// names its permissions in the X-Test-Perms header ("-" for none) acts as
// a user holding them, standing in for the auth module.
type testUsers struct{}

func (testUsers) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "testusers"} }
func (testUsers) Authorizer() webos.Authorizer { return testUsers{} }
func (testUsers) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	if p := r.Header.Get("X-Test-Perms"); p != "" {
		u := &auth.User{DisplayName: "Ada Lovelace", Email: "ada@example.com"}
		u.ID = "u-ada"
		if id := r.Header.Get("X-Test-User"); id != "" {
			u.ID = id
		}
		if p != "-" {
			u.Permissions = strings.Split(p, ",")
		}
		r = r.WithContext(auth.WithUser(r.Context(), u))
	}
	return r, nil
}
func (testUsers) Authorize(ctx context.Context, perm string) error {
	u, ok := auth.UserFrom(ctx)
	switch {
	case !ok:
		return auth.ErrUnauthenticated
	case perm != "" && !u.Can(perm):
		return auth.ErrForbidden
	}
	return nil
}

type shellEnv struct {
	app   *webos.App
	shell *ui.Module
	srv   *httptest.Server
}

// startShell starts an application of the shell and mods, without any
// service, and serves it. Unless mods bring an authorizer, the shell is a
// single-user tool (webos.AllowAll).
func startShell(t testing.TB, cfg ui.Config, mods ...webos.Module) *shellEnv {
	t.Helper()
	shell := ui.New(cfg)
	hasAuthz := false
	for _, m := range mods {
		if _, ok := m.(webos.AuthorizerProvider); ok {
			hasAuthz = true
		}
	}
	if !hasAuthz {
		mods = append([]webos.Module{webos.AllowAll()}, mods...)
	}
	app := webos.New(webos.Config{MaxBodyBytes: 1 << 20, RequestTimeout: 10 * time.Second, ShutdownTimeout: time.Second},
		append([]webos.Module{shell}, mods...)...)
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		_ = app.Stop(context.Background())
	})
	return &shellEnv{app: app, shell: shell, srv: srv}
}

// browserHeaders are what a browser sends when it navigates.
var browserHeaders = []string{"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Accept", "text/html,application/xhtml+xml"}

// htmxHeaders are what htmx sends when a link loads a page into <main>.
var htmxHeaders = []string{"HX-Request", "true", "HX-Target", "main", "HX-Boosted", "true", "Sec-Fetch-Mode", "cors"}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with header pairs and returns the response and body.
func do(t testing.TB, method, url string, body io.Reader, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func get(t testing.TB, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	return do(t, http.MethodGet, url, nil, headers...)
}

// parse parses an HTML document or fragment.
func parse(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// query returns the elements under n matching sel: compound selectors of
// a tag, #id, .class and [attr] or [attr=value] parts, separated by spaces
// for descendants, e.g. `nav#nav a[aria-current=page]`.
func query(n *html.Node, sel string) []*html.Node {
	parts := strings.Fields(sel)
	set := []*html.Node{n}
	for _, p := range parts {
		var next []*html.Node
		seen := map[*html.Node]bool{}
		for _, root := range set {
			walk(root, func(c *html.Node) {
				if c != root && matches(c, p) && !seen[c] {
					seen[c] = true
					next = append(next, c)
				}
			})
		}
		set = next
	}
	return set
}

func one(t testing.TB, n *html.Node, sel string) *html.Node {
	t.Helper()
	found := query(n, sel)
	if len(found) != 1 {
		t.Fatalf("%q: found %d elements, want 1", sel, len(found))
	}
	return found[0]
}

func walk(n *html.Node, fn func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			fn(c)
		}
		walk(c, fn)
	}
}

func matches(n *html.Node, sel string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for sel != "" {
		switch sel[0] {
		case '#', '.':
			end := strings.IndexAny(sel[1:], "#.[")
			if end < 0 {
				end = len(sel) - 1
			}
			v := sel[1 : end+1]
			if sel[0] == '#' && attr(n, "id") != v {
				return false
			}
			if sel[0] == '.' && !hasWord(attr(n, "class"), v) {
				return false
			}
			sel = sel[end+1:]
		case '[':
			end := strings.IndexByte(sel, ']')
			k, v, hasV := strings.Cut(sel[1:end], "=")
			a, ok := attrOK(n, k)
			if !ok || (hasV && a != strings.Trim(v, `"`)) {
				return false
			}
			sel = sel[end+1:]
		default:
			end := strings.IndexAny(sel, "#.[")
			if end < 0 {
				end = len(sel)
			}
			if n.Data != sel[:end] {
				return false
			}
			sel = sel[end:]
		}
	}
	return true
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

// text returns the text content of n, with runs of space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = text(n)
	}
	return out
}

// dbModule returns the store module of the test MongoDB server with a
// fresh database, for integration tests.
func dbModule(url, name string) *store.Module { return &store.Module{URL: url, Database: name} }

// renderNode renders n to a string.
func renderNode(t testing.TB, n g.Node) string {
	t.Helper()
	var b strings.Builder
	if err := n.Render(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
