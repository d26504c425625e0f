package afs_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

type apiEnv struct {
	srv     *httptest.Server
	fs      *afs.FS
	root    string // the disk source's folder
	outside string // a folder next to it
}

func newAPI(t *testing.T, opts afs.HandlerOptions) *apiEnv {
	t.Helper()
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	must(t, os.Mkdir(outside, 0o755))
	must(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("top secret"), 0o644))
	src, err := afs.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(outside, filepath.Join(root, "escape")))
	f, _ := newFS(t, map[string]*afs.Source{"local": src, "mem": memSource(t)})
	if opts.Authorize == nil {
		opts.Authorize = afs.AllowAll
	}
	srv := httptest.NewServer(afs.NewHandler(f, opts))
	t.Cleanup(srv.Close)
	return &apiEnv{srv: srv, fs: f, root: root, outside: outside}
}

func (e *apiEnv) do(t *testing.T, method, path string, body io.Reader, hdr ...string) *http.Response {
	t.Helper()
	return request(t, method, e.srv.URL+path, body, hdr...)
}

// request sends a request with header pairs; its body is closed when the
// test ends.
func request(t *testing.T, method, url string, body io.Reader, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// raw sends a request line exactly as given, bypassing the client's URL
// handling.
func (e *apiEnv) raw(t *testing.T, method, target string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", method, target)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonError checks that resp is a JSON error with the given status.
func jsonError(t *testing.T, resp *http.Response, status int) webos.ErrorBody {
	t.Helper()
	var eb webos.ErrorBody
	b := body(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("error Content-Type %q: %s", resp.Header.Get("Content-Type"), b)
	}
	if err := json.Unmarshal([]byte(b), &eb); err != nil || eb.Error == "" {
		t.Fatalf("error body %q: %v", b, err)
	}
	return eb
}

func TestHTTPUploadDownload(t *testing.T) {
	e := newAPI(t, afs.HandlerOptions{})
	content := strings.Repeat("0123456789", 1000)
	resp := e.do(t, "PUT", "/files/local/docs/report%201.txt", strings.NewReader(content), "Content-Type", "text/plain; charset=utf-8")
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body(t, resp))
	}
	var info afs.Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if info.URN.String() != "fs://local/docs/report 1.txt" || info.Size != int64(len(content)) {
		t.Fatalf("upload answer %+v", info)
	}
	if b, err := os.ReadFile(filepath.Join(e.root, "docs", "report 1.txt")); err != nil || string(b) != content {
		t.Fatalf("on disk: %v", err)
	}

	resp = e.do(t, "GET", "/files/local/docs/report%201.txt", nil)
	if got := body(t, resp); resp.StatusCode != 200 || got != content {
		t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(got))
	}
	h := resp.Header
	if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Content-Length") != fmt.Sprint(len(content)) ||
		h.Get("ETag") == "" || h.Get("Last-Modified") == "" || h.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download headers: %v", h)
	}
	if cd := h.Get("Content-Disposition"); cd != `inline; filename="report 1.txt"; filename*=UTF-8''report%201.txt` {
		t.Fatalf("Content-Disposition %q", cd)
	}

	// A range, a conditional request and HEAD.
	resp = e.do(t, "GET", "/files/local/docs/report%201.txt", nil, "Range", "bytes=10-14")
	if got := body(t, resp); resp.StatusCode != 206 || got != "01234" || resp.Header.Get("Content-Range") != "bytes 10-14/10000" {
		t.Fatalf("range: %d %q %q", resp.StatusCode, got, resp.Header.Get("Content-Range"))
	}
	resp = e.do(t, "GET", "/files/local/docs/report%201.txt", nil, "If-None-Match", h.Get("ETag"))
	if resp.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
	resp = e.do(t, "HEAD", "/files/local/docs/report%201.txt", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != "10000" {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	// ?download=true makes it an attachment; HTML is never inline.
	resp = e.do(t, "GET", "/files/local/docs/report%201.txt?download=true", nil)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Fatalf("download=true: %q", cd)
	}
	e.do(t, "PUT", "/files/mem/page.html", strings.NewReader("<script>alert(1)</script>"))
	resp = e.do(t, "GET", "/files/mem/page.html", nil)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || resp.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Fatalf("HTML: %q %q", cd, resp.Header.Get("Content-Security-Policy"))
	}
	// Ranges from an object store too.
	resp = e.do(t, "GET", "/files/mem/page.html", nil, "Range", "bytes=-9")
	if got := body(t, resp); resp.StatusCode != 206 || got != "</script>" {
		t.Fatalf("mem range: %d %q", resp.StatusCode, got)
	}
}

