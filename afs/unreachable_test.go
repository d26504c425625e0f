package afs_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// TestUnreachableStorage: an S3 server that refuses connections makes
// reads and writes fail with ErrUnavailable — 503 with Retry-After over
// HTTP, without the server's address — instead of an internal error.
func TestUnreachableStorage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	src, err := afs.OpenSource(t.Context(), "s3://k:s@bucket?endpoint=http://"+addr+"&use_path_style=true&region=us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	f := afs.New(afs.Options{})
	if err := f.Mount("s3", src); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := afs.MustParse("fs://s3/a.txt")
	_, statErr := f.Stat(t.Context(), u)
	_, saveErr := f.Save(t.Context(), u, strings.NewReader("x"), nil)
	for name, err := range map[string]error{"stat": statErr, "save": saveErr} {
		if !errors.Is(err, afs.ErrUnavailable) || !errors.Is(err, webos.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
	rec := httptest.NewRecorder()
	webos.WriteError(rec, httptest.NewRequest("GET", "/", nil), statErr)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || strings.Contains(rec.Body.String(), addr) {
		t.Fatalf("HTTP answer: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
