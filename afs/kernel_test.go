package afs_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// filesModule mounts the afs HTTP API in an application, as a module does.
type filesModule struct{ api *afs.Handler }

func (filesModule) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "files", Name: "Files", Prefix: "/api/fs"}
}

func (m filesModule) Routes(r *webos.Router) { m.api.Routes(r) }

// TestKernelRoutes serves the API through the kernel's router: uploads
// larger than the kernel's body limit pass (the API has its own), errors
// are JSON.
func TestKernelRoutes(t *testing.T) {
	cfg, err := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxBodyBytes = 1 << 10
	f, _ := newFS(t, map[string]*afs.Source{"local": diskSource(t)})
	app := webos.New(cfg, webos.AllowAll(), filesModule{afs.NewHandler(f, afs.HandlerOptions{MaxUpload: 1 << 20})})
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	payload := bytes.Repeat([]byte("z"), 64<<10) // over the kernel's 1 KiB
	req, _ := http.NewRequest("PUT", srv.URL+"/api/fs/files/local/big%20one.bin", bytes.NewReader(payload))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("upload through the kernel: %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/api/fs/files/local/big%20one.bin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(b, payload) {
		t.Fatalf("download through the kernel: %d, %d bytes", resp.StatusCode, len(b))
	}
	resp, err = http.Get(srv.URL + "/api/fs/files/local/%2e%2e/x")
	if err != nil {
		t.Fatal(err)
	}
	jsonError(t, resp, 400)
	resp, err = http.Get(srv.URL + "/api/fs/files/local/missing.txt")
	if err != nil {
		t.Fatal(err)
	}
	jsonError(t, resp, 404)
	// Over the API's own limit.
	req, _ = http.NewRequest("PUT", srv.URL+"/api/fs/files/local/huge.bin", bytes.NewReader(make([]byte, 2<<20)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	jsonError(t, resp, 413)
}

// TestKernelDownloadErrorsAreJSON: the conditional and range answers of a
// download are JSON errors like every other, and a good range still works.
func TestKernelDownloadErrorsAreJSON(t *testing.T) {
	cfg, err := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := newFS(t, map[string]*afs.Source{"local": diskSource(t)})
	app := webos.New(cfg, webos.AllowAll(), filesModule{afs.NewHandler(f, afs.HandlerOptions{})})
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	srv := httptest.NewServer(app.Handler())
	defer srv.Close()

	req, _ := http.NewRequest("PUT", srv.URL+"/api/fs/files/local/f.txt", bytes.NewReader([]byte("twenty-two bytes long!")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(header, value string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/api/fs/files/local/f.txt", nil)
		req.Header.Set(header, value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp = get("Range", "bytes=100-200")
	if cr := resp.Header.Get("Content-Range"); cr != "bytes */22" {
		t.Errorf("Content-Range %q", cr)
	}
	jsonError(t, resp, http.StatusRequestedRangeNotSatisfiable)
	jsonError(t, get("If-Match", `"nope"`), http.StatusPreconditionFailed)
	resp = get("Range", "bytes=0-5")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(b) != "twenty" {
		t.Fatalf("range: %d %q", resp.StatusCode, b)
	}
}

// TestKernelFailsClosed: the files module composed without an authorizer
// refuses every route with 401 JSON, and opens with webos.AllowAll.
func TestKernelFailsClosed(t *testing.T) {
	for _, open := range []bool{false, true} {
		cfg, err := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.DataDir = t.TempDir()
		files := &afs.Module{}
		files.Config.Sources = webos.Secret("local=mem://")
		mods := []webos.Module{files}
		if open {
			mods = append(mods, webos.AllowAll())
		}
		app := webos.New(cfg, mods...)
		app.SetLogger(slog.New(slog.DiscardHandler))
		if err := app.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app.Handler())
		for _, rq := range []struct{ method, path, body string }{
			{"PUT", "/api/fs/files/local/docs/a.txt", "x"},
			{"GET", "/api/fs/list/local/", ""},
			{"GET", "/api/fs/files/local/docs/a.txt", ""},
			{"POST", "/api/fs/mkdir/local/new", ""},
			{"POST", "/api/fs/copy", `{"from":"fs://local/docs/a.txt","to":"fs://local/b.txt"}`},
			{"DELETE", "/api/fs/files/local/docs?recursive=true", ""},
		} {
			req, _ := http.NewRequest(rq.method, srv.URL+rq.path, strings.NewReader(rq.body))
			if rq.body != "" && rq.body[0] == '{' {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if open {
				resp.Body.Close()
				if resp.StatusCode >= 400 {
					t.Errorf("open: %s %s: %d", rq.method, rq.path, resp.StatusCode)
				}
				continue
			}
			jsonError(t, resp, 401)
		}
		srv.Close()
		_ = app.Stop(context.Background())
	}
}
