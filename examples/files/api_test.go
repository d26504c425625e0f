package files_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
)

// client is a signed-in HTTP client of the demo server.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func signedIn(t testing.TB) *client {
	t.Helper()
	srv := demoServer(t)
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: srv.URL, hc: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	res := c.do("POST", "/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d %s", res.StatusCode, res.body)
	}
	return c
}

type response struct {
	*http.Response
	body []byte
}

// do sends a request; body is JSON unless it is a []byte or string.
func (c *client) do(method, path string, body any, hdr map[string]string) response {
	c.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
		ct = "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Origin", c.base)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, b}
}

// TestAPIBadInput sends every handler malformed, mistyped and
// out-of-range input: each answer has the right status and a JSON
// {"error": ...} that names the problem, never a 5xx.
func TestAPIBadInput(t *testing.T) {
	c := signedIn(t)
	demoServer(t).put(t, "fs://local/api/file.txt", []byte("x"))
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	md := func(kv ...string) string {
		var parts []string
		for i := 0; i < len(kv); i += 2 {
			parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
		}
		return strings.Join(parts, ",")
	}
	with := func(h map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	cases := []struct {
		name         string
		method, path string
		body         any
		hdr          map[string]string
		status       int
		want         string // part of the error
	}{
		{"list without urn", "GET", "/files/api/list", nil, nil, 422, "urn"},
		{"list traversal", "GET", "/files/api/list?urn=" + url.QueryEscape("fs://local/../etc"), nil, nil, 400, "traversal"},
		{"list encoded traversal", "GET", "/files/api/list?urn=" + url.QueryEscape("fs://local/%2e%2e/x"), nil, nil, 400, ""},
		{"list unknown source", "GET", "/files/api/list?urn=fs://nope/x", nil, nil, 400, "unknown source"},
		{"list missing folder", "GET", "/files/api/list?urn=fs://local/missing", nil, nil, 404, "not found"},
		{"list a file", "GET", "/files/api/list?urn=fs://local/api/file.txt", nil, nil, 400, "not a folder"},
		{"list bad sort", "GET", "/files/api/list?urn=fs://local&sort=color", nil, nil, 422, "sort"},
		{"list bad desc", "GET", "/files/api/list?urn=fs://local&desc=maybe", nil, nil, 422, "desc"},
		{"list bad limit", "GET", "/files/api/list?urn=fs://local&limit=0", nil, nil, 422, "limit"},
		{"list huge limit", "GET", "/files/api/list?urn=fs://local&limit=5000", nil, nil, 422, "limit"},
		{"list forged cursor", "GET", "/files/api/list?urn=fs://local&cursor=%21%21", nil, nil, 422, "cursor"},
		{"list long filter", "GET", "/files/api/list?urn=fs://local&filter=" + strings.Repeat("a", 300), nil, nil, 422, "filter"},
		{"raw missing", "GET", "/files/api/raw?urn=fs://local/none.txt", nil, nil, 404, "not found"},
		{"raw no urn", "GET", "/files/api/raw", nil, nil, 422, "urn"},
		{"preview a folder", "GET", "/files/preview?urn=fs://local/api", nil, nil, 422, "folder"},
		{"preview garbage", "GET", "/files/preview?urn=%00", nil, nil, 422, "urn"},
		{"mkdir malformed JSON", "POST", "/files/api/mkdir", `{"urn":`, map[string]string{"Content-Type": "application/json"}, 400, ""},
		{"mkdir unknown field", "POST", "/files/api/mkdir", `{"urn":"fs://local/a","x":1}`, map[string]string{"Content-Type": "application/json"}, 400, ""},
		{"mkdir wrong type", "POST", "/files/api/mkdir", `{"urn":5}`, map[string]string{"Content-Type": "application/json"}, 400, ""},
		{"mkdir no urn", "POST", "/files/api/mkdir", map[string]string{}, nil, 422, "urn"},
		{"mkdir root", "POST", "/files/api/mkdir", map[string]string{"urn": "fs://local"}, nil, 422, "root"},
		{"mkdir existing", "POST", "/files/api/mkdir", map[string]string{"urn": "fs://local/api"}, nil, 409, "exists"},
		{"mkdir reserved name", "POST", "/files/api/mkdir", map[string]string{"urn": "fs://local/" + afs.ReservedPrefix + "x"}, nil, 422, "reserved"},
		{"mkdir text body", "POST", "/files/api/mkdir", "urn=x", map[string]string{"Content-Type": "text/plain"}, 400, "content type"},
		{"rename no name", "POST", "/files/api/rename", map[string]string{"urn": "fs://local/api/file.txt"}, nil, 422, "name"},
		{"rename with slash", "POST", "/files/api/rename", map[string]string{"urn": "fs://local/api/file.txt", "name": "a/b"}, nil, 422, "name"},
		{"rename dots", "POST", "/files/api/rename", map[string]string{"urn": "fs://local/api/file.txt", "name": ".."}, nil, 422, "name"},
		{"rename same", "POST", "/files/api/rename", map[string]string{"urn": "fs://local/api/file.txt", "name": "file.txt"}, nil, 422, "current name"},
		{"rename missing", "POST", "/files/api/rename", map[string]string{"urn": "fs://local/api/none", "name": "b"}, nil, 404, "not found"},
		{"delete none", "POST", "/files/api/delete", map[string]any{"urns": []string{}}, nil, 422, "urns"},
		{"delete root", "POST", "/files/api/delete", map[string]any{"urns": []string{"fs://local"}}, nil, 422, "root"},
		{"delete bad urn", "POST", "/files/api/delete", map[string]any{"urns": []string{"http://x"}}, nil, 422, "urns[0]"},
		{"delete missing", "POST", "/files/api/delete", map[string]any{"urns": []string{"fs://local/api/none"}}, nil, 404, "not found"},
		{"conflicts to a file", "POST", "/files/api/conflicts", map[string]any{"from": []string{"fs://local/api/file.txt"}, "to": "fs://local/api/file.txt"}, nil, 422, "not a folder"},
		{"transfer bad op", "POST", "/files/api/transfer", map[string]any{"op": "link", "from": []string{"fs://local/api/file.txt"}, "to": "fs://s3"}, nil, 422, "op"},
		{"transfer bad conflict", "POST", "/files/api/transfer", map[string]any{"op": "copy", "from": []string{"fs://local/api/file.txt"}, "to": "fs://s3", "conflict": "merge"}, nil, 422, "conflict"},
		{"transfer missing source", "POST", "/files/api/transfer", map[string]any{"op": "copy", "from": []string{"fs://local/api/none"}, "to": "fs://s3"}, nil, 422, "does not exist"},
		{"transfer into itself", "POST", "/files/api/transfer", map[string]any{"op": "copy", "from": []string{"fs://local/api"}, "to": "fs://local/api"}, nil, 422, ""},
		{"transfer to missing folder", "POST", "/files/api/transfer", map[string]any{"op": "move", "from": []string{"fs://local/api/file.txt"}, "to": "fs://s3/nowhere"}, nil, 404, "not found"},
		{"transfer too many", "POST", "/files/api/transfer", map[string]any{"op": "copy", "from": make([]string, 1001), "to": "fs://s3"}, nil, 422, "from"},
		{"tus without version", "POST", "/files/api/uploads", nil, map[string]string{"Upload-Length": "3"}, 412, "Tus-Resumable"},
		{"tus no length", "POST", "/files/api/uploads", nil, tus, 400, "Upload-Length"},
		{"tus negative length", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "-1"), 400, "Upload-Length"},
		{"tus over the limit", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", strconv.FormatInt(1<<40, 10), "Upload-Metadata", md("filename", "a", "folder", "fs://local/api")), 413, "too large"},
		{"tus bad metadata", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "3", "Upload-Metadata", "filename !!!"), 400, "Upload-Metadata"},
		{"tus no folder", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "3", "Upload-Metadata", md("filename", "a")), 422, "folder"},
		{"tus traversing name", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "3", "Upload-Metadata", md("filename", "../a", "folder", "fs://local/api")), 422, "filename"},
		{"tus folder is a file", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "3", "Upload-Metadata", md("filename", "a", "folder", "fs://local/api/file.txt")), 422, "not a folder"},
		{"tus bad conflict", "POST", "/files/api/uploads", nil, with(tus, "Upload-Length", "3", "Upload-Metadata", md("filename", "a", "folder", "fs://local/api", "conflict", "x")), 422, "conflict"},
		{"tus head unknown", "HEAD", "/files/api/uploads/" + strings.Repeat("ab", 16), nil, tus, 404, ""},
		{"tus head malformed id", "HEAD", "/files/api/uploads/..%2f..%2fetc", nil, tus, 0, ""},
		{"tus patch unknown", "PATCH", "/files/api/uploads/" + strings.Repeat("ab", 16), "x", with(tus, "Content-Type", "application/offset+octet-stream", "Upload-Offset", "0"), 404, "no such upload"},
		{"tus patch wrong type", "PATCH", "/files/api/uploads/" + strings.Repeat("ab", 16), "x", with(tus, "Content-Type", "text/plain", "Upload-Offset", "0"), 415, "Content-Type"},
		{"tus delete unknown", "DELETE", "/files/api/uploads/" + strings.Repeat("ab", 16), nil, tus, 404, "no such upload"},
		{"picker bad urn", "POST", "/files/picker", "image=" + url.QueryEscape("fs://local/../x"), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}, 422, "image"},
		{"picker a folder", "POST", "/files/picker", "image=" + url.QueryEscape("fs://local/api"), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}, 422, "folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.do(tc.method, tc.path, tc.body, tc.hdr)
			if res.StatusCode >= 500 {
				t.Fatalf("%d %s", res.StatusCode, res.body)
			}
			if tc.status != 0 && res.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", res.StatusCode, tc.status, res.body)
			}
			if tc.status == 0 && res.StatusCode < 400 {
				t.Errorf("status %d, want an error: %s", res.StatusCode, res.body)
			}
			if tc.method == "HEAD" {
				return
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(res.body, &e); err != nil || e.Error == "" {
				t.Fatalf("not a JSON error (%s): %q", res.Header.Get("Content-Type"), res.body)
			}
			if tc.want != "" && !strings.Contains(strings.ToLower(string(res.body)), strings.ToLower(tc.want)) {
				t.Errorf("error %q does not mention %q", res.body, tc.want)
			}
			if strings.Contains(string(res.body), "127.0.0.1") {
				t.Errorf("the error shows an address: %s", res.body)
			}
		})
	}
}

// TestAPIUnsignedIn: without a session every route is 401 JSON.
func TestAPIUnsignedIn(t *testing.T) {
	srv := demoServer(t)
	for _, p := range []string{"/files/api/list?urn=fs://local", "/files/api/sources", "/files/api/raw?urn=fs://local/x"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s: %d %s", p, res.StatusCode, b)
		}
	}
}
