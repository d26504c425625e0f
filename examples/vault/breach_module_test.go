package vault_test

import (
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/examples/vault"
)

// TestBreachCheck: with WEBOS_VAULT_BREACH_URL set, the health report and
// the entry's check find a breached password through the range protocol
// of a local server; off, the check is 404.
func TestBreachCheck(t *testing.T) {
	srv, hits, asked := vault.RangeServer(t, map[string]int{"password1": 2_400_000})
	e := startWith(t, sqliteBackend(t), vault.Config{BreachURL: srv.URL + "/range/"})
	actx, tok := e.user("ada@example.com")
	bad, _ := e.vault.Create(actx, vault.Input{Title: "Old forum", Password: ptr("password1")})
	if _, err := e.vault.Create(actx, vault.Input{Title: "Bank", Password: ptr("v8#Hq2!Lm9@Rt4$Wz6")}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.vault.Health(actx, time.Now())
	if err != nil || !rep.BreachChecked || len(rep.Breached) != 1 || rep.Breached[0].ID != bad.ID || rep.Breached[0].Seen != 2_400_000 {
		t.Fatalf("health: %+v %v", rep, err)
	}
	for _, p := range asked() {
		if len(p) != 5 {
			t.Fatalf("the range API was asked for %q", p)
		}
	}
	n := hits.Load()
	code, body, _ := e.do("GET", "/vault/api/entries/"+bad.ID+"/breach", tok, "", "")
	if code != 200 || body != `{"breached":true,"count":2400000}`+"\n" && body != `{"breached":true,"count":2400000}` {
		t.Fatalf("breach check: %d %s", code, body)
	}
	if hits.Load() != n {
		t.Fatal("a cached range was fetched again")
	}
	code, body, _ = e.do("GET", "/vault/health", tok, "", "")
	if code != 200 || !strings.Contains(body, "Found in breaches (1)") || strings.Contains(body, "password1") {
		t.Fatalf("health page: %d", code)
	}
}
