package ui_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

// inlineCode lists what a page has that the Content-Security-Policy
// refuses: script elements with a body, event handler and style
// attributes, style elements, and htmx's evaluated hx-on attributes.
func inlineCode(doc *html.Node) []string {
	var found []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script":
			if _, ok := attrOK(n, "src"); !ok || strings.TrimSpace(text(n)) != "" {
				found = append(found, "inline <script>")
			}
		case "style":
			found = append(found, "<style> element")
		}
		for _, a := range n.Attr {
			switch k := strings.ToLower(a.Key); {
			case k == "style":
				found = append(found, "style attribute on <"+n.Data+">")
			case strings.HasPrefix(k, "on"), strings.HasPrefix(k, "hx-on"), strings.HasPrefix(k, "data-hx-on"):
				found = append(found, k+" attribute on <"+n.Data+">")
			case (k == "href" || k == "src" || k == "action") && strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript:"):
				found = append(found, "javascript: URL on <"+n.Data+">")
			}
		}
	})
	return found
}

func checkSecurityHeaders(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
		"frame-ancestors 'self'", "base-uri 'self'", "form-action 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("%s: Content-Security-Policy %q allows unsafe sources", what, csp)
	}
	if got := resp.Header.Get("X-Frame-Options"); got != "SAMEORIGIN" {
		t.Errorf("%s: X-Frame-Options %q", what, got)
	}
}

func TestPagesCarryTheContentSecurityPolicy(t *testing.T) {
	launch, tools := demoModules()
	env := startShell(t, ui.Config{}, launch, tools)
	for _, c := range []struct {
		what, path string
		headers    []string
		status     int
	}{
		{"launchpad", "/", browserHeaders, 200},
		{"fragment", "/", htmxHeaders, 200},
		{"error page", "/no/such/page", browserHeaders, 404},
		{"app page", "/apps/notes", browserHeaders, 0},
	} {
		resp, body := get(t, env.srv.URL+c.path, c.headers...)
		if c.status != 0 && resp.StatusCode != c.status {
			t.Errorf("%s: status %d", c.what, resp.StatusCode)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		checkSecurityHeaders(t, c.what, resp)
		if found := inlineCode(parse(t, body)); len(found) > 0 {
			t.Errorf("%s has inline code the policy refuses: %q", c.what, found)
		}
	}
}

func TestSignInPageCarriesTheContentSecurityPolicy(t *testing.T) {
	env := startShell(t, ui.Config{Sessions: noSessions{}}, testUsers{})
	resp, body := get(t, env.srv.URL+ui.LoginPath, browserHeaders...)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkSecurityHeaders(t, "sign-in page", resp)
	doc := parse(t, body)
	if found := inlineCode(doc); len(found) > 0 {
		t.Errorf("the sign-in page has inline code: %q", found)
	}
	// htmx must neither add its inline indicator style nor evaluate
	// attributes.
	cfg := attr(one(t, doc, "meta[name=htmx-config]"), "content")
	for _, want := range []string{`"includeIndicatorStyles":false`, `"allowEval":false`, `"allowScriptTags":false`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("htmx-config %s lacks %s", cfg, want)
		}
	}
}

// noSessions signs nobody in.
type noSessions struct{}

func (noSessions) SignIn(http.ResponseWriter, *http.Request, string, string) error {
	return webos.ErrUnauthorized
}
func (noSessions) SignOut(http.ResponseWriter, *http.Request) error { return nil }

func TestResetOnSuccessIsADataAttribute(t *testing.T) {
	var b strings.Builder
	if err := ui.ResetOnSuccess().Render(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != ` data-reset-on-success=""` {
		t.Fatalf("%q", got)
	}
	js := string(staticFile(t, "webos.js"))
	if !strings.Contains(js, "form[data-reset-on-success]") {
		t.Fatal("webos.js does not handle data-reset-on-success")
	}
}

// staticFile returns a file of the shell's built-in assets.
func staticFile(t *testing.T, name string) []byte {
	t.Helper()
	env := startShell(t, ui.Config{})
	resp, body := get(t, env.srv.URL+env.shell.Assets().URL(name))
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", name, resp.StatusCode)
	}
	return []byte(body)
}

func TestFlashCookieIsSecure(t *testing.T) {
	// Without an auth module configured for insecure cookies, the flash
	// cookie is Secure: set by AddFlash, and when a page clears it.
	rec := httptest.NewRecorder()
	ui.AddFlash(rec, httptest.NewRequest("POST", "/", nil), ui.Flash{Kind: "info", Text: "Hi."})
	cs := rec.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != "webos_flash" || !cs[0].Secure || !cs[0].HttpOnly {
		t.Fatalf("flash cookie %+v", cs)
	}
	env := startShell(t, ui.Config{})
	resp, _ := get(t, env.srv.URL+"/", append(browserHeaders, "Cookie", "webos_flash="+cs[0].Value)...)
	var cleared *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "webos_flash" {
			cleared = c
		}
	}
	if cleared == nil || cleared.MaxAge >= 0 || !cleared.Secure {
		t.Fatalf("clearing cookie %+v", cleared)
	}
}

func TestFlashCookieFollowsInsecureSessionCookies(t *testing.T) {
	env, _, _ := startWithAuth(t) // InsecureCookies: true, for local http
	br := newBrowser(t, env.srv.URL)
	resp, _ := br.do("POST", ui.LoginPath, url.Values{"email": {"admin@example.com"}, "password": {"admin-password-1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	var flash *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "webos_flash" {
			flash = c
		}
	}
	if flash == nil || flash.Secure {
		t.Fatalf("flash cookie with insecure session cookies: %+v", flash)
	}
}
