package vault_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/vault"
)

// TestAPI drives the JSON API: create, list with search, folder, tag and
// favourites, reveal, TOTP, update keeping secrets, generator, errors.
func TestAPI(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	actx, tok := e.user("ada@example.com")
	code, body, hd := e.do("POST", "/vault/api/entries", tok, "application/json",
		`{"title":"Mail","username":"ada","password":"pw-1-secret","urls":["https://mail.example.com"],"folder":"Work","tags":["Mail","x"],"favorite":true,"totp":"`+knownTOTP+`"}`)
	if code != 201 || strings.Contains(body, "pw-1-secret") || strings.Contains(body, knownTOTP) || hd.Get("Location") == "" {
		t.Fatalf("create: %d %s", code, body)
	}
	var mail vault.Entry
	_ = json.Unmarshal([]byte(body), &mail)
	if got := strings.Join(mail.Secrets, ","); got != "password,totp" {
		t.Fatalf("secret names %q", got)
	}
	e.do("POST", "/vault/api/entries", tok, "application/x-www-form-urlencoded", "title=Bank&urls=https%3A%2F%2Fbank.example%0Ahttps%3A%2F%2Fwww.bank.example&tags=money,+Work&password=b")
	list := func(q string) []string {
		t.Helper()
		code, body, _ := e.do("GET", "/vault/api/entries?"+q, tok, "", "")
		var p struct{ Items []vault.Entry }
		if err := json.Unmarshal([]byte(body), &p); code != 200 || err != nil {
			t.Fatalf("list %s: %d %s", q, code, body)
		}
		var out []string
		for _, it := range p.Items {
			out = append(out, it.Title)
		}
		return out
	}
	for q, want := range map[string]string{"": "Bank,Mail", "q=MAIL": "Mail", "q=www.bank": "Bank", "folder=Work": "Mail",
		"tag=money": "Bank", "tag=mail": "Mail", "favorites=true": "Mail", "q=pw-1": "", "q=ada": ""} {
		if got := strings.Join(list(q), ","); got != want {
			t.Errorf("list %q: %q, want %q", q, got, want)
		}
	}
	code, body, hd = e.do("GET", "/vault/api/entries/"+mail.ID+"/secrets/password", tok, "", "")
	if code != 200 || body != `{"field":"password","value":"pw-1-secret"}`+"\n" && body != `{"field":"password","value":"pw-1-secret"}` || hd.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %q %v", code, body, hd)
	}
	code, body, _ = e.do("GET", "/vault/api/entries/"+mail.ID+"/totp", tok, "", "")
	var c vault.Code
	k, _ := vault.ParseTOTP(knownTOTP)
	want, _ := k.Code(time.Now())
	if err := json.Unmarshal([]byte(body), &c); code != 200 || err != nil || c.Period != 30 || c.Remaining < 1 || c.Remaining > 30 {
		t.Fatalf("totp: %d %s", code, body)
	}
	if c.Code != want {
		if w2, _ := k.Code(time.Now().Add(-2 * time.Second)); c.Code != w2 {
			t.Fatalf("totp code %s, want %s", c.Code, want)
		}
	}
	// An update that leaves the secrets out keeps them.
	code, body, _ = e.do("PUT", "/vault/api/entries/"+mail.ID, tok, "application/json", `{"title":"Mail (work)"}`)
	if code != 200 || !strings.Contains(body, `"secrets":["password","totp"]`) {
		t.Fatalf("update: %d %s", code, body)
	}
	if v, _ := e.vault.Reveal(actx, mail.ID, "password"); v != "pw-1-secret" {
		t.Fatalf("password after update: %q", v)
	}
	// Bad input: clear JSON errors, never the secret.
	for _, c := range []struct{ method, path, ct, body, want string }{
		{"POST", "/vault/api/entries", "application/json", `{"title":""}`, `"title":"is required"`},
		{"POST", "/vault/api/entries", "application/json", `{"title":"x","totp":"not base32 !"}`, `"totp":"must be a base32 secret`},
		{"POST", "/vault/api/entries", "application/json", `{"title":"x","urls":["java script:alert(1)"]}`, `"urls"`},
		{"POST", "/vault/api/entries", "application/json", `{"title":"x","password":12}`, `"error"`},
		{"GET", "/vault/api/entries?limit=-1", "", "", `"limit"`},
		{"GET", "/vault/api/entries?favorites=maybe", "", "", `"favorites"`},
		{"GET", "/vault/api/generate?length=x", "", "", `"length"`},
		{"GET", "/vault/api/generate?length=10", "", "", `"length"`},
		{"GET", "/vault/api/entries/" + mail.ID + "/secrets/nope", "", "", `"error"`},
		{"GET", "/vault/api/entries/" + mail.ID + "/breach", "", "", `breach check is off`},
	} {
		code, body, _ := e.do(c.method, c.path, tok, c.ct, c.body)
		if code < 400 || code >= 500 || !strings.Contains(body, c.want) || strings.Contains(body, "pw-1-secret") {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, code, body)
		}
	}
	code, body, _ = e.do("GET", "/vault/api/generate?mode=words&words=6&separator=.", tok, "", "")
	var g vault.Generated
	if err := json.Unmarshal([]byte(body), &g); code != 200 || err != nil || len(strings.Split(g.Password, ".")) < 6 || g.Entropy < 77 {
		t.Fatalf("generate: %d %s", code, body)
	}
	if code, _, _ := e.do("DELETE", "/vault/api/entries/"+mail.ID, tok, "", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _, _ := e.do("GET", "/vault/api/keys", tok, "", ""); code != 403 {
		t.Fatalf("keys without vault.rotate: %d", code)
	}
}