func TestHTTPMissingAndTraversal(t *testing.T) {
	e := newAPI(t, afs.HandlerOptions{})
	jsonError(t, e.do(t, "GET", "/files/local/nothing.txt", nil), 404)
	jsonError(t, e.do(t, "GET", "/list/local/nothing", nil), 404)
	jsonError(t, e.do(t, "DELETE", "/files/local/nothing.txt", nil), 404)
	jsonError(t, e.do(t, "GET", "/files/nosource/x", nil), 400)
	jsonError(t, e.do(t, "GET", "/nowhere", nil), 404)

	for _, target := range []string{
		"/files/local/%2e%2e/outside/secret.txt",
		"/files/local/%2E%2E/outside/secret.txt",
		"/files/local/..%2foutside%2fsecret.txt",
		"/files/local/..%2f..%2f..%2fetc%2fpasswd",
		"/files/local/%252e%252e/outside/secret.txt",
		"/files/local/a%00b",
		"/files/local/..%5coutside%5csecret.txt",
		"/files/local/../outside/secret.txt",
		"/files/local//etc/passwd",
		"/files/local/escape/secret.txt",
		"/list/local/escape",
		"/list/local/%2e%2e",
	} {
		resp := e.raw(t, "GET", target)
		eb := jsonError(t, resp, 400)
		if strings.Contains(eb.Error, "top secret") {
			t.Fatalf("%s leaked the secret", target)
		}
	}
	for _, target := range []string{"/files/local/escape/new.txt", "/files/local/%2e%2e/outside/new.txt"} {
		req, _ := http.NewRequest("PUT", e.srv.URL+target, strings.NewReader("x"))
		req.URL.RawPath = target
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		jsonError(t, resp, 400)
		resp.Body.Close()
	}
	jsonError(t, e.raw(t, "DELETE", "/files/local/escape/secret.txt"), 400)
	if b, err := os.ReadFile(filepath.Join(e.outside, "secret.txt")); err != nil || string(b) != "top secret" {
		t.Fatalf("secret touched: %q %v", b, err)
	}
	entries, _ := os.ReadDir(e.outside)
	if len(entries) != 1 {
		t.Fatalf("outside holds %d entries", len(entries))
	}
}

func TestHTTPUploadLimit(t *testing.T) {
	e := newAPI(t, afs.HandlerOptions{MaxUpload: 1000})
	// Declared too large: refused before reading.
	eb := jsonError(t, e.do(t, "PUT", "/files/local/big.bin", bytes.NewReader(make([]byte, 1001))), 413)
	if eb.Error == "" {
		t.Fatal("no message")
	}
	// Chunked, found too large while streaming.
	jsonError(t, e.do(t, "PUT", "/files/local/up/big.bin", io.MultiReader(strings.NewReader(strings.Repeat("x", 600)), strings.NewReader(strings.Repeat("y", 600)))), 413)
	// A form whose second file goes over the limit: the first is removed.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", "small.txt")
	w.Write([]byte("small"))
	w, _ = mw.CreateFormFile("file", "big.bin")
	w.Write(make([]byte, 2000))
	mw.Close()
	jsonError(t, e.do(t, "POST", "/files/local/form", io.MultiReader(&buf), "Content-Type", mw.FormDataContentType()), 413)
	for _, p := range []string{"big.bin", "up", "form"} {
		if _, err := os.Lstat(filepath.Join(e.root, p)); !os.IsNotExist(err) {
			t.Errorf("%s left on disk: %v", p, err)
		}
	}
	// At the limit is fine.
	if resp := e.do(t, "PUT", "/files/local/ok.bin", bytes.NewReader(make([]byte, 1000))); resp.StatusCode != 201 {
		t.Fatalf("at the limit: %d %s", resp.StatusCode, body(t, resp))
	}
}

