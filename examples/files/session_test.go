package files_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
)

// TestUploadKeepsSessionAlive signs in with a two-second session and
// sends a resumable upload in chunks over about six seconds, one of them
// taking a second to arrive, as the browser does with its cookie: every
// chunk is accepted, since each request renews the session in use, and
// the file arrives whole. The same
// session left idle for longer than its lifetime then ends.
func TestUploadKeepsSessionAlive(t *testing.T) {
	testenv.Integration(t)
	const ttl = 2 * time.Second
	t.Setenv("WEBOS_AUTH_SESSION_TTL", ttl.String())
	base, app, stop := startOn(t, t.TempDir())
	defer stop()
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if got := am.Config().SessionTTL; got != ttl {
		t.Fatalf("session lifetime %s, want %s", got, ttl)
	}
	if _, err := am.CreateUser(t.Context(), auth.NewUser{Email: "long@example.com", Password: "long-upload-pw-1", Roles: []string{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}

	// The browser's part: it keeps the latest session cookie it was given.
	var cookie *http.Cookie
	renewals := 0
	send := func(method, path string, body io.Reader, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == am.Config().CookieName && c.MaxAge > 0 {
				if cookie != nil {
					renewals++
				}
				cookie = c
			}
		}
		return res, b
	}
	login, _ := json.Marshal(map[string]string{"email": "long@example.com", "password": "long-upload-pw-1"})
	if res, b := send("POST", "/auth/login", bytes.NewReader(login), map[string]string{"Content-Type": "application/json"}); res.StatusCode != http.StatusOK || cookie == nil {
		t.Fatalf("login: %d %s", res.StatusCode, b)
	}
	signedIn := time.Now()

	const chunk, chunks = 64 << 10, 12
	body := pattern(chunk * chunks)
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	md := "filename " + base64.StdEncoding.EncodeToString([]byte("long.bin")) + ",folder " + base64.StdEncoding.EncodeToString([]byte("fs://local"))
	res, b := send("POST", "/files/api/uploads", nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(len(body)), "Upload-Metadata": md})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, b)
	}
	loc := res.Header.Get("Location")
	for i := range chunks {
		time.Sleep(450 * time.Millisecond) // a slow connection
		var part io.Reader = bytes.NewReader(body[i*chunk : (i+1)*chunk])
		if i == chunks/2 {
			// One chunk takes half the session's lifetime to arrive; the
			// next one still finds the session alive.
			part = &slowReader{r: part, piece: chunk / 16, pause: ttl / 2 / 16}
		}
		res, b := send("PATCH", loc, part, map[string]string{
			"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(i * chunk)})
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("chunk %d, %s after the sign-in: %d %s", i+1, time.Since(signedIn).Round(time.Millisecond), res.StatusCode, b)
		}
	}
	took := time.Since(signedIn)
	if took < 2*ttl {
		t.Fatalf("the upload took %s, not longer than twice the session lifetime", took)
	}
	if renewals == 0 {
		t.Fatal("the session cookie was never renewed")
	}
	t.Logf("upload of %d chunks over %s with a %s session: %d renewals", chunks, took.Round(time.Millisecond), ttl, renewals)
	if res, _ := send("HEAD", loc, nil, tus); res.StatusCode != http.StatusNotFound && res.Header.Get("Upload-Offset") != strconv.Itoa(len(body)) {
		t.Fatalf("after the last chunk: %d, offset %q", res.StatusCode, res.Header.Get("Upload-Offset"))
	}
	fsys, _ := registry.Get[*afs.FS](app.Registry())
	f, err := fsys.Open(t.Context(), afs.MustParse("fs://local/long.bin"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	_ = f.Close()
	if !bytes.Equal(got, body) {
		t.Fatal("the stored file differs from the one sent")
	}

	// Idle for longer than its lifetime, the session is over.
	time.Sleep(ttl + 1100*time.Millisecond)
	res, b = send("GET", "/files/api/sources", nil, nil)
	if res.StatusCode != http.StatusUnauthorized || !bytes.Contains(b, []byte(`"error"`)) {
		t.Fatalf("an idle session: %d %s", res.StatusCode, b)
	}
}

// slowReader hands out r a piece at a time, pausing before each.
type slowReader struct {
	r     io.Reader
	piece int
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), s.piece)])
}
