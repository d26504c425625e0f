package vault_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/store"
)

// Known secrets the at-rest tests look for.
const (
	knownPassword = "Tr0ub4dor&3-horse-staple"
	knownNotes    = "recovery codes: 1111-2222-3333"
	knownField    = "my-mothers-maiden-name-zebra"
)

var knownTOTP = base32.StdEncoding.EncodeToString([]byte("12345678901234567890")) // RFC 6238's SHA-1 seed

func knownInput(title string) vault.Input {
	return vault.Input{Title: title, Username: "ada", Password: ptr(knownPassword), Notes: ptr(knownNotes), TOTP: ptr(knownTOTP),
		URLs: []string{"https://example.com/login"}, Folder: "Work", Tags: []string{"mail", "Important"},
		Fields: []vault.Field{{Name: "question", Value: knownField, Secret: true}, {Name: "plan", Value: "gold"}}}
}

// TestIsolation: user B can list, read, reveal, update, delete, count and
// export none of A's entries — each is 404 like a missing one, not 403 —
// and without a user every call fails.
func TestIsolation(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		e := sharedEnv(t, b)
		actx, atok := e.user("ada@example.com")
		bctx, btok := e.user("bob@example.com")
		v := e.vault
		a1, err := v.Create(actx, knownInput("Mail"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Create(actx, vault.Input{Title: "Bank", Password: ptr("another-one")}); err != nil {
			t.Fatal(err)
		}
		// Go API.
		if p, err := v.List(bctx, vault.ListOptions{}); err != nil || len(p.Items) != 0 {
			t.Fatalf("B lists %d, %v", len(p.Items), err)
		}
		if n, err := v.Count(bctx); err != nil || n != 0 {
			t.Fatalf("B counts %d, %v", n, err)
		}
		for what, err := range map[string]error{
			"get":    second(v.Get(bctx, a1.ID)),
			"reveal": second(v.Reveal(bctx, a1.ID, vault.FieldPassword)),
			"update": second(v.Update(bctx, a1.ID, vault.Input{Title: "mine now"})),
			"delete": v.Delete(bctx, a1.ID),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("B %s: %v, want not found", what, err)
			}
		}
		var buf bytes.Buffer
		if n, err := v.Export(bctx, &buf, nil); err != nil || n != 0 || strings.Contains(buf.String(), knownPassword) {
			t.Fatalf("B exports %d entries, %v", n, err)
		}
		// HTTP: 404, never 403.
		for _, p := range []string{"/vault/api/entries/" + a1.ID, "/vault/api/entries/" + a1.ID + "/secrets/password",
			"/vault/api/entries/" + a1.ID + "/totp", "/vault/entries/" + a1.ID, "/vault/entries/" + a1.ID + "/reveal/password"} {
			if code, body, _ := e.do("GET", p, btok, "", ""); code != 404 || strings.Contains(body, knownPassword) || strings.Contains(body, "Mail") {
				t.Errorf("B GET %s: %d %s", p, code, body)
			}
		}
		if code, _, _ := e.do("PUT", "/vault/api/entries/"+a1.ID, btok, "application/json", `{"title":"x"}`); code != 404 {
			t.Errorf("B PUT: %d", code)
		}
		if code, _, _ := e.do("DELETE", "/vault/api/entries/"+a1.ID, btok, "", ""); code != 404 {
			t.Errorf("B DELETE: %d", code)
		}
		code, body, _ := e.do("GET", "/vault/api/count", btok, "", "")
		if code != 200 || body != `{"count":0}`+"\n" && body != `{"count":0}` {
			t.Errorf("B count: %d %q", code, body)
		}
		code, body, _ = e.do("POST", "/vault/api/export", btok, "application/x-www-form-urlencoded", "confirm=true")
		if code != 200 || strings.Count(body, "\n") != 1 {
			t.Errorf("B export: %d %q", code, body)
		}
		// A still has both, unchanged.
		if n, _ := v.Count(actx); n != 2 {
			t.Fatalf("A has %d entries", n)
		}
		if p, err := v.Reveal(actx, a1.ID, vault.FieldPassword); err != nil || p != knownPassword {
			t.Fatalf("A reveals %q, %v", p, err)
		}
		code, body, _ = e.do("GET", "/vault/api/entries", atok, "", "")
		if code != 200 || !strings.Contains(body, `"title":"Mail"`) || strings.Contains(body, knownPassword) || strings.Contains(body, "sealed") {
			t.Fatalf("A lists: %d %s", code, body)
		}
		// No user: every call fails.
		ctx := anon()
		var out bytes.Buffer
		for what, err := range map[string]error{
			"create": second(v.Create(ctx, vault.Input{Title: "x"})),
			"get":    second(v.Get(ctx, a1.ID)),
			"list":   second(v.List(ctx, vault.ListOptions{})),
			"count":  second(v.Count(ctx)),
			"reveal": second(v.Reveal(ctx, a1.ID, vault.FieldPassword)),
			"update": second(v.Update(ctx, a1.ID, vault.Input{Title: "x"})),
			"delete": v.Delete(ctx, a1.ID),
			"export": second(v.Export(ctx, &out, nil)),
			"import": second(v.Import(ctx, strings.NewReader("name,login_password\nx,y\n"))),
			"health": second(v.Health(ctx, time.Now())),
		} {
			if err == nil || webos.StatusOf(err) != 401 {
				t.Errorf("%s without a user: %v", what, err)
			}
		}
		if code, _, _ := e.do("GET", "/vault/api/entries", "", "", ""); code != 401 {
			t.Errorf("anonymous list: %d", code)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestNothingInTheClearAtRest dumps what the database holds — every raw
// document of the vault's collections on MongoDB, every file of the
// SQLite store on disk — after saving entries with known secrets, and
// finds none of them, in the clear or in base64.
func TestNothingInTheClearAtRest(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		e := start(t, b)
		actx, _ := e.user("ada@example.com")
		for _, title := range []string{"Mail", "Bank", "Forum"} {
			if _, err := e.vault.Create(actx, knownInput(title)); err != nil {
				t.Fatal(err)
			}
		}
		var dumps [][]byte
		var sawTitle bool
		if b.mongo == "" {
			e.stop() // flush the SQLite files (WAL checkpoint on close)
			err := filepath.WalkDir(b.dataDir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				raw, err := os.ReadFile(p)
				dumps = append(dumps, raw)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		} else {
			ctx := context.Background()
			cl, err := mongo.Connect(options.Client().ApplyURI(b.mongo))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Disconnect(ctx)
			names, err := cl.Database(b.db).ListCollectionNames(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range names {
				cur, err := cl.Database(b.db).Collection(n).Find(ctx, bson.D{})
				if err != nil {
					t.Fatal(err)
				}
				for cur.Next(ctx) {
					dumps = append(dumps, append([]byte(nil), cur.Current...))
					js, _ := bson.MarshalExtJSON(cur.Current, false, false)
					dumps = append(dumps, js)
				}
				_ = cur.Close(ctx)
			}
		}
		all := bytes.Join(dumps, []byte{0})
		sawTitle = bytes.Contains(all, []byte("Forum"))
		if !sawTitle {
			t.Fatal("the dump does not even hold the titles: it dumped nothing")
		}
		for _, s := range []string{knownPassword, knownNotes, knownField, knownTOTP, "12345678901234567890"} {
			for _, form := range []string{s,
				base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
				base64.URLEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
				if bytes.Contains(all, []byte(form)) {
					t.Errorf("the dump holds %q", form)
				}
			}
		}
	})
}

// rawEntry reads the stored form of an entry, around the vault.
type rawEntry struct {
	store.Doc `bson:",inline"`
	Sealed    map[string][]byte `bson:"sealed"`
}

// TestTamperingAndMovingFailToOpen: a changed ciphertext, one moved to
// another entry and one moved to another field of its entry do not open.
func TestTamperingAndMovingFailToOpen(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		e := sharedEnv(t, b)
		actx, _ := e.user("ada@example.com")
		one, err := e.vault.Create(actx, knownInput("One"))
		if err != nil {
			t.Fatal(err)
		}
		two, err := e.vault.Create(actx, vault.Input{Title: "Two", Password: ptr("two-password"), Notes: ptr("two notes")})
		if err != nil {
			t.Fatal(err)
		}
		raw := store.NewCollection[rawEntry](e.db, "vault_entries")
		r1, err := raw.Get(actx, one.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Moved to another entry.
		if _, err := raw.Update(actx, two.ID, store.Set("sealed.password", r1.Sealed["password"])); err != nil {
			t.Fatal(err)
		}
		if v, err := e.vault.Reveal(actx, two.ID, vault.FieldPassword); !errors.Is(err, vault.ErrSealed) || v != "" {
			t.Errorf("moved ciphertext opened: %q %v", v, err)
		}
		// Moved to another field of its own entry.
		if _, err := raw.Update(actx, one.ID, store.Set("sealed.notes", r1.Sealed["password"])); err != nil {
			t.Fatal(err)
		}
		if v, err := e.vault.Reveal(actx, one.ID, vault.FieldNotes); !errors.Is(err, vault.ErrSealed) || v != "" {
			t.Errorf("ciphertext moved to notes opened: %q %v", v, err)
		}
		// One bit flipped, in the ciphertext and in the tag.
		for _, i := range []int{14, len(r1.Sealed["password"]) - 1} {
			bad := bytes.Clone(r1.Sealed["password"])
			bad[i] ^= 1
			if _, err := raw.Update(actx, one.ID, store.Set("sealed.password", bad)); err != nil {
				t.Fatal(err)
			}
			if v, err := e.vault.Reveal(actx, one.ID, vault.FieldPassword); !errors.Is(err, vault.ErrSealed) || v != "" {
				t.Errorf("tampered byte %d opened: %q %v", i, v, err)
			}
		}
		// The untouched original still opens, and the HTTP error says no more.
		if _, err := raw.Update(actx, one.ID, store.Set("sealed.password", r1.Sealed["password"])); err != nil {
			t.Fatal(err)
		}
		if v, err := e.vault.Reveal(actx, one.ID, vault.FieldPassword); err != nil || v != knownPassword {
			t.Fatalf("original: %q %v", v, err)
		}
	})
}

// TestRotation: with a new master key first, the rotation task re-wraps
// every data key; afterwards no data key is wrapped by the old key, and
// with the old key removed from the configuration every entry still opens.
func TestRotation(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		oldKey, newKey := string(vault.GenerateMasterKey()), string(vault.GenerateMasterKey())
		oldRing, _ := vault.ParseKeyring([]webos.Secret{webos.Secret(oldKey)})
		newRing, _ := vault.ParseKeyring([]webos.Secret{webos.Secret(newKey)})
		e1 := start(t, b, oldKey)
		type made struct {
			email string
			id    string
		}
		var entries []made
		for _, email := range []string{"ada@example.com", "bob@example.com", "cy@example.com"} {
			ctx, _ := e1.user(email)
			for i := range 3 {
				en, err := e1.vault.Create(ctx, vault.Input{Title: "t", Password: ptr(email + "-secret-" + string(rune('a'+i)))})
				if err != nil {
					t.Fatal(err)
				}
				entries = append(entries, made{email, en.ID})
			}
		}
		e1.stop()

		e2 := start(t, b, newKey, oldKey)
		admin := adminContext(t, e2)
		id, err := e2.vault.Rotate(admin)
		if err != nil {
			t.Fatal(err)
		}
		st := e2.waitTask(admin, id)
		var res vault.RotateResult
		if err := json.Unmarshal(st.Result, &res); err != nil || st.State != "succeeded" || res.Rewrapped != 3 || res.KeyID != newRing.Current() || st.Percent != 100 {
			t.Fatalf("rotation: %s %s %+v %v", st.State, st.Error, res, err)
		}
		ks, err := e2.vault.KeyStatus(admin)
		if err != nil || ks[oldRing.Current()] != 0 || ks[newRing.Current()] != 3 {
			t.Fatalf("after rotation: %v %v", ks, err)
		}
		e2.stop()

		e3 := start(t, b, newKey)
		for _, m := range entries {
			u, err := e3.auth.UserByEmail(context.Background(), m.email)
			if err != nil {
				t.Fatal(err)
			}
			ctx := withUser(u)
			if v, err := e3.vault.Reveal(ctx, m.id, vault.FieldPassword); err != nil || !strings.HasPrefix(v, m.email+"-secret-") {
				t.Fatalf("%s after rotation: %q %v", m.email, v, err)
			}
		}
	})
}

