package files_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
)

// startOn starts the demo on a data folder with a disk source, as `make
// run` does, and returns its URL and a stop function.
func startOn(t *testing.T, dir string) (string, *webos.App, func()) {
	t.Helper()
	t.Setenv("WEBOS_AFS_SOURCES", "local=file://"+filepath.ToSlash(filepath.Join(dir, "files")))
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dir
	app, err := demo.NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	return srv.URL, app, func() {
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	}
}

// TestUploadResumesAfterRestart sends half of an upload, restarts the
// server on the same data folder and sends the rest: the server still
// knows the offset, and the file is whole.
func TestUploadResumesAfterRestart(t *testing.T) {
	testenv.Integration(t)
	dir := t.TempDir()
	base, app, stop := startOn(t, dir)
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	u, err := am.CreateUser(t.Context(), auth.NewUser{Email: "up@example.com", Password: "upload-password-1", Roles: []string{auth.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := am.IssueToken(t.Context(), u.ID, "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body := pattern(5 << 20)
	send := func(base, method, path string, r io.Reader, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest(method, base+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Tus-Resumable", "1.0.0")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		return res
	}
	md := "filename " + base64.StdEncoding.EncodeToString([]byte("restart.bin")) + ",folder " + base64.StdEncoding.EncodeToString([]byte("fs://local"))
	res := send(base, "POST", "/files/api/uploads", nil, map[string]string{"Upload-Length": strconv.Itoa(len(body)), "Upload-Metadata": md})
	loc := res.Header.Get("Location")
	half := len(body) / 2
	send(base, "PATCH", loc, bytes.NewReader(body[:half]), map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
	stop()

	base, app, stop = startOn(t, dir)
	defer stop()
	res = send(base, "HEAD", loc, nil, nil)
	if got := res.Header.Get("Upload-Offset"); got != strconv.Itoa(half) {
		t.Fatalf("after the restart the server has %s bytes, want %d", got, half)
	}
	fsys, _ := registry.Get[*afs.FS](app.Registry())
	if _, err := fsys.Stat(t.Context(), afs.MustParse("fs://local/restart.bin")); err == nil {
		t.Fatal("half an upload is visible")
	}
	res = send(base, "PATCH", loc, bytes.NewReader(body[half:]), map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(half)})
	if res.Header.Get("Upload-Offset") != strconv.Itoa(len(body)) {
		t.Errorf("final offset %s", res.Header.Get("Upload-Offset"))
	}
	f, err := fsys.Open(t.Context(), afs.MustParse("fs://local/restart.bin"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	_ = f.Close()
	if !bytes.Equal(got, body) {
		t.Error("the stored file differs from the one sent")
	}
	// A PATCH at a wrong offset is 409 with the server's offset.
	res2 := send(base, "POST", "/files/api/uploads", nil, map[string]string{"Upload-Length": "10", "Upload-Metadata": md})
	req, _ := http.NewRequest("PATCH", base+res2.Header.Get("Location"), bytes.NewReader([]byte("abc")))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "5")
	r3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if r3.StatusCode != http.StatusConflict || r3.Header.Get("Upload-Offset") != "0" {
		t.Errorf("wrong offset: %d, Upload-Offset %q", r3.StatusCode, r3.Header.Get("Upload-Offset"))
	}
}