// TestPages: the shell's pages and fragments, and that no page shows a
// secret that was not asked for.
func TestPages(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	actx, tok := e.user("ada@example.com")
	en, err := e.vault.Create(actx, knownInput("Mail"))
	if err != nil {
		t.Fatal(err)
	}
	htmx := func(method, path, body string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("HX-Request", "true")
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	for _, p := range []string{"/vault/", "/vault/entries/" + en.ID, "/vault/entries/" + en.ID + "/edit", "/vault/new", "/vault/generator", "/vault/health", "/vault/transfer", "/"} {
		code, body, _ := e.do("GET", p, tok, "", "")
		if code != 200 {
			t.Errorf("GET %s: %d", p, code)
		}
		for _, s := range []string{knownPassword, knownNotes, knownTOTP, knownField} {
			if strings.Contains(body, s) || strings.Contains(body, html.EscapeString(s)) {
				t.Errorf("GET %s shows a secret", p)
			}
		}
	}
	code, body, _ := htmx("GET", "/vault/entries/"+en.ID+"/reveal/password", "")
	if code != 200 || !strings.Contains(body, html.EscapeString(knownPassword)) || !strings.Contains(body, `data-autohide="20"`) {
		t.Fatalf("reveal: %d %s", code, body)
	}
	code, body, _ = htmx("GET", "/vault/entries?q=mai", "")
	if code != 200 || !strings.Contains(body, `id="vault-list"`) || !strings.Contains(body, ">Mail<") {
		t.Fatalf("search fragment: %d %s", code, body)
	}
	// The editor's form: empty secrets stay, "remove" removes.
	form := url.Values{"title": {"Mail 2"}, "password": {""}, "notes": {""}, "clear_totp": {"on"}, "tags": {"a, b"}}
	code, _, hd := htmx("POST", "/vault/entries/"+en.ID, form.Encode())
	if code != 204 || !strings.Contains(hd.Get("HX-Location"), "/vault/entries/"+en.ID) {
		t.Fatalf("update form: %d %v", code, hd)
	}
	got, _ := e.vault.Get(actx, en.ID)
	if got.Title != "Mail 2" || strings.Join(got.Secrets, ",") != "field:question,notes,password" || strings.Join(got.Tags, ",") != "a,b" || len(got.Fields) != 2 {
		t.Fatalf("after the form: %+v", got)
	}
	code, body, _ = htmx("POST", "/vault/entries", "title=")
	if code != 422 || !strings.Contains(body, "field-error") {
		t.Fatalf("invalid form: %d %s", code, body)
	}
	code, body, _ = htmx("GET", "/vault/generator/field", "")
	if code != 200 || !strings.Contains(body, `id="entry-password"`) || !strings.Contains(body, "bits of entropy") {
		t.Fatalf("generator field: %d %s", code, body)
	}
	// The launchpad has the card, the menu entries and the commands.
	_, body, _ = e.do("GET", "/", tok, "", "")
	for _, s := range []string{`href="/vault/"`, `href="/vault/generator"`, `href="/vault/health"`, `/vault/new`} {
		if !strings.Contains(body, s) {
			t.Errorf("launchpad lacks %s", s)
		}
	}
	if strings.Contains(body, "Mail 2") {
		t.Error("an entry's title is in the palette or the launchpad")
	}
	if strings.Contains(body, `href="/vault/keys"`) {
		t.Error("a user who may not rotate keys sees the keys' page in the menu")
	}
	if code, _, _ := e.do("GET", "/vault/keys", tok, "", ""); code != 403 {
		t.Errorf("keys page for a user: %d", code)
	}
}

// TestKeysPage: an administrator sees the master keys and starts the
// rotation task, whose progress bar the answer carries.
func TestKeysPage(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	actx, _ := e.user("ada@example.com")
	if _, err := e.vault.Create(actx, vault.Input{Title: "x", Password: ptr("y")}); err != nil {
		t.Fatal(err)
	}
	admin, err := e.auth.UserByEmail(actx, "admin@localhost")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.auth.IssueToken(actx, admin.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := e.do("GET", "/", tok, "", "")
	if code != 200 || !strings.Contains(body, `href="/vault/keys"`) {
		t.Fatalf("the administrator's menu lacks the keys' page: %d", code)
	}
	code, body, _ = e.do("GET", "/vault/keys", tok, "", "")
	if code != 200 || !strings.Contains(body, "newest: wraps new data keys") {
		t.Fatalf("keys page: %d %s", code, body)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/vault/keys/rotate", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("HX-Request", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || !strings.Contains(string(b), "data-sse-url") {
		t.Fatalf("rotate: %d %s", resp.StatusCode, b)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/tasks/")
	if st := e.waitTask(withUser(admin), id); st.State != "succeeded" {
		t.Fatalf("rotation task: %+v", st)
	}
}

// TestPermissionDeclaredOnce: without vault.use — written once, in
// ModuleInfo — the card, the menu entries and the palette commands are
// gone and every route is 403.
func TestPermissionDeclaredOnce(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	u, err := e.auth.CreateUser(context.Background(), auth.NewUser{Email: "plain-" + strings.ToLower(t.Name()) + "@example.com", Password: "a-long-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.auth.IssueToken(context.Background(), u.ID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	code, body, _ := e.do("GET", "/", tok, "", "")
	if code != 200 {
		t.Fatalf("launchpad: %d", code)
	}
	for _, s := range []string{`/vault/"`, `/vault/generator`, `/vault/health`, `/vault/new`, `/vault/transfer`} {
		if strings.Contains(body, s) {
			t.Errorf("a user without vault.use sees %s", s)
		}
	}
	for _, p := range []string{"/vault/", "/vault/api/entries", "/vault/api/generate", "/vault/generator", "/vault/api/lock"} {
		if code, _, _ := e.do("GET", p, tok, "", ""); code != 403 {
			t.Errorf("GET %s: %d, want 403", p, code)
		}
	}
}