func TestHTTPFormListDeleteMoveMkdir(t *testing.T) {
	e := newAPI(t, afs.HandlerOptions{})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "ignored")
	for _, n := range []string{"a.txt", "Bild ü.png"} {
		w, _ := mw.CreateFormFile("file", n)
		w.Write([]byte("content of " + n))
	}
	mw.Close()
	resp := e.do(t, "POST", "/files/local/inbox", &buf, "Content-Type", mw.FormDataContentType())
	if resp.StatusCode != 201 {
		t.Fatalf("form upload: %d %s", resp.StatusCode, body(t, resp))
	}
	resp = e.do(t, "POST", "/mkdir/local/inbox/sub", nil)
	if resp.StatusCode != 201 {
		t.Fatalf("mkdir: %d %s", resp.StatusCode, body(t, resp))
	}
	resp = e.do(t, "GET", "/list/local/inbox", nil)
	var list struct {
		URN   string     `json:"urn"`
		Items []afs.Info `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if got := names(list.Items); list.URN != "fs://local/inbox" || !sameSet(got, []string{"a.txt", "Bild ü.png", "sub/"}) {
		t.Fatalf("listing %q: %q", list.URN, got)
	}
	resp = e.do(t, "GET", "/list/local", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("root listing: %d", resp.StatusCode)
	}
	// Move across sources, then copy back.
	resp = e.do(t, "POST", "/move", strings.NewReader(`{"from":"fs://local/inbox/a.txt","to":"fs://mem/archive/a.txt"}`), "Content-Type", "application/json")
	if resp.StatusCode != 200 {
		t.Fatalf("move: %d %s", resp.StatusCode, body(t, resp))
	}
	jsonError(t, e.do(t, "GET", "/files/local/inbox/a.txt", nil), 404)
	resp = e.do(t, "POST", "/copy", strings.NewReader(`{"from":"fs://mem/archive/a.txt","to":"fs://local/a-again.txt"}`))
	if resp.StatusCode != 200 {
		t.Fatalf("copy: %d %s", resp.StatusCode, body(t, resp))
	}
	jsonError(t, e.do(t, "POST", "/copy", strings.NewReader(`{"from":"fs://mem/archive/a.txt","to":"fs://local/a-again.txt"}`)), 409)
	jsonError(t, e.do(t, "POST", "/move", strings.NewReader(`{"from":"fs://local/../x","to":"fs://local/y"}`)), 400)
	jsonError(t, e.do(t, "POST", "/move", strings.NewReader(`{"from":"fs://local/a-again.txt"}`)), 422)
	// Delete: a folder with content needs ?recursive=true.
	jsonError(t, e.do(t, "DELETE", "/files/local/inbox", nil), 409)
	if resp := e.do(t, "DELETE", "/files/local/inbox?recursive=true", nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body(t, resp))
	}
	if _, err := os.Stat(filepath.Join(e.root, "inbox")); !os.IsNotExist(err) {
		t.Fatalf("inbox still on disk: %v", err)
	}
}

func TestHTTPPermissions(t *testing.T) {
	var asked []string
	e := newAPI(t, afs.HandlerOptions{
		Authorize: func(r *http.Request, perm string) error {
			asked = append(asked, "authorize "+perm)
			if r.Header.Get("X-Anonymous") != "" {
				return webos.ErrUnauthorized
			}
			if perm == "files.write" && r.Header.Get("X-Role") != "editor" {
				return fmt.Errorf("%w: needs %s", webos.ErrForbidden, perm)
			}
			return nil
		},
	})
	jsonError(t, e.do(t, "PUT", "/files/local/x.txt", strings.NewReader("x")), 403)
	if resp := e.do(t, "PUT", "/files/local/x.txt", strings.NewReader("x"), "X-Role", "editor"); resp.StatusCode != 201 {
		t.Fatalf("editor upload: %d", resp.StatusCode)
	}
	if resp := e.do(t, "GET", "/files/local/x.txt", nil); resp.StatusCode != 200 {
		t.Fatalf("read: %d", resp.StatusCode)
	}
	jsonError(t, e.do(t, "GET", "/files/local/x.txt", nil, "X-Anonymous", "1"), 401)
	want := []string{
		"authorize files.write",
		"authorize files.write",
		"authorize files.read",
		"authorize files.read",
	}
	if strings.Join(asked, ",") != strings.Join(want, ",") {
		t.Fatalf("checks:\n got %q\nwant %q", asked, want)
	}
}

// TestHTTPRegister mounts the API on a plain http.ServeMux under a prefix.
func TestHTTPRegister(t *testing.T) {
	f, _ := newFS(t, map[string]*afs.Source{"mem": memSource(t)})
	save(t, f, "fs://mem/a.txt", "a")
	inner := http.NewServeMux()
	afs.NewHandler(f, afs.HandlerOptions{Authorize: afs.AllowAll}).Register(inner)
	closed := http.NewServeMux()
	afs.NewHandler(f, afs.HandlerOptions{}).Register(closed)
	mux := http.NewServeMux()
	mux.Handle("/api/files/", http.StripPrefix("/api/files", inner))
	mux.Handle("/closed/", http.StripPrefix("/closed", closed))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// Without Authorize the API refuses everything.
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		req, _ := http.NewRequest(m, srv.URL+"/closed/files/mem/a.txt", strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		jsonError(t, resp, 401)
	}
	resp, err := http.Get(srv.URL + "/api/files/files/mem/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "a" {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

func TestContentDisposition(t *testing.T) {
	for _, name := range []string{
		"plain.txt", "with space.pdf", `quote"and\backslash.txt`, "Grüße.txt", "日本語.md",
		"semi;colon,comma.txt", "percent%20.txt", "emoji 🎉.png", "tab\tand\rcr.txt", "'single'.txt",
	} {
		cd := afs.ContentDisposition("attachment", name)
		kind, params, err := mime.ParseMediaType(cd)
		if err != nil {
			t.Errorf("%q: %q does not parse: %v", name, cd, err)
			continue
		}
		if kind != "attachment" || params["filename"] != name {
			t.Errorf("%q: parsed as %q %q", name, kind, params["filename"])
		}
		for _, c := range cd {
			if c < 0x20 || c >= 0x7f {
				t.Errorf("%q: header holds %q", name, c)
			}
		}
	}
	if cd := afs.ContentDisposition("inline", "ü"); !strings.Contains(cd, `filename="_"`) && !strings.Contains(cd, `filename="download"`) {
		t.Errorf("fallback: %q", cd)
	}
}
