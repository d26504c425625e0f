package ui

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// flashCookie holds the flash messages until the next page shows them.
const flashCookie = "webos_flash"

// insecureCookiesKey marks a request context in which the shell's cookies
// go without the Secure flag.
type insecureCookiesKey struct{}

// secureCookies reports whether the cookies the shell sets in answer to r
// (flash messages, the theme) carry the Secure flag. They follow the rule
// of the session cookie: Secure unless the auth module is configured for
// insecure cookies (WEBOS_AUTH_INSECURE_COOKIES, for local http), which
// the shell's middleware notes in the request's context.
func secureCookies(r *http.Request) bool {
	insecure, _ := r.Context().Value(insecureCookiesKey{}).(bool)
	return !insecure
}

// insecureCookies reports whether the auth module lets cookies go without
// the Secure flag.
func (m *Module) insecureCookies() bool {
	return m.auth != nil && m.auth.Config().InsecureCookies
}

// maxFlashBytes bounds the cookie; the oldest messages are dropped first.
const maxFlashBytes = 2048

// AddFlash queues a message for the next page the browser sees, typically
// before a redirect:
//
//	ui.AddFlash(w, r, ui.Flash{Kind: "success", Text: "Saved."})
//	http.Redirect(w, r, "/notes", http.StatusSeeOther)
//
// Messages travel in a cookie, so they survive the redirect and work
// across instances.
func AddFlash(w http.ResponseWriter, r *http.Request, f Flash) {
	pending := append(readFlashCookie(r), flashesOf(w)...)
	pending = append(pending, f)
	setFlashCookie(w, r, pending)
}

// takeFlashes returns the messages waiting for this page — those the
// request brought and those added while handling it — and clears them.
func takeFlashes(w http.ResponseWriter, r *http.Request) []Flash {
	fs := append(readFlashCookie(r), flashesOf(w)...)
	removeSetCookie(w, flashCookie)
	if _, err := r.Cookie(flashCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode})
	}
	return fs
}

func readFlashCookie(r *http.Request) []Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	return decodeFlashes(c.Value)
}

// flashesOf returns the messages already set on the response.
func flashesOf(w http.ResponseWriter) []Flash {
	for _, line := range w.Header().Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == flashCookie && c.MaxAge >= 0 {
			return decodeFlashes(c.Value)
		}
	}
	return nil
}

func decodeFlashes(v string) []Flash {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var fs []Flash
	if json.Unmarshal(b, &fs) != nil {
		return nil
	}
	return fs
}

func setFlashCookie(w http.ResponseWriter, r *http.Request, fs []Flash) {
	removeSetCookie(w, flashCookie)
	var v string
	for len(fs) > 0 {
		b, _ := json.Marshal(fs)
		v = base64.RawURLEncoding.EncodeToString(b)
		if len(v) <= maxFlashBytes {
			break
		}
		fs, v = fs[1:], ""
	}
	if v == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v, Path: "/", MaxAge: 300, HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// removeSetCookie drops the response's Set-Cookie lines for name.
func removeSetCookie(w http.ResponseWriter, name string) {
	lines := w.Header().Values("Set-Cookie")
	if len(lines) == 0 {
		return
	}
	kept := lines[:0:0]
	for _, line := range lines {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == name {
			continue
		}
		kept = append(kept, line)
	}
	if len(kept) == 0 {
		w.Header().Del("Set-Cookie")
		return
	}
	w.Header()["Set-Cookie"] = kept
}
