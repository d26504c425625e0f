package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
)

// fastParams keep unit tests quick; the integration tests use DefaultParams.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q lacks the PHC header with the OWASP parameters", h)
	}
	ok, err := VerifyPassword("correct horse battery staple", h)
	if err != nil || !ok {
		t.Fatalf("verify right password: %v %v", ok, err)
	}
	ok, err = VerifyPassword("correct horse battery stapler", h)
	if err != nil || ok {
		t.Fatalf("verify wrong password: %v %v", ok, err)
	}
	h2, _ := HashPassword("correct horse battery staple", DefaultParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	p, err := ParseHash(h)
	if err != nil || p != DefaultParams {
		t.Fatalf("ParseHash = %+v, %v", p, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := HashPassword("pw-pw-pw-pw", fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if NeedsRehash(h, fastParams) {
		t.Fatal("same parameters need a rehash")
	}
	for _, p := range []Params{
		{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64},
		DefaultParams,
	} {
		if !NeedsRehash(h, p) {
			t.Errorf("%+v: no rehash", p)
		}
	}
	if !NeedsRehash("garbage", fastParams) {
		t.Error("malformed hash needs no rehash")
	}
}

func TestMalformedHash(t *testing.T) {
	good, _ := HashPassword("pw-pw-pw-pw", fastParams)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":         "",
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":       strings.Replace(good, "argon2id", "argon2i", 1),
		"version":       strings.Replace(good, "v=19", "v=16", 1),
		"missing param": "$argon2id$v=19$m=64,t=1$" + parts[4] + "$" + parts[5],
		"huge memory":   "$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5],
		"zero time":     "$argon2id$v=19$m=64,t=0,p=1$" + parts[4] + "$" + parts[5],
		"bad salt":      "$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"short key":     "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$AAAA",
		"extra part":    good + "$x",
	} {
		if _, err := VerifyPassword("pw", h); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("%s: err = %v, want ErrMalformedHash", name, err)
		}
	}
	if _, err := HashPassword("x", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}); err == nil {
		t.Error("time 0 accepted")
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		granted, wanted string
		want            bool
	}{
		{"*", "blog.read", true},
		{"*", "anything.at.all", true},
		{"blog.read", "blog.read", true},
		{"blog.read", "blog.write", false},
		{"blog.*", "blog.read", true},
		{"blog.*", "blog.posts.delete", true},
		{"blog.*", "blog.*", true},
		{"blog.*", "blog", false},
		{"blog.*", "blogger.read", false},
		{"blog.posts.*", "blog.read", false},
		{"blog", "blog.read", false},
		{"blog*", "blogger", false},
		{"", "blog.read", false},
		{"blog.read", "*", false},
	}
	for _, c := range cases {
		if got := Match(c.granted, c.wanted); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.granted, c.wanted, got, c.want)
		}
	}
	if !Allowed([]string{"blog.*", "files.read"}, "blog.write", "files.read") {
		t.Error("Allowed: both covered")
	}
	if Allowed([]string{"blog.*"}, "blog.write", "files.read") {
		t.Error("Allowed: files.read not covered")
	}
	if !Allowed(nil) {
		t.Error("Allowed with nothing wanted")
	}
	u := &User{Permissions: []string{"blog.*"}}
	if !u.Can("blog.read") || u.Can("vault.read") || (*User)(nil).Can() {
		t.Error("User.Can")
	}
}

