package vault

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/webos-go/webos"
)

func testKey(t testing.TB) *dataKey {
	raw := make([]byte, KeySize)
	_, _ = rand.Read(raw)
	k, err := newDataKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealBindsEntryAndField(t *testing.T) {
	k := testKey(t)
	ct, err := k.sealField("e1", FieldPassword, "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := k.openField("e1", FieldPassword, ct); err != nil || v != "hunter2" {
		t.Fatalf("open: %q %v", v, err)
	}
	again, _ := k.sealField("e1", FieldPassword, "hunter2")
	if bytes.Equal(ct, again) {
		t.Fatal("two seals of one value are equal: the nonce is not fresh")
	}
	for what, try := range map[string]func() (string, error){
		"other entry": func() (string, error) { return k.openField("e2", FieldPassword, ct) },
		"other field": func() (string, error) { return k.openField("e1", FieldNotes, ct) },
		"other key":   func() (string, error) { return testKey(t).openField("e1", FieldPassword, ct) },
		"truncated":   func() (string, error) { return k.openField("e1", FieldPassword, ct[:10]) },
		"version":     func() (string, error) { c := bytes.Clone(ct); c[0] = 9; return k.openField("e1", FieldPassword, c) },
	} {
		if v, err := try(); !errors.Is(err, ErrSealed) || v != "" {
			t.Errorf("%s: %q %v", what, v, err)
		}
	}
}

func TestKeyring(t *testing.T) {
	a, b := GenerateMasterKey(), GenerateMasterKey()
	r, err := ParseKeyring([]webos.Secret{a, b})
	if err != nil {
		t.Fatal(err)
	}
	id, wrapped, err := r.wrap("ada", bytes.Repeat([]byte{7}, KeySize))
	if err != nil || id != r.Current() {
		t.Fatalf("wrap: %s %v", id, err)
	}
	if dk, err := r.unwrap("ada", id, wrapped); err != nil || dk[0] != 7 {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := r.unwrap("bob", id, wrapped); !errors.Is(err, ErrSealed) {
		t.Fatalf("another user's wrapped key opened: %v", err)
	}
	old, _ := ParseKeyring([]webos.Secret{b})
	if _, err := old.unwrap("ada", id, wrapped); !errors.Is(err, ErrSealed) {
		t.Fatalf("a key the ring lacks: %v", err)
	}
	if _, err := ParseKeyring([]webos.Secret{a, a}); err == nil {
		t.Fatal("a key listed twice")
	}
	for _, bad := range []webos.Secret{"", "short", "not base64 at all!!", webos.Secret(bytes.Repeat([]byte("z"), 64))} {
		_, err := ParseMasterKey(bad)
		if err == nil || (bad != "" && bytes.Contains([]byte(err.Error()), []byte(bad))) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	hex := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	if _, err := ParseMasterKey(webos.Secret(hex)); err != nil {
		t.Fatal(err)
	}
	var zero *Keyring
	if _, _, err := zero.wrap("ada", make([]byte, KeySize)); err == nil || zero.Current() != "" {
		t.Fatal("the zero keyring wraps")
	}
}

// BenchmarkOpenField is the cost of AES-256-GCM opening one sealed field,
// without the database.
func BenchmarkOpenField(b *testing.B) {
	k := testKey(b)
	ct, _ := k.sealField("656565656565656565656565", FieldPassword, "Tr0ub4dor&3-horse-staple")
	for b.Loop() {
		if _, err := k.openField("656565656565656565656565", FieldPassword, ct); err != nil {
			b.Fatal(err)
		}
	}
}
