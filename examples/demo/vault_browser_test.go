package demo

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238's default
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// referenceTOTP is RFC 6238's TOTP with HMAC-SHA-1, six digits and 30 s
// steps, written from the RFC apart from the vault's implementation.
func referenceTOTP(secret []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30)) //nolint:gosec // a time after 1970
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[19] & 15
	v := (uint32(sum[off])&0x7f)<<24 | uint32(sum[off+1])<<16 | uint32(sum[off+2])<<8 | uint32(sum[off+3])
	return fmt.Sprintf("%06d", v%1_000_000)
}

// grantClipboard lets the tab's pages use the clipboard, as a user who
// allowed it would, and keeps the page focused (headless windows are not).
func (tb *chromeTab) grantClipboard() {
	tb.t.Helper()
	bc := chromedp.FromContext(tb.ctx).BrowserContextID
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.Call(tb.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true}, Setting: browser.PermissionSettingGranted,
			Origin: tb.base, BrowserContextID: bc,
		}); err != nil {
			tb.t.Fatalf("grant %s: %v", name, err)
		}
	}
	if _, err := chromedp.Call(tb.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		tb.t.Fatal(err)
	}
}

// TestBrowserVault creates entries in the vault, generates a password in
// the editor, searches, reveals and copies the password, checks the live
// TOTP code against a reference implementation, uses the generator on its
// own, and finds a second user's vault empty.
func TestBrowserVault(t *testing.T) {
	secret := []byte("12345678901234567890")
	b32 := base32.StdEncoding.EncodeToString(secret)
	tb := demoTab(t)
	tb.grantClipboard()
	tb.signIn(browserAdminEmail, browserAdminPassword)

	tb.visit("/vault/")
	tb.waitFor("the empty vault", `document.querySelector("main .vault-empty") !== null`)
	tb.do("open the editor", chromedp.Click(chromedp.CSS(`main a[href="/vault/new"]`)))
	tb.waitFor("the editor", `document.querySelector("#entry-form #entry-title") !== null`)
	tb.do("generate a password", chromedp.Click(chromedp.CSS("#entry-generate")))
	tb.waitFor("the generated password", `(() => { const i = document.querySelector("#entry-password"); return i && i.type === "text" && i.value.length === 20 && document.querySelector("#entry-password-wrap .vault-entropy") !== null })()`)
	password := browserEval[string](tb, `document.querySelector("#entry-password").value`)
	tb.do("fill in the entry",
		chromedp.SendKeys(chromedp.CSS("#entry-title"), "Mail"),
		chromedp.SendKeys(chromedp.CSS("#entry-username"), "ada@mail.example"),
		chromedp.SendKeys(chromedp.CSS("#entry-urls"), "https://mail.example/login"),
		chromedp.SendKeys(chromedp.CSS("#entry-totp"), b32),
		chromedp.SendKeys(chromedp.CSS("#entry-tags"), "work, mail"),
	)
	tb.screenshot("vault-editor")
	tb.do("save", chromedp.Click(chromedp.CSS(`#entry-form button[type=submit]`)))
	tb.waitFor("the entry's page", `location.pathname.startsWith("/vault/entries/") && document.querySelector("main #secret-password") !== null`)
	if got := browserEval[string](tb, `document.querySelector("main").textContent`); strings.Contains(got, password) || strings.Contains(got, b32) {
		t.Fatal("the entry's page shows a secret before it is revealed")
	}

	// The live one-time code matches the reference for the known secret.
	tb.waitFor("the one-time code", `document.querySelector("#totp[data-totp-ready=true]") !== null`)
	code := browserEval[string](tb, `document.querySelector("#totp [data-totp-code]").textContent`)
	now := time.Now()
	if code != referenceTOTP(secret, now) && code != referenceTOTP(secret, now.Add(-30*time.Second)) {
		t.Fatalf("TOTP code %q, reference %q", code, referenceTOTP(secret, now))
	}
	left := browserEval[string](tb, `document.querySelector("#totp [data-totp-left]").textContent`)
	if !strings.HasSuffix(left, " s") {
		t.Errorf("countdown %q", left)
	}

	// Reveal, then copy: the clipboard holds the password.
	tb.do("reveal", chromedp.Click(chromedp.CSS("#reveal-password")))
	tb.waitFor("the revealed password", fmt.Sprintf(`document.querySelector("#secret-password [data-autohide]")?.textContent === %q`, password))
	tb.screenshot("vault-entry-revealed")
	tb.do("copy", chromedp.Click(chromedp.CSS("#copy-password")))
	tb.waitFor("the copy", `document.querySelector("#copy-password[data-copied=true]") !== null`)
	clip, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != password {
		t.Fatalf("clipboard %q, %v", clip, err)
	}
	if got := browserEval[string](tb, `document.querySelector("#copy-password + .vault-copied").textContent`); !strings.Contains(got, "cleared in 30 s") {
		t.Errorf("copy status %q", got)
	}

	// The page script hides a revealed secret after its data-autohide
	// seconds and clears the clipboard after data-clear-after seconds; the
	// page's own values are 20 and 30 s, so a copy of each with 1 s shows it.
	browserEval[bool](tb, `(() => {
		const h = document.querySelector("#secret-password");
		h.innerHTML = '<span data-autohide="1">shown</span>';
		h.firstChild.dispatchEvent(new CustomEvent("htmx:load", {bubbles: true}));
		const b = document.createElement("button");
		b.id = "copy-short"; b.type = "button"; b.textContent = "Copy";
		b.setAttribute("data-copy-text", "short-lived"); b.setAttribute("data-clear-after", "1");
		document.querySelector("main").appendChild(b);
		b.click();
		return true })()`)
	tb.waitFor("the secret hidden again", `document.querySelector("#secret-password").textContent === "••••••••"`)
	tb.waitFor("the clipboard cleared", `navigator.clipboard.readText().then(t => t === "" && document.querySelector("#copy-short + .vault-copied").textContent === "Clipboard cleared.")`)

	// A passphrase: set it, lock, find the secrets closed, unlock.
	entryPath := browserEval[string](tb, `location.pathname`)
	tb.visit("/vault/security")
	tb.do("set a passphrase",
		chromedp.SendKeys(chromedp.CSS("#pass-new"), "a browser passphrase"),
		chromedp.SendKeys(chromedp.CSS("#pass-repeat"), "a browser passphrase"),
		chromedp.Click(chromedp.CSS(`#passphrase-form button[type=submit]`)))
	tb.waitFor("the unlocked vault", `document.querySelector("#lock-form") !== null && document.querySelector("#pass-current") !== null`)
	tb.do("lock", chromedp.Click(chromedp.CSS(`#lock-form button[type=submit]`)))
	tb.waitFor("the locked vault", `location.pathname === "/vault/" && document.querySelector("#unlock-form") !== null`)
	tb.visit(entryPath)
	tb.waitFor("the unlock form on the entry", `document.querySelector("#unlock-form") !== null`)
	locked, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`fetch(document.querySelector("#copy-password").dataset.copyUrl).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || locked != 403 {
		t.Fatalf("a locked vault's secret: %d %v", locked, err)
	}
	tb.screenshot("vault-locked")
	tb.do("a wrong passphrase", chromedp.SendKeys(chromedp.CSS("#unlock-passphrase"), "not it at all"), chromedp.Click(chromedp.CSS(`#unlock-form button[type=submit]`)))
	tb.waitFor("the error next to the form", `document.querySelector("#unlock-form-errors .field-error") !== null`)
	browserEval[string](tb, `document.querySelector("#unlock-passphrase").value = ""`)
	tb.do("unlock", chromedp.SendKeys(chromedp.CSS("#unlock-passphrase"), "a browser passphrase"),
		chromedp.Click(chromedp.CSS(`#unlock-form button[type=submit]`)))
	tb.waitFor("the unlocked entry", fmt.Sprintf(`location.pathname === %q && document.querySelector("#lock-form") !== null && document.querySelector("#unlock-form") === null`, entryPath))
	// Unlocked, the secret is served again (the page's own copy URL).
	tb.waitFor("the secret served again", `fetch(document.querySelector("#copy-password").dataset.copyUrl).then(r => r.status === 200)`)

	// A second entry, then a search that finds only the first.
	tb.visit("/vault/new")
	tb.do("a second entry", chromedp.SendKeys(chromedp.CSS("#entry-title"), "Bank"), chromedp.SendKeys(chromedp.CSS("#entry-password"), "bank-password-1"),
		chromedp.Click(chromedp.CSS(`#entry-form button[type=submit]`)))
	tb.waitFor("the second entry", `location.pathname.startsWith("/vault/entries/") && document.querySelector("main h1")?.textContent === "Bank"`)
	tb.visit("/vault/")
	tb.waitFor("both entries", `document.querySelectorAll("#vault-list tr[data-entry]").length === 2`)
	tb.do("search", chromedp.SendKeys(chromedp.CSS("#vault-q"), "mail.exa"))
	tb.waitFor("the search result", `(() => { const r = [...document.querySelectorAll("#vault-list .vault-title")].map(a => a.textContent); return r.length === 1 && r[0] === "Mail" })()`)
	tb.screenshot("vault-search")

	// The generator on its own: a passphrase of words, with its entropy.
	tb.visit("/vault/generator")
	tb.waitFor("a password", `(document.querySelector("#gen-password")?.textContent || "").length === 20`)
	tb.do("words", chromedp.Click(chromedp.CSS(`#gen-form input[name=mode][value=words]`)))
	tb.waitFor("a passphrase", `(document.querySelector("#gen-password")?.textContent || "").split("-").length >= 5 && document.querySelector("#gen-result .vault-entropy").textContent.startsWith("64 bits")`)
	tb.screenshot("vault-generator")

	// Another user's vault is empty.
	other := demoTab(t)
	other.signIn(browserThemeEmail, browserThemePassword)
	other.visit("/vault/")
	other.waitFor("an empty vault", `document.querySelector("main .vault-empty") !== null && document.querySelectorAll("#vault-list tr[data-entry]").length === 0`)
	other.screenshot("vault-second-user-empty")
	if csp := tb.csp.take(); len(csp) > 0 {
		t.Errorf("the Content-Security-Policy refused: %v", csp)
	}
}
