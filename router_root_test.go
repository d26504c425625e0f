package webos

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRootRoutes: a module's Root router serves a path at the site's root,
// guarded as the router it came from; the route is the module's (listed
// under it, off when it is disabled), and two modules taking the same root
// path is a start error naming the second.
func TestRootRoutes(t *testing.T) {
	site := &testModule{id: "site", rec: &recorder{}, routes: func(r *Router) {
		r.Public().Root().HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) error {
			_, err := io.WriteString(w, "User-agent: *\n")
			return err
		})
		r.Root().Require("secret.read").HandleFunc("GET /.well-known/secret", func(http.ResponseWriter, *http.Request) error { return nil })
		if got := r.Root().Prefix(); got != "" {
			t.Errorf("Root().Prefix() = %q", got)
		}
	}}
	app := New(testConfig(), site)
	srv := startApp(t, app)
	resp, err := http.Get(srv.URL + "/robots.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "User-agent: *\n" {
		t.Fatalf("GET /robots.txt: %d %q", resp.StatusCode, b)
	}
	if resp, _ := http.Get(srv.URL + "/site/robots.txt"); resp.StatusCode != 404 {
		t.Errorf("the root route is also under the prefix: %d", resp.StatusCode)
	}
	resp, _ = http.Get(srv.URL + "/.well-known/secret")
	if resp.StatusCode != 401 {
		t.Errorf("a guarded root route without a user: %d", resp.StatusCode)
	}
	decodeError(t, resp)
	var found bool
	for _, rt := range app.Routes() {
		if rt.Pattern() == "GET /robots.txt" {
			found = rt.Module == "site" && !rt.SignedIn
		}
	}
	if !found {
		t.Errorf("GET /robots.txt is not listed as the module's public route: %+v", app.Routes())
	}
	if err := app.SetModuleEnabled("site", false); err != nil {
		t.Fatal(err)
	}
	if resp, _ := http.Get(srv.URL + "/robots.txt"); resp.StatusCode != 404 {
		t.Errorf("a disabled module's root route: %d", resp.StatusCode)
	}

	robots := func(r *Router) {
		r.Public().Root().HandleFunc("GET /robots.txt", func(http.ResponseWriter, *http.Request) error { return nil })
	}
	two := New(testConfig(), &testModule{id: "one", rec: &recorder{}, routes: robots}, &testModule{id: "two", rec: &recorder{}, routes: robots})
	if err := two.Start(context.Background()); err == nil || !strings.Contains(err.Error(), `module "two": route`) {
		t.Fatalf("two modules with /robots.txt: %v", err)
	}
}