func TestValidPermission(t *testing.T) {
	for _, ok := range []string{"*", "blog", "blog.read", "blog.*", "file-commander.files.write", "a_b.c"} {
		if err := ValidPermission(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".*", "blog.", ".blog", "blog..read", "Blog.read", "blog.re ad", "blog*", "blog.*.read", "**"} {
		if err := ValidPermission(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := NewTokenSecret(), NewTokenSecret()
	if a == b || len(a) != 43 || !wellFormedToken(a) {
		t.Fatalf("tokens %q %q", a, b)
	}
	h := HashToken(a)
	if len(h) != 64 || h != HashToken(a) || h == HashToken(b) || strings.Contains(h, a) {
		t.Fatalf("hash %q", h)
	}
	// Known answer: SHA-256 of "abc".
	if HashToken("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatal("HashToken is not SHA-256 hex")
	}
	for _, bad := range []string{"", a[:42], a + "A", strings.Replace(a, a[:1], "+", 1), strings.Repeat("=", 43)} {
		if wellFormedToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	now := time.Now()
	tok := Token{ExpiresAt: now.Add(time.Minute)}
	if !tok.Valid(now) || tok.Valid(now.Add(time.Minute)) {
		t.Error("expiry")
	}
	tok.RevokedAt = &now
	if tok.Valid(now) {
		t.Error("revoked token valid")
	}
}

func TestKeyedLimiter(t *testing.T) {
	k := newKeyedLimiter(Limit{Burst: 3, Every: time.Minute}, 100)
	now := time.Unix(1_000_000, 0)
	for i := range 3 {
		if r, wait := k.reserve("a", now); r == nil || wait != 0 {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	r, wait := k.reserve("a", now)
	if r != nil || wait <= 0 || wait > time.Minute {
		t.Fatalf("4th attempt: %v %v", r, wait)
	}
	if r, _ := k.reserve("b", now); r == nil {
		t.Fatal("another key is limited")
	}
	// A refused attempt takes nothing: after one interval exactly one more.
	later := now.Add(time.Minute)
	if r, _ := k.reserve("a", later); r == nil {
		t.Fatal("refilled token refused")
	}
	if r, _ := k.reserve("a", later); r != nil {
		t.Fatal("second token after one interval")
	}
	// A cancelled reservation is given back.
	r1, _ := k.reserve("c", now)
	r2, _ := k.reserve("c", now)
	r2.CancelAt(now)
	r1.CancelAt(now)
	for i := range 3 {
		if r, _ := k.reserve("c", now); r == nil {
			t.Fatalf("after cancel, attempt %d refused", i+1)
		}
	}
	// Idle entries expire once their bucket is full again.
	k.sweep(later.Add(3*time.Minute + time.Second))
	if n := k.len(); n != 0 {
		t.Fatalf("%d entries after the idle sweep", n)
	}
}

func TestKeyedLimiterBounded(t *testing.T) {
	k := newKeyedLimiter(Limit{Burst: 1, Every: time.Hour}, 100)
	now := time.Unix(1_000_000, 0)
	for i := range 1000 {
		k.reserve("ip-"+string(rune('a'+i%26))+string(rune(i)), now)
		if n := k.len(); n > 100 {
			t.Fatalf("map grew to %d", n)
		}
	}
}

func TestLoginThrottle(t *testing.T) {
	th := newLoginThrottle(DefaultThrottle)
	now := time.Unix(1_000_000, 0)
	const victim = "ada@example.com"
	// Wrong passwords from one address: refused after PerAccountIP.Burst.
	first429 := 0
	for i := 1; i <= 20; i++ {
		a, wait := th.begin(victim, "203.0.113.5", now)
		if a == nil {
			if wait <= 0 {
				t.Fatal("refusal without a wait")
			}
			first429 = i
			break
		}
	}
	if first429 == 0 || first429 > DefaultThrottle.PerAccountIP.Burst+1 {
		t.Fatalf("first refusal at attempt %d", first429)
	}
	// The owner, elsewhere, gets in; success clears nothing of the attacker.
	a, _ := th.begin(victim, "198.51.100.7", now)
	if a == nil {
		t.Fatal("the owner at another address is locked out")
	}
	a.succeeded()
	if a, _ := th.begin(victim, "203.0.113.5", now); a != nil {
		t.Fatal("the attacker's count was cleared by the owner's success")
	}
	// One address trying many accounts hits PerIP.
	refused := 0
	for i := range 40 {
		if a, _ := th.begin("user"+string(rune('a'+i))+"@example.com", "192.0.2.9", now); a == nil {
			refused++
		}
	}
	if refused != 40-DefaultThrottle.PerIP.Burst {
		t.Fatalf("per-IP: %d refused of 40", refused)
	}
	// Many addresses against one account hit PerAccount.
	refused = 0
	for i := range 60 {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i / 256), byte(i)}).String()
		if a, _ := th.begin("grace@example.com", ip, now); a == nil {
			refused++
		}
	}
	if refused != 60-DefaultThrottle.PerAccount.Burst {
		t.Fatalf("per-account: %d refused of 60", refused)
	}
	// Successes do not count.
	for range 50 {
		a, _ := th.begin("linus@example.com", "192.0.2.77", now)
		if a == nil {
			t.Fatal("successful logins were throttled")
		}
		a.succeeded()
	}
}

func TestClientIP(t *testing.T) {
	trusted, err := parsePrefixes([]string{"10.0.0.0/8", "127.0.0.1", " "})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parsePrefixes([]string{"nonsense"}); err == nil {
		t.Fatal("bad proxy accepted")
	}
	cases := []struct {
		remote, xff string
		trusted     []netip.Prefix
		want        string
	}{
		{"192.0.2.1:1234", "", nil, "192.0.2.1"},
		{"192.0.2.1:1234", "203.0.113.9", nil, "192.0.2.1"},                              // untrusted peer: header ignored
		{"192.0.2.1:1234", "203.0.113.9", trusted, "192.0.2.1"},                          // peer not a proxy
		{"127.0.0.1:1234", "203.0.113.9", trusted, "203.0.113.9"},                        // one trusted hop
		{"10.1.2.3:1234", "198.51.100.1, 203.0.113.9, 10.9.9.9", trusted, "203.0.113.9"}, // skip trusted hops from the right
		{"10.1.2.3:1234", "garbage, 203.0.113.9", trusted, "203.0.113.9"},
		{"10.1.2.3:1234", "10.2.2.2, garbage", trusted, "10.1.2.3"},
		{"[::1]:80", "", nil, "::1"},
		{"[::ffff:192.0.2.1]:80", "", nil, "192.0.2.1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ClientIP(r, c.trusted); got != c.want {
			t.Errorf("ClientIP(%s, %q) = %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
}

func TestCookieKeyRotation(t *testing.T) {
	cfg := Config{}.withDefaults()
	mod := func(secrets ...webos.Secret) *Module {
		cs, err := newCookieStore(cfg, secrets)
		if err != nil {
			t.Fatal(err)
		}
		return &Module{cfg: cfg, cookies: cs}
	}
	old := mod("old-secret-old-secret-old-secret!")
	rotated := mod("new-secret-new-secret-new-secret!", "old-secret-old-secret-old-secret!")
	fresh := mod("new-secret-new-secret-new-secret!")

	issue := func(m *Module) *http.Cookie {
		w := httptest.NewRecorder()
		if err := m.setSessionCookie(w, httptest.NewRequest("POST", "/", nil), "tok"); err != nil {
			t.Fatal(err)
		}
		return w.Result().Cookies()[0]
	}
	read := func(m *Module, c *http.Cookie) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		return m.cookieSecret(r)
	}
	c := issue(old)
	if c.Value == "" || strings.Contains(c.Value, "tok") {
		t.Fatalf("cookie value %q not encrypted", c.Value)
	}
	if got := read(rotated, c); got != "tok" {
		t.Fatalf("rotated keys do not read a cookie of the old key: %q", got)
	}
	if got := read(fresh, c); got != "" {
		t.Fatal("a dropped key still verifies")
	}
	if got := read(old, issue(rotated)); got != "" {
		t.Fatal("new cookies are signed with the old key")
	}
	if got := read(fresh, issue(rotated)); got != "tok" {
		t.Fatal("new cookies are not signed with the newest key")
	}
	tampered := *c
	tampered.Value = c.Value[:len(c.Value)-2] + "AA"
	if got := read(old, &tampered); got != "" {
		t.Fatal("tampered cookie accepted")
	}
	if _, err := CookieKeys(nil); err == nil {
		t.Fatal("no keys accepted")
	}
	if _, err := CookieKeys([]webos.Secret{""}); err == nil {
		t.Fatal("empty key accepted")
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Setenv("WEBOS_AUTH_INSECURE_COOKIES", "true")
	t.Setenv("WEBOS_AUTH_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
	t.Setenv("WEBOS_ADMIN_EMAIL", "root@example.com")
	t.Setenv("WEBOS_AUTH_SESSION_TTL", "2h")
	t.Setenv("WEBOS_AUTH_REGISTRATION", "open")
	c, err := LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	if !c.InsecureCookies || len(c.TrustedProxies) != 2 || c.AdminEmail != "root@example.com" || c.SessionTTL != 2*time.Hour || c.Registration != RegistrationOpen {
		t.Fatalf("%+v", c)
	}
	d := c.withDefaults()
	if d.CookieName != "webos_session" || d.MinPasswordLength != 10 || d.Password != DefaultParams ||
		d.Throttle != DefaultThrottle || len(d.DefaultRoles) != 1 || d.SessionTTL != 2*time.Hour || d.Now == nil ||
		d.CredentialCacheTTL != 5*time.Second || d.CredentialCacheSize != 10000 {
		t.Fatalf("defaults %+v", d)
	}
	// Renewal is bounded: 30 days by default, never below the session
	// lifetime.
	if d.SessionMaxLifetime != 30*24*time.Hour {
		t.Fatalf("max lifetime %s", d.SessionMaxLifetime)
	}
	if l := (Config{SessionTTL: 60 * 24 * time.Hour}).withDefaults().SessionMaxLifetime; l != 60*24*time.Hour {
		t.Fatalf("max lifetime below the session lifetime: %s", l)
	}
	// Registration is closed unless configured open.
	if z := (Config{}).withDefaults(); z.Registration != RegistrationClosed || z.check() != nil {
		t.Fatalf("zero config: registration %q", z.Registration)
	}
	if err := (Config{Registration: "yes"}).withDefaults().check(); err == nil {
		t.Fatal("registration \"yes\" accepted")
	}
}

func TestValidation(t *testing.T) {
	for _, ok := range []string{"ada@example.com", "admin@localhost", "a.b+c@sub.example.org"} {
		if p := checkEmail(ok); p != "" {
			t.Errorf("%q: %s", ok, p)
		}
	}
	for _, bad := range []string{"", "ada", "Ada <ada@example.com>", "ada@", "@example.com", strings.Repeat("a", 250) + "@x.io"} {
		if p := checkEmail(bad); p == "" {
			t.Errorf("%q accepted", bad)
		}
	}
	if checkPassword("short", 10) == "" || checkPassword("          ", 10) == "" ||
		checkPassword(strings.Repeat("x", 2000), 10) == "" || checkPassword("long enough!", 10) != "" {
		t.Error("checkPassword")
	}
	if checkPassword("ääääääääää", 10) != "" {
		t.Error("length counts bytes, not characters")
	}
	if NormalizeEmail("  Ada@Example.COM ") != "ada@example.com" {
		t.Error("NormalizeEmail")
	}
}

func TestThrottleKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.5":             "203.0.113.5",
		"2001:db8:1:2:aaaa::1":    "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9999": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":         "2001:db8:1:3::/64",
		"not an ip":               "not an ip",
	} {
		if got := throttleKey(in); got != want {
			t.Errorf("throttleKey(%q) = %q, want %q", in, got, want)
		}
	}
}
