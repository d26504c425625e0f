package vault_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/vault"
)

// TestPassphrase: a passphrase protects the data key a second time;
// locked, no secret opens, also for a new instance with the same master
// keys; unlocking opens it; rotation keeps it protected; removing it
// opens the vault without it again.
func TestPassphrase(t *testing.T) {
	b := sqliteBackend(t)
	key := string(vault.GenerateMasterKey())
	cheap := func(keys ...string) vault.Config { // Argon2id's cost is not what is tested
		c := vault.Config{KDFMemoryKiB: 8 * 1024, KDFTime: 1}
		for _, k := range keys {
			c.MasterKeys = append(c.MasterKeys, webos.Secret(k))
		}
		return c
	}
	e := startWith(t, b, cheap(key))
	actx, tok := e.user("ada@example.com")
	v := e.vault
	en, err := v.Create(actx, vault.Input{Title: "Mail", Password: ptr(knownPassword)})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetPassphrase(actx, "", "short"); webos.StatusOf(err) != 422 {
		t.Fatalf("short passphrase: %v", err)
	}
	const pass = "correct horse battery staple"
	if err := v.SetPassphrase(actx, "", pass); err != nil {
		t.Fatal(err)
	}
	if st, _ := v.LockState(actx); !st.Protected || st.Locked {
		t.Fatalf("after setting: %+v", st)
	}
	if p, err := v.Reveal(actx, en.ID, vault.FieldPassword); err != nil || p != knownPassword {
		t.Fatalf("unlocked reveal: %q %v", p, err)
	}
	if err := v.Lock(actx); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{
		"reveal": second(v.Reveal(actx, en.ID, vault.FieldPassword)),
		"create": second(v.Create(actx, vault.Input{Title: "x", Password: ptr("y")})),
		"export": second(v.Export(actx, &strings.Builder{}, nil)),
	} {
		if !errors.Is(err, vault.ErrLocked) || webos.StatusOf(err) != 403 {
			t.Errorf("locked %s: %v", what, err)
		}
	}
	// Titles stay listed.
	if p, err := v.List(actx, vault.ListOptions{}); err != nil || len(p.Items) != 1 {
		t.Fatalf("locked list: %v", err)
	}
	code, body, _ := e.do("GET", "/vault/api/entries/"+en.ID+"/secrets/password", tok, "", "")
	if code != 403 || !strings.Contains(body, "locked") || strings.Contains(body, knownPassword) {
		t.Fatalf("locked reveal over HTTP: %d %s", code, body)
	}
	if code, body, _ := e.do("POST", "/vault/api/unlock", tok, "application/json", `{"passphrase":"wrong passphrase!"}`); code != 422 || !strings.Contains(body, `"passphrase"`) {
		t.Fatalf("wrong passphrase: %d %s", code, body)
	}
	if code, body, _ := e.do("POST", "/vault/api/unlock", tok, "application/json", `{"passphrase":"`+pass+`"}`); code != 204 {
		t.Fatalf("unlock: %d %s", code, body)
	}
	if p, err := v.Reveal(actx, en.ID, vault.FieldPassword); err != nil || p != knownPassword {
		t.Fatalf("reveal after unlock: %q %v", p, err)
	}
	e.stop()

	// Another instance (a restart) with the master keys: still locked.
	newKey := string(vault.GenerateMasterKey())
	e2 := startWith(t, b, cheap(newKey, key))
	if _, err := e2.vault.Reveal(actx, en.ID, vault.FieldPassword); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("a new instance opens a protected vault: %v", err)
	}
	// Rotation re-wraps it without the passphrase, and it stays protected.
	admin := adminContext(t, e2)
	id, err := e2.vault.Rotate(admin)
	if err != nil {
		t.Fatal(err)
	}
	if st := e2.waitTask(admin, id); st.State != "succeeded" {
		t.Fatalf("rotation: %+v", st)
	}
	e2.stop()
	e3 := startWith(t, b, cheap(newKey))
	if err := e3.vault.Unlock(actx, pass); err != nil {
		t.Fatal(err)
	}
	if p, err := e3.vault.Reveal(actx, en.ID, vault.FieldPassword); err != nil || p != knownPassword {
		t.Fatalf("after rotation: %q %v", p, err)
	}
	// Removing needs the current passphrase.
	if err := e3.vault.SetPassphrase(actx, "nope", ""); webos.StatusOf(err) != 422 {
		t.Fatalf("remove with a wrong passphrase: %v", err)
	}
	if err := e3.vault.SetPassphrase(actx, pass, ""); err != nil {
		t.Fatal(err)
	}
	_ = e3.vault.Lock(actx)
	if p, err := e3.vault.Reveal(actx, en.ID, vault.FieldPassword); err != nil || p != knownPassword {
		t.Fatalf("without a passphrase: %q %v", p, err)
	}
}

// TestIdleLock: an unlocked vault locks itself after IdleLock unused, and
// every use keeps it open.
func TestIdleLock(t *testing.T) {
	e := startWith(t, sqliteBackend(t), vault.Config{IdleLock: 300 * time.Millisecond, KDFMemoryKiB: 8 * 1024, KDFTime: 1})
	actx, _ := e.user("ada@example.com")
	en, err := e.vault.Create(actx, vault.Input{Title: "Mail", Password: ptr("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.vault.SetPassphrase(actx, "", "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	for range 4 { // used every 150 ms: stays open
		time.Sleep(150 * time.Millisecond)
		if _, err := e.vault.Reveal(actx, en.ID, vault.FieldPassword); err != nil {
			t.Fatalf("in use: %v", err)
		}
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := e.vault.Reveal(actx, en.ID, vault.FieldPassword); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("idle: %v", err)
	}
	if st, _ := e.vault.LockState(actx); !st.Locked {
		t.Fatalf("state %+v", st)
	}
}

// TestUnlockThrottle: after MaxUnlockFailures wrong passphrases, even the
// right one waits (429 with Retry-After).
func TestUnlockThrottle(t *testing.T) {
	e := startWith(t, sqliteBackend(t), vault.Config{KDFMemoryKiB: 8 * 1024, KDFTime: 1})
	actx, tok := e.user("ada@example.com")
	if err := e.vault.SetPassphrase(actx, "", "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	_ = e.vault.Lock(actx)
	for range vault.MaxUnlockFailures {
		if err := e.vault.Unlock(actx, "wrong guess 123"); webos.StatusOf(err) != 422 {
			t.Fatalf("wrong: %v", err)
		}
	}
	code, body, hd := e.do("POST", "/vault/api/unlock", tok, "application/json", `{"passphrase":"a long passphrase"}`)
	if code != 429 || hd.Get("Retry-After") == "" || !strings.Contains(body, "too many") {
		t.Fatalf("after the failures: %d %s %v", code, body, hd)
	}
}