func TestImportExport(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	actx, tok := e.user("ada@example.com")
	bw := "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n" +
		"Work,1,login,Mail,\"two\nlines\",\"pin: 1234\",0,https://mail.example.com,ada,bw-pass-1," + knownTOTP + "\n" +
		",,note,A secure note,text,,0,,,,\n" +
		",,login,,,,0,,,nameless,\n" +
		"Home,,login,Forum,,,0,\"https://a.example,https://b.example\",ada2,bw-pass-2,not-a-totp!\n"
	res, err := e.vault.Import(actx, strings.NewReader(bw))
	if err != nil || res.Format != vault.FormatBitwarden || res.Imported != 1 || len(res.Skipped) != 3 {
		t.Fatalf("bitwarden: %+v %v", res, err)
	}
	kp := "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\n" +
		"\"Root/Banking\",\"Bank\",\"ada\",\"kp-pass-1\",\"https://bank.example\",\"n\",\"\",\"0\",\"2024-01-01T00:00:00Z\",\"2024-01-01T00:00:00Z\"\n"
	code, body, _ := e.do("POST", "/vault/api/import", tok, "text/csv", kp)
	if code != 200 || !strings.Contains(body, `"imported":1`) || !strings.Contains(body, `"format":"keepass"`) {
		t.Fatalf("keepass over HTTP: %d %s", code, body)
	}
	p, _ := e.vault.List(actx, vault.ListOptions{})
	if len(p.Items) != 2 || p.Items[0].Title != "Bank" || p.Items[0].Folder != "Banking" || p.Items[1].Folder != "Work" || !p.Items[1].Favorite {
		t.Fatalf("imported: %+v", p.Items)
	}
	if bank, _ := e.vault.Get(actx, p.Items[0].ID); !bank.PasswordChangedAt.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("KeePass's last change: %v", bank.PasswordChangedAt)
	}
	if v, _ := e.vault.Reveal(actx, p.Items[1].ID, "field:pin"); v != "1234" {
		t.Fatalf("custom field %q", v)
	}
	if code, body, _ := e.do("POST", "/vault/api/import", tok, "text/csv", "just,some\ncsv,file\n"); code != 422 || !strings.Contains(body, "neither") {
		t.Fatalf("unknown CSV: %d %s", code, body)
	}
	// Export needs the confirmation, then streams every secret.
	if code, body, _ := e.do("POST", "/vault/api/export", tok, "application/x-www-form-urlencoded", ""); code != 422 || !strings.Contains(body, "confirm") {
		t.Fatalf("unconfirmed export: %d %s", code, body)
	}
	code, body, hd := e.do("POST", "/vault/api/export", tok, "application/x-www-form-urlencoded", "confirm=true")
	if code != 200 || hd.Get("Cache-Control") != "no-store" || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(body, "bw-pass-1") || !strings.Contains(body, "kp-pass-1") || !strings.Contains(body, knownTOTP) {
		t.Fatalf("export: %d %v %s", code, hd, body)
	}
	// What was exported imports again, as it was.
	other, _ := e.user("bob@example.com")
	res, err = e.vault.Import(other, strings.NewReader(body))
	if err != nil || res.Imported != 2 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	var buf bytes.Buffer
	if _, err := e.vault.Export(other, &buf, nil); err != nil || buf.String() != body {
		t.Fatalf("round trip differs:\n%s\n%s", buf.String(), body)
	}
}

