package afs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
)

// TestServeContent: ranges and conditional requests are served as
// http.ServeContent serves them, and its error answers are the kernel's
// JSON.
func TestServeContent(t *testing.T) {
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		afs.ServeContent(w, r, mod, strings.NewReader("hello, world"))
	})
	for _, c := range []struct {
		header, value string
		code          int
		body, ctype   string
	}{
		{"", "", 200, "hello, world", "text/plain; charset=utf-8"},
		{"Range", "bytes=7-", 206, "world", "text/plain; charset=utf-8"},
		{"If-None-Match", `"v1"`, 304, "", ""},
		{"Range", "bytes=100-200", 416, "", "application/json; charset=utf-8"},
		{"Range", "bytes=garbage", 416, "", "application/json; charset=utf-8"},
		{"If-Match", `"v0"`, 412, "", "application/json; charset=utf-8"},
	} {
		req := httptest.NewRequest("GET", "/f", nil)
		if c.header != "" {
			req.Header.Set(c.header, c.value)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.code || (c.ctype != "" && rec.Header().Get("Content-Type") != c.ctype) {
			t.Errorf("%s: %s: %d %q %q", c.header, c.value, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			continue
		}
		if c.code < 400 {
			if rec.Body.String() != c.body {
				t.Errorf("%s: %s: body %q", c.header, c.value, rec.Body.String())
			}
			continue
		}
		var e struct{ Error string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || rec.Header().Get("ETag") != "" {
			t.Errorf("%s: %s: error body %q, ETag %q", c.header, c.value, rec.Body.String(), rec.Header().Get("ETag"))
		}
	}
}
