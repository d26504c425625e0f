package demo

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/internal/browsertest"
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
func grantClipboard(tb *browsertest.Tab) {
	tb.T().Helper()
	bc := chromedp.FromContext(tb.Context()).BrowserContextID
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.Call(tb.Context(), browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true}, Setting: browser.PermissionSettingGranted,
			Origin: tb.URL(""), BrowserContextID: bc,
		}); err != nil {
			tb.T().Fatalf("grant %s: %v", name, err)
		}
	}
	if _, err := chromedp.Call(tb.Context(), emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		tb.T().Fatal(err)
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
	grantClipboard(tb)
	tb.SignIn(browserAdminEmail, browserAdminPassword)

	tb.Visit("/vault/")
	tb.WaitFor("the empty vault", `document.querySelector("main .vault-empty") !== null`)
	tb.Do("open the editor", chromedp.Click(chromedp.CSS(`main a[href="/vault/new"]`)))
	tb.WaitFor("the editor", `document.querySelector("#entry-form #entry-title") !== null`)
	tb.Do("generate a password", chromedp.Click(chromedp.CSS("#entry-generate")))
	tb.WaitFor("the generated password", `(() => { const i = document.querySelector("#entry-password"); return i && i.type === "text" && i.value.length === 20 && document.querySelector("#entry-password-wrap .vault-entropy") !== null })()`)
	password := browsertest.Eval[string](tb, `document.querySelector("#entry-password").value`)
	tb.Do("fill in the entry",
		chromedp.SendKeys(chromedp.CSS("#entry-title"), "Mail"),
		chromedp.SendKeys(chromedp.CSS("#entry-username"), "ada@mail.example"),
		chromedp.SendKeys(chromedp.CSS("#entry-urls"), "https://mail.example/login"),
		chromedp.SendKeys(chromedp.CSS("#entry-totp"), b32),
		chromedp.SendKeys(chromedp.CSS("#entry-tags"), "work, mail"),
	)
	tb.Screenshot("vault-editor")
	tb.Do("save", chromedp.Click(chromedp.CSS(`#entry-form button[type=submit]`)))
	tb.WaitFor("the entry's page", `location.pathname.startsWith("/vault/entries/") && document.querySelector("main #secret-password") !== null`)
	if got := browsertest.Eval[string](tb, `document.querySelector("main").textContent`); strings.Contains(got, password) || strings.Contains(got, b32) {
		t.Fatal("the entry's page shows a secret before it is revealed")
	}

	// The live one-time code matches the reference for the known secret.
	tb.WaitFor("the one-time code", `document.querySelector("#totp[data-totp-ready=true]") !== null`)
	code := browsertest.Eval[string](tb, `document.querySelector("#totp [data-totp-code]").textContent`)
	now := time.Now()
	if code != referenceTOTP(secret, now) && code != referenceTOTP(secret, now.Add(-30*time.Second)) {
		t.Fatalf("TOTP code %q, reference %q", code, referenceTOTP(secret, now))
	}
	left := browsertest.Eval[string](tb, `document.querySelector("#totp [data-totp-left]").textContent`)
	if !strings.HasSuffix(left, " s") {
		t.Errorf("countdown %q", left)
	}

	// Reveal, then copy: the clipboard holds the password.
	tb.Do("reveal", chromedp.Click(chromedp.CSS("#reveal-password")))
	tb.WaitFor("the revealed password", fmt.Sprintf(`document.querySelector("#secret-password [data-autohide]")?.textContent === %q`, password))
	tb.Screenshot("vault-entry-revealed")
	tb.Do("copy", chromedp.Click(chromedp.CSS("#copy-password")))
	tb.WaitFor("the copy", `document.querySelector("#copy-password[data-copied=true]") !== null`)
	clip, err := chromedp.Run(tb.Context(), chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != password {
		t.Fatalf("clipboard %q, %v", clip, err)
	}
	if got := browsertest.Eval[string](tb, `document.querySelector("#copy-password + .vault-copied").textContent`); !strings.Contains(got, "cleared in 30 s") {
		t.Errorf("copy status %q", got)
	}

	// The page script hides a revealed secret after its data-autohide
	// seconds and clears the clipboard after data-clear-after seconds; the
	// page's own values are 20 and 30 s, so a copy of each with 1 s shows it.
	browsertest.Eval[bool](tb, `(() => {
		const h = document.querySelector("#secret-password");
		h.innerHTML = '<span data-autohide="1">shown</span>';
		h.firstChild.dispatchEvent(new CustomEvent("htmx:load", {bubbles: true}));
		const b = document.createElement("button");
		b.id = "copy-short"; b.type = "button"; b.textContent = "Copy";
		b.setAttribute("data-copy-text", "short-lived"); b.setAttribute("data-clear-after", "1");
		document.querySelector("main").appendChild(b);
		b.click();
		return true })()`)
	tb.WaitFor("the secret hidden again", `document.querySelector("#secret-password").textContent === "••••••••"`)
	tb.WaitFor("the clipboard cleared", `navigator.clipboard.readText().then(t => t === "" && document.querySelector("#copy-short + .vault-copied").textContent === "Clipboard cleared.")`)

	// A passphrase: set it, lock, find the secrets closed, unlock.
	entryPath := browsertest.Eval[string](tb, `location.pathname`)
	tb.Visit("/vault/security")
	tb.Do("set a passphrase",
		chromedp.SendKeys(chromedp.CSS("#pass-new"), "a browser passphrase"),
		chromedp.SendKeys(chromedp.CSS("#pass-repeat"), "a browser passphrase"),
		chromedp.Click(chromedp.CSS(`#passphrase-form button[type=submit]`)))
	tb.WaitFor("the unlocked vault", `document.querySelector("#lock-form") !== null && document.querySelector("#pass-current") !== null`)
	tb.Do("lock", chromedp.Click(chromedp.CSS(`#lock-form button[type=submit]`)))
	tb.WaitFor("the locked vault", `location.pathname === "/vault/" && document.querySelector("#unlock-form") !== null`)
	tb.Visit(entryPath)
	tb.WaitFor("the unlock form on the entry", `document.querySelector("#unlock-form") !== null`)
	locked, err := chromedp.Run(tb.Context(), chromedp.Evaluate[int](`fetch(document.querySelector("#copy-password").dataset.copyUrl).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || locked != 403 {
		t.Fatalf("a locked vault's secret: %d %v", locked, err)
	}
	tb.Screenshot("vault-locked")
	tb.Do("a wrong passphrase", chromedp.SendKeys(chromedp.CSS("#unlock-passphrase"), "not it at all"), chromedp.Click(chromedp.CSS(`#unlock-form button[type=submit]`)))
	tb.WaitFor("the error next to the form", `document.querySelector("#unlock-form-errors .field-error") !== null`)
	browsertest.Eval[string](tb, `document.querySelector("#unlock-passphrase").value = ""`)
	tb.Do("unlock", chromedp.SendKeys(chromedp.CSS("#unlock-passphrase"), "a browser passphrase"),
		chromedp.Click(chromedp.CSS(`#unlock-form button[type=submit]`)))
	tb.WaitFor("the unlocked entry", fmt.Sprintf(`location.pathname === %q && document.querySelector("#lock-form") !== null && document.querySelector("#unlock-form") === null`, entryPath))
	// Unlocked, the secret is served again (the page's own copy URL).
	tb.WaitFor("the secret served again", `fetch(document.querySelector("#copy-password").dataset.copyUrl).then(r => r.status === 200)`)

	// A second entry, then a search that finds only the first.
	tb.Visit("/vault/new")
	tb.Do("a second entry", chromedp.SendKeys(chromedp.CSS("#entry-title"), "Bank"), chromedp.SendKeys(chromedp.CSS("#entry-password"), "bank-password-1"),
		chromedp.Click(chromedp.CSS(`#entry-form button[type=submit]`)))
	tb.WaitFor("the second entry", `location.pathname.startsWith("/vault/entries/") && document.querySelector("main h1")?.textContent === "Bank"`)
	tb.Visit("/vault/")
	tb.WaitFor("both entries", `document.querySelectorAll("#vault-list tr[data-entry]").length === 2`)
	tb.Do("search", chromedp.SendKeys(chromedp.CSS("#vault-q"), "mail.exa"))
	tb.WaitFor("the search result", `(() => { const r = [...document.querySelectorAll("#vault-list .vault-title")].map(a => a.textContent); return r.length === 1 && r[0] === "Mail" })()`)
	tb.Screenshot("vault-search")

	// The generator on its own: a passphrase of words, with its entropy.
	tb.Visit("/vault/generator")
	tb.WaitFor("a password", `(document.querySelector("#gen-password")?.textContent || "").length === 20`)
	tb.Do("words", chromedp.Click(chromedp.CSS(`#gen-form input[name=mode][value=words]`)))
	tb.WaitFor("a passphrase", `(document.querySelector("#gen-password")?.textContent || "").split("-").length >= 5 && document.querySelector("#gen-result .vault-entropy").textContent.startsWith("64 bits")`)
	tb.Screenshot("vault-generator")

	// Another user's vault is empty.
	other := demoTab(t)
	other.SignIn(browserThemeEmail, browserThemePassword)
	other.Visit("/vault/")
	other.WaitFor("an empty vault", `document.querySelector("main .vault-empty") !== null && document.querySelectorAll("#vault-list tr[data-entry]").length === 0`)
	other.Screenshot("vault-second-user-empty")
	if csp := tb.TakeCSP(); len(csp) > 0 {
		t.Errorf("the Content-Security-Policy refused: %v", csp)
	}
}