func TestHealth(t *testing.T) {
	e := sharedEnv(t, sqliteBackend(t))
	actx, _ := e.user("ada@example.com")
	mk := func(title, pw string) *vault.Entry {
		en, err := e.vault.Create(actx, vault.Input{Title: title, Password: ptr(pw)})
		if err != nil {
			t.Fatal(err)
		}
		return en
	}
	weak := mk("Weak", "password")
	r1, r2 := mk("Reuse 1", "Xk3#pL9!qR7@mZ2$"), mk("Reuse 2", "Xk3#pL9!qR7@mZ2$")
	mk("Strong", "v8#Hq2!Lm9@Rt4$Wz6")
	rep, err := e.vault.Health(actx, time.Now().Add(400*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 4 || len(rep.Weak) != 1 || rep.Weak[0].ID != weak.ID || len(rep.Reused) != 1 || len(rep.Reused[0]) != 2 || len(rep.Old) != 4 {
		t.Fatalf("%+v", rep)
	}
	ids := []string{rep.Reused[0][0].ID, rep.Reused[0][1].ID}
	if !(ids[0] == r1.ID && ids[1] == r2.ID || ids[0] == r2.ID && ids[1] == r1.ID) {
		t.Fatalf("reused %v", ids)
	}
	// Reuse is found through keyed hashes: equal passwords of different
	// users do not look alike in the database.
	bctx, _ := e.user("bob@example.com")
	other, _ := e.vault.Create(bctx, vault.Input{Title: "Bob", Password: ptr("Xk3#pL9!qR7@mZ2$")})
	raw := store.NewCollection[struct {
		store.Doc   `bson:",inline"`
		Fingerprint string `bson:"fingerprint"`
	}](e.db, "vault_entries")
	fa, _ := raw.Get(actx, r1.ID)
	fb, _ := raw.Get(actx, other.ID)
	if fa.Fingerprint == "" || fa.Fingerprint == fb.Fingerprint {
		t.Fatalf("fingerprints %q %q", fa.Fingerprint, fb.Fingerprint)
	}
}

var _ = io.Discard
