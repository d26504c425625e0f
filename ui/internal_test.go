package ui

import (
	"net/http"
	"testing"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/apps/hello":          "/apps/hello",
		"/a?b=c#d":             "/a?b=c#d",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"/x\r\nSet-Cookie: a":  "/",
		"/\t/evil.example":     "/",
		"/%09/evil.example":    "/%09/evil.example",
		"/\x00/evil.example":   "/",
		"/a\\b":                "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"":                    false,
		"gzip":                true,
		"br, gzip;q=0.5":      true,
		"gzip;q=0":            false,
		"GZIP ; q=1.0, br":    true,
		"identity":            false,
		"deflate, gzip;q=0.0": false,
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", in)
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v", in, got)
		}
	}
}

func TestWantsHTML(t *testing.T) {
	req := func(h ...string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		for i := 0; i < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	cases := []struct {
		r    *http.Request
		want bool
	}{
		{req("Sec-Fetch-Mode", "navigate"), true},
		{req("Sec-Fetch-Mode", "cors", "Accept", "text/html"), false},
		{req("Accept", "text/html,*/*"), true},
		{req("Accept", "application/json"), false},
		{req(), false},
		{req("HX-Request", "true", "HX-Target", "main", "Sec-Fetch-Mode", "cors"), true},
		{req("HX-Request", "true", "HX-Target", "other", "Accept", "text/html"), false},
		{req("HX-Request", "true", "HX-Target", "main", "HX-History-Restore-Request", "true", "Sec-Fetch-Mode", "cors"), false},
	}
	for i, c := range cases {
		if got := wantsHTML(c.r); got != c.want {
			t.Errorf("case %d (%v): %v", i, c.r.Header, got)
		}
	}
}
