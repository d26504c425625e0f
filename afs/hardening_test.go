package afs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// handlerEnv serves the HTTP API over one source mounted as "x".
type handlerEnv struct {
	srv  *httptest.Server
	fs   *afs.FS
	src  *afs.Source
	done chan string // receives "METHOD path?query" after each request was served
}

func newHandlerEnv(t *testing.T, src *afs.Source, maxUpload int64) *handlerEnv {
	t.Helper()
	f, _ := newFS(t, map[string]*afs.Source{"x": src})
	h := afs.NewHandler(f, afs.HandlerOptions{MaxUpload: maxUpload, Authorize: afs.AllowAll})
	e := &handlerEnv{fs: f, src: src, done: make(chan string, 1024)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		e.done <- r.Method + " " + r.URL.RequestURI()
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *handlerEnv) do(t *testing.T, method, path string, body io.Reader, hdr ...string) *http.Response {
	t.Helper()
	return request(t, method, e.srv.URL+path, body, hdr...)
}

// served waits until the request "METHOD path" was served.
func (e *handlerEnv) served(t *testing.T, req string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-e.done:
			if got == req {
				return
			}
		case <-timeout:
			t.Fatalf("%s was not served", req)
		}
	}
}

// leftovers returns the names afs keeps for itself (other than folder
// markers) that lie in the source: staging objects a request failed to
// remove.
func leftovers(t *testing.T, src *afs.Source) []string {
	t.Helper()
	var found []string
	hidden := func(name string) bool {
		return strings.HasPrefix(name, ".afs-") && !strings.HasPrefix(name, afs.FolderMarker)
	}
	if dir := src.Dir(); dir != "" {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if hidden(d.Name()) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	it := src.Bucket().List(nil)
	for {
		o, err := it.Next(t.Context())
		if err == io.EOF {
			return found
		}
		if err != nil {
			t.Fatal(err)
		}
		for seg := range strings.SplitSeq(o.Key, "/") {
			if hidden(seg) {
				found = append(found, o.Key)
			}
		}
	}
}

func noLeftovers(t *testing.T, src *afs.Source) {
	t.Helper()
	if l := leftovers(t, src); len(l) > 0 {
		t.Fatalf("staging left behind: %q", l)
	}
}

type formPart struct{ name, content string }

// formBody returns a multipart/form-data body with the given files.
func formBody(parts ...formPart) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, _ := mw.CreateFormFile("file", p.name)
		_, _ = io.WriteString(w, p.content)
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestFormFailureKeepsFiles: a multipart upload that fails after its first
// part (too large, unterminated, a reserved name, the client gone) leaves
// every file that was there as it was, and stores nothing.
func TestFormFailureKeepsFiles(t *testing.T) {
	const limit = 1000
	modes := []struct {
		name   string
		status int
		send   func(t *testing.T, e *handlerEnv)
	}{
		{"too-large", 413, func(t *testing.T, e *handlerEnv) {
			b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{"second.bin", strings.Repeat("z", 2*limit)})
			// Chunked, so that the limit is found while streaming.
			jsonError(t, e.do(t, "POST", "/files/x/mp", io.MultiReader(bytes.NewReader(b)), "Content-Type", ct), 413)
		}},
		{"unterminated", 400, func(t *testing.T, e *handlerEnv) {
			b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{"second.bin", "second part"})
			b = b[:len(b)-40] // no closing boundary, part of the second file missing
			jsonError(t, e.do(t, "POST", "/files/x/mp", bytes.NewReader(b), "Content-Type", ct), 400)
		}},
		{"reserved-name", 400, func(t *testing.T, e *handlerEnv) {
			b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{afs.FolderMarker, "marker"})
			jsonError(t, e.do(t, "POST", "/files/x/mp", bytes.NewReader(b), "Content-Type", ct), 400)
		}},
		{"attrs-name", 400, func(t *testing.T, e *handlerEnv) {
			b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{"second.attrs", "attrs"})
			jsonError(t, e.do(t, "POST", "/files/x/mp", bytes.NewReader(b), "Content-Type", ct), 400)
		}},
		{"client-drops", 0, func(t *testing.T, e *handlerEnv) {
			b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{"second.bin", strings.Repeat("q", 300)})
			if len(b)+150 > limit {
				t.Fatalf("form of %d bytes is over the limit", len(b))
			}
			c, err := net.Dial("tcp", e.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(c, "POST /files/x/mp?try=drop HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", ct, len(b)+150)
			_, _ = c.Write(b[:len(b)-150])
			time.Sleep(50 * time.Millisecond)
			_ = c.Close()
			e.served(t, "POST /files/x/mp?try=drop")
		}},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newHandlerEnv(t, b.open(t), limit)
			for _, m := range modes {
				t.Run(m.name, func(t *testing.T) {
					if resp := e.do(t, "PUT", "/files/x/mp/keep.txt", strings.NewReader("ORIGINAL")); resp.StatusCode != 201 {
						t.Fatalf("put: %d %s", resp.StatusCode, body(t, resp))
					}
					m.send(t, e)
					if got := read(t, e.fs, "fs://x/mp/keep.txt"); got != "ORIGINAL" {
						t.Fatalf("keep.txt = %q after a failed upload", got)
					}
					page, err := e.fs.List(t.Context(), afs.MustParse("fs://x/mp"), nil)
					if err != nil {
						t.Fatal(err)
					}
					if got := names(page.Items); !slices.Equal(got, []string{"keep.txt"}) {
						t.Fatalf("mp holds %q", got)
					}
					noLeftovers(t, e.src)
				})
			}
			// A form into a new folder that fails leaves no folder.
			bd, ct := formBody(formPart{"a.txt", "a"}, formPart{afs.FolderMarker, "m"})
			jsonError(t, e.do(t, "POST", "/files/x/fresh/sub", bytes.NewReader(bd), "Content-Type", ct), 400)
			_, err := e.fs.Stat(t.Context(), afs.MustParse("fs://x/fresh"))
			wantErr(t, err, afs.ErrNotFound)
			noLeftovers(t, e.src)
			// A good form replaces and adds.
			bd, ct = formBody(formPart{"keep.txt", "NEW"}, formPart{"second.bin", "2nd"})
			if resp := e.do(t, "POST", "/files/x/mp", bytes.NewReader(bd), "Content-Type", ct); resp.StatusCode != 201 {
				t.Fatalf("form: %d %s", resp.StatusCode, body(t, resp))
			}
			if a, b := read(t, e.fs, "fs://x/mp/keep.txt"), read(t, e.fs, "fs://x/mp/second.bin"); a != "NEW" || b != "2nd" {
				t.Fatalf("after a good form: %q %q", a, b)
			}
			noLeftovers(t, e.src)
		})
	}
}

// TestCopyOverlapRefused: a folder cannot be copied into its own
// descendant or ancestor, with or without overwrite; the source is left
// as it was.
func TestCopyOverlapRefused(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newHandlerEnv(t, b.open(t), 0)
			f, ctx := e.fs, t.Context()
			save(t, f, "fs://x/a/b/x", "bx")
			save(t, f, "fs://x/a/b/b/x", "bbx")
			save(t, f, "fs://x/a/y", "ay")
			ow := &afs.CopyOptions{Overwrite: true}
			for _, c := range []struct{ from, to string }{
				{"fs://x/a/b", "fs://x/a"},
				{"fs://x/a/b/b", "fs://x/a"},
				{"fs://x/a", "fs://x/a/b"},
				{"fs://x/a", "fs://x/a/b/c"},
			} {
				for _, opts := range []*afs.CopyOptions{nil, ow} {
					_, err := f.Copy(ctx, afs.MustParse(c.from), afs.MustParse(c.to), opts)
					wantErr(t, err, afs.ErrSameFile)
					_, err = f.Move(ctx, afs.MustParse(c.from), afs.MustParse(c.to), opts)
					wantErr(t, err, afs.ErrSameFile)
				}
			}
			resp := e.do(t, "POST", "/copy", strings.NewReader(`{"from":"fs://x/a/b","to":"fs://x/a","overwrite":true}`))
			if eb := jsonError(t, resp, 400); !strings.Contains(eb.Error, "overlap") {
				t.Fatalf("message %q", eb.Error)
			}
			for urn, want := range map[string]string{"fs://x/a/b/x": "bx", "fs://x/a/b/b/x": "bbx", "fs://x/a/y": "ay"} {
				if got := read(t, f, urn); got != want {
					t.Fatalf("%s = %q, want %q", urn, got, want)
				}
			}
			page, err := f.List(ctx, afs.MustParse("fs://x/a"), &afs.ListOptions{Recursive: true})
			if err != nil || len(page.Items) != 3 {
				t.Fatalf("a holds %+v, %v", page, err)
			}
		})
	}
}

// TestEscapeSequenceNames: a name holding the escape form __0x<hex>__ that
// the stores rewrite is refused everywhere with 400; names that merely
// look alike work on every source.
func TestEscapeSequenceNames(t *testing.T) {
	for _, p := range []string{"a__0x41__b.txt", "dir__0x2f__/f", "__0x7fffffff__", "x/__0x0__"} {
		_, err := afs.NewURN("x", p)
		wantErr(t, err, afs.ErrReservedName)
		wantErr(t, err, webos.ErrBadRequest)
		_, err = afs.Parse("fs://x/" + p)
		wantErr(t, err, afs.ErrReservedName)
	}
	alike := []string{"a__0x__b.txt", "a__0xzz__b", "__0x41_", "_0x41__", "a__0X41__b", "__0x4 1__"}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newHandlerEnv(t, b.open(t), 0)
			f := e.fs
			jsonError(t, e.do(t, "PUT", "/files/x/h/a__0x41__b.txt", strings.NewReader("x")), 400)
			save(t, f, "fs://x/h/src.txt", "source")
			save(t, f, "fs://x/h/other.txt", "other")
			jsonError(t, e.do(t, "POST", "/move", strings.NewReader(`{"from":"fs://x/h/src.txt","to":"fs://x/h/other__0x41__.txt"}`)), 400)
			if got := read(t, f, "fs://x/h/src.txt"); got != "source" {
				t.Fatalf("source after a refused move: %q", got)
			}
			for i, n := range alike {
				u, err := afs.NewURN("x", "alike/"+n)
				if err != nil {
					t.Fatalf("%q: %v", n, err)
				}
				content := fmt.Sprint("content ", i)
				if _, err := f.Save(t.Context(), u, strings.NewReader(content), nil); err != nil {
					t.Fatalf("save %q: %v", n, err)
				}
				if got := read(t, f, u.String()); got != content {
					t.Fatalf("read %q = %q", n, got)
				}
				resp := e.do(t, "GET", "/files/x/alike/"+strings.ReplaceAll(n, " ", "%20"), nil)
				if got := body(t, resp); resp.StatusCode != 200 || got != content {
					t.Fatalf("download %q: %d %q", n, resp.StatusCode, got)
				}
				moved, _ := afs.NewURN("x", "alike-moved/"+n)
				if _, err := f.Move(t.Context(), u, moved, nil); err != nil {
					t.Fatalf("move %q: %v", n, err)
				}
				if got := read(t, f, moved.String()); got != content {
					t.Fatalf("moved %q = %q", n, got)
				}
			}
			page, err := f.List(t.Context(), afs.MustParse("fs://x/alike-moved"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(page.Items); !sameSet(got, alike) {
				t.Fatalf("listing %q, want %q", got, alike)
			}
		})
	}
}

// TestDiskForeignEscapedNames: files another program put on disk under a
// name in the escape form are left out of listings, since no URN reaches
// them.
func TestDiskForeignEscapedNames(t *testing.T) {
	src := diskSource(t)
	f, _ := newFS(t, map[string]*afs.Source{"x": src})
	save(t, f, "fs://x/d/plain.txt", "plain")
	must(t, os.WriteFile(filepath.Join(src.Dir(), "d", "foreign__0x41__.txt"), []byte("f"), 0o644))
	must(t, os.MkdirAll(filepath.Join(src.Dir(), "d", "sub__0x41__"), 0o755))
	must(t, os.WriteFile(filepath.Join(src.Dir(), "d", "sub__0x41__", "in.txt"), []byte("i"), 0o644))
	page, err := f.List(t.Context(), afs.MustParse("fs://x/d"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(page.Items); !slices.Equal(got, []string{"plain.txt"}) {
		t.Fatalf("one level: %q", got)
	}
	page, err = f.List(t.Context(), afs.MustParse("fs://x/d"), &afs.ListOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(page.Items); !slices.Equal(got, []string{"plain.txt"}) {
		t.Fatalf("recursive: %q", got)
	}
}

// TestDiskMoveNoReplace: a move without overwrite on one disk source does
// not replace a file (or fill a folder) that appears between its check and
// the rename.
func TestDiskMoveNoReplace(t *testing.T) {
	src := diskSource(t)
	f, _ := newFS(t, map[string]*afs.Source{"x": src})
	save(t, f, "fs://x/mv/src.txt", "SRC")
	save(t, f, "fs://x/mv/dir/a.txt", "A")
	defer afs.SetHookBeforePlace(func(key string) {
		switch key {
		case "mv/dst.txt":
			must(t, os.WriteFile(filepath.Join(src.Dir(), "mv", "dst.txt"), []byte("OTHER"), 0o644))
		case "mv/dir2":
			must(t, os.MkdirAll(filepath.Join(src.Dir(), "mv", "dir2"), 0o755))
			must(t, os.WriteFile(filepath.Join(src.Dir(), "mv", "dir2", "b.txt"), []byte("B"), 0o644))
		}
	})()
	_, err := f.Move(t.Context(), afs.MustParse("fs://x/mv/src.txt"), afs.MustParse("fs://x/mv/dst.txt"), nil)
	wantErr(t, err, afs.ErrExists)
	if got := read(t, f, "fs://x/mv/dst.txt"); got != "OTHER" {
		t.Fatalf("dst = %q", got)
	}
	if got := read(t, f, "fs://x/mv/src.txt"); got != "SRC" {
		t.Fatalf("src = %q", got)
	}
	_, err = f.Move(t.Context(), afs.MustParse("fs://x/mv/dir"), afs.MustParse("fs://x/mv/dir2"), nil)
	wantErr(t, err, afs.ErrExists)
	if a, b := read(t, f, "fs://x/mv/dir/a.txt"), read(t, f, "fs://x/mv/dir2/b.txt"); a != "A" || b != "B" {
		t.Fatalf("after a refused folder move: %q %q", a, b)
	}
	noLeftovers(t, src)
}

// TestCopyVerifyFailureKeepsDestination: when a copy fails its check, the
// file it was to replace is still there; a move keeps its source too.
func TestCopyVerifyFailureKeepsDestination(t *testing.T) {
	open := map[string]func(*testing.T) *afs.Source{"mem": memSource, "disk": diskSource, "s3": s3Source}
	for _, p := range []struct{ from, to string }{
		{"mem", ""}, {"disk", ""}, {"s3", ""}, {"mem", "disk"}, {"disk", "s3"}, {"s3", "mem"},
	} {
		t.Run(p.from+"-"+p.to, func(t *testing.T) {
			srcs := map[string]*afs.Source{"a": open[p.from](t)}
			dst := "a"
			if p.to != "" {
				srcs["b"] = open[p.to](t)
				dst = "b"
			}
			f, _ := newFS(t, srcs)
			ds := srcs[dst]
			ctx := t.Context()
			save(t, f, "fs://a/v/new.txt", "new content")
			save(t, f, "fs://"+dst+"/w/old.txt", "old content")
			save(t, f, "fs://a/dir/f.txt", "folder file")
			save(t, f, "fs://"+dst+"/dir2/f.txt", "old folder file")
			// A folder copy to a new place whose one file fails leaves no
			// part of the copy.
			save(t, f, "fs://a/part/good-1.txt", "good")
			save(t, f, "fs://a/part/good-2.txt", "good")
			save(t, f, "fs://a/part/sub/bad.txt", "bad")
			if err := f.Mkdir(ctx, afs.MustParse("fs://a/part/hollow")); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			tamper := func(key string) {
				mu.Lock()
				defer mu.Unlock()
				if err := ds.Bucket().WriteAll(context.Background(), key, []byte("tampered"), nil); err != nil {
					t.Errorf("tamper: %v", err)
				}
			}
			written := map[string]bool{}
			afs.SetHookWritten(func(key string) {
				mu.Lock()
				written[key] = true
				mu.Unlock()
				if strings.Contains(key, "sub/") {
					time.Sleep(20 * time.Millisecond) // let the good ones land first
					tamper(key)
				}
			})
			_, err := f.Copy(ctx, afs.MustParse("fs://a/part"), afs.MustParse("fs://"+dst+"/copied/part"), nil)
			wantErr(t, err, afs.ErrVerify)
			if len(written) < 2 {
				t.Fatalf("only %d files were copied before the failure", len(written))
			}
			_, err = f.Stat(ctx, afs.MustParse("fs://"+dst+"/copied"))
			wantErr(t, err, afs.ErrNotFound)
			if d := ds.Dir(); d != "" {
				if _, err := os.Lstat(filepath.Join(d, "copied")); !os.IsNotExist(err) {
					t.Fatalf("folder left on disk: %v", snapshot(t, filepath.Join(d, "copied")))
				}
			}
			defer afs.SetHookWritten(tamper)()
			ow := &afs.CopyOptions{Overwrite: true}
			_, err = f.Copy(ctx, afs.MustParse("fs://a/v/new.txt"), afs.MustParse("fs://"+dst+"/w/old.txt"), ow)
			wantErr(t, err, afs.ErrVerify)
			if p.from != "disk" || p.to != "" { // within one disk, a move renames
				_, err = f.Move(ctx, afs.MustParse("fs://a/v/new.txt"), afs.MustParse("fs://"+dst+"/w/old.txt"), ow)
				wantErr(t, err, afs.ErrVerify)
			}
			_, err = f.Copy(ctx, afs.MustParse("fs://a/dir"), afs.MustParse("fs://"+dst+"/dir2"), ow)
			wantErr(t, err, afs.ErrVerify)
			_, err = f.Copy(ctx, afs.MustParse("fs://a/v/new.txt"), afs.MustParse("fs://"+dst+"/w/fresh.txt"), nil)
			wantErr(t, err, afs.ErrVerify)
			afs.SetHookWritten(nil)
			for urn, want := range map[string]string{
				"fs://" + dst + "/w/old.txt":  "old content",
				"fs://a/v/new.txt":            "new content",
				"fs://" + dst + "/dir2/f.txt": "old folder file",
			} {
				if got := read(t, f, urn); got != want {
					t.Fatalf("%s = %q, want %q", urn, got, want)
				}
			}
			_, err = f.Stat(ctx, afs.MustParse("fs://"+dst+"/w/fresh.txt"))
			wantErr(t, err, afs.ErrNotFound)
			for _, s := range srcs {
				noLeftovers(t, s)
			}
		})
	}
}

// TestConditionalPut: PUT honours If-Match and If-None-Match: * with the
// ETag that GET and HEAD give, answering 412 as JSON on a mismatch; of
// several writers holding one ETag, exactly one wins.
func TestConditionalPut(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newHandlerEnv(t, b.open(t), 0)
			put := func(path, content string, hdr ...string) *http.Response {
				return e.do(t, "PUT", "/files/x/"+path, strings.NewReader(content), hdr...)
			}
			// Create only.
			if resp := put("c/doc.txt", "v1", "If-None-Match", "*"); resp.StatusCode != 201 {
				t.Fatalf("create: %d %s", resp.StatusCode, body(t, resp))
			}
			eb := jsonError(t, put("c/doc.txt", "v1b", "If-None-Match", "*"), 412)
			if strings.Contains(eb.Error, "127.0.0.1") || strings.Contains(eb.Error, "api error") {
				t.Fatalf("driver words in %q", eb.Error)
			}
			head := e.do(t, "HEAD", "/files/x/c/doc.txt", nil)
			etag1 := head.Header.Get("ETag")
			if etag1 == "" {
				t.Fatal("no ETag")
			}
			// Replace only what was read.
			resp := put("c/doc.txt", "v2", "If-Match", etag1)
			if resp.StatusCode != 201 {
				t.Fatalf("if-match: %d %s", resp.StatusCode, body(t, resp))
			}
			etag2 := resp.Header.Get("ETag")
			if get := e.do(t, "GET", "/files/x/c/doc.txt", nil); get.Header.Get("ETag") != etag2 || body(t, get) != "v2" {
				t.Fatalf("PUT answered ETag %q, GET %q", etag2, get.Header.Get("ETag"))
			}
			jsonError(t, put("c/doc.txt", "lost update", "If-Match", etag1), 412)
			jsonError(t, put("c/none.txt", "x", "If-Match", etag1), 412)
			jsonError(t, put("c/none.txt", "x", "If-Match", "*"), 412)
			jsonError(t, put("c/doc.txt", "x", "If-None-Match", etag2), 400)
			if resp := put("c/doc.txt", "v3", "If-Match", `"nope", `+etag2); resp.StatusCode != 201 {
				t.Fatalf("if-match list: %d %s", resp.StatusCode, body(t, resp))
			}
			if resp := put("c/doc.txt", "v4", "If-Match", "*"); resp.StatusCode != 201 {
				t.Fatalf("if-match *: %d %s", resp.StatusCode, body(t, resp))
			}
			if got := read(t, e.fs, "fs://x/c/doc.txt"); got != "v4" {
				t.Fatalf("content %q", got)
			}
			_, err := e.fs.Stat(t.Context(), afs.MustParse("fs://x/c/none.txt"))
			wantErr(t, err, afs.ErrNotFound)
			// Racing writers with one ETag, and racing creators.
			etag := e.do(t, "HEAD", "/files/x/c/doc.txt", nil).Header.Get("ETag")
			for _, hdr := range [][2]string{{"If-Match", etag}, {"If-None-Match", "*"}} {
				target := "c/doc.txt"
				if hdr[0] == "If-None-Match" {
					target = "c/race.txt"
				}
				var wg sync.WaitGroup
				codes := make([]int, 8)
				for i := range codes {
					wg.Go(func() {
						req, _ := http.NewRequest("PUT", e.srv.URL+"/files/x/"+target, strings.NewReader(fmt.Sprint("writer ", i)))
						req.Header.Set(hdr[0], hdr[1])
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							t.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						codes[i] = resp.StatusCode
					})
				}
				wg.Wait()
				won := 0
				for _, c := range codes {
					switch c {
					case 201:
						won++
					case 412:
					default:
						t.Fatalf("%s: status %d", hdr[0], c)
					}
				}
				if won != 1 {
					t.Fatalf("%s: %d writers won: %v", hdr[0], won, codes)
				}
			}
			noLeftovers(t, e.src)
			// The same on the FS.
			_, err = e.fs.Save(t.Context(), afs.MustParse("fs://x/c/doc.txt"), strings.NewReader("x"), &afs.SaveOptions{IfNoneMatch: true})
			wantErr(t, err, afs.ErrPrecondition)
			_, err = e.fs.Save(t.Context(), afs.MustParse("fs://x/c/doc.txt"), strings.NewReader("x"), &afs.SaveOptions{IfMatch: etag1})
			wantErr(t, err, afs.ErrPrecondition)
		})
	}
}

// TestDiskCreateOnlyRace: on disk, create-only does not replace a file that
// appears between its check and the rename.
func TestDiskCreateOnlyRace(t *testing.T) {
	src := diskSource(t)
	f, _ := newFS(t, map[string]*afs.Source{"x": src})
	defer afs.SetHookBeforePlace(func(key string) {
		if key == "r/new.txt" {
			must(t, os.MkdirAll(filepath.Join(src.Dir(), "r"), 0o755))
			must(t, os.WriteFile(filepath.Join(src.Dir(), "r", "new.txt"), []byte("FIRST"), 0o644))
		}
	})()
	_, err := f.Save(t.Context(), afs.MustParse("fs://x/r/new.txt"), strings.NewReader("SECOND"), &afs.SaveOptions{IfNoneMatch: true})
	wantErr(t, err, afs.ErrPrecondition)
	if got := read(t, f, "fs://x/r/new.txt"); got != "FIRST" {
		t.Fatalf("content %q", got)
	}
	noLeftovers(t, src)
}

// TestWorkerPanicIsError: a panic in a worker of a folder copy or delete
// comes back as an error, not a crash.
func TestWorkerPanicIsError(t *testing.T) {
	for _, b := range []backend{{"mem", memSource}, {"disk", diskSource}} {
		t.Run(b.name, func(t *testing.T) {
			e := newHandlerEnv(t, b.open(t), 0)
			save(t, e.fs, "fs://x/p/a.txt", "a")
			save(t, e.fs, "fs://x/p/b.txt", "b")
			defer afs.SetHookInGroup(func(string) { panic("worker bug") })()
			_, err := e.fs.Copy(t.Context(), afs.MustParse("fs://x/p"), afs.MustParse("fs://x/q"), nil)
			if err == nil || !strings.Contains(err.Error(), "panic") {
				t.Fatalf("copy: %v", err)
			}
			eb := jsonError(t, e.do(t, "POST", "/copy", strings.NewReader(`{"from":"fs://x/p","to":"fs://x/q2"}`)), 500)
			if strings.Contains(eb.Error, "worker bug") {
				t.Fatalf("panic value in the answer: %q", eb.Error)
			}
			if b.name == "mem" {
				err = e.fs.Delete(t.Context(), afs.MustParse("fs://x/p"), &afs.DeleteOptions{Recursive: true})
				if err == nil || !strings.Contains(err.Error(), "panic") {
					t.Fatalf("delete: %v", err)
				}
			}
		})
	}
}

// TestFormCommitRollback: when putting the files of a form in place fails
// half-way, the files already replaced get their old content back.
func TestFormCommitRollback(t *testing.T) {
	src := diskSource(t)
	e := newHandlerEnv(t, src, 0)
	if resp := e.do(t, "PUT", "/files/x/mp/keep.txt", strings.NewReader("ORIGINAL")); resp.StatusCode != 201 {
		t.Fatalf("put: %d", resp.StatusCode)
	}
	defer afs.SetHookBeforePlace(func(key string) {
		if key == "mp/second.bin" {
			// Something takes the name while the form is put in place.
			must(t, os.MkdirAll(filepath.Join(src.Dir(), "mp", "second.bin", "inner"), 0o755))
		}
	})()
	b, ct := formBody(formPart{"keep.txt", "NEW"}, formPart{"new.txt", "new"}, formPart{"second.bin", "2nd"})
	resp := e.do(t, "POST", "/files/x/mp", bytes.NewReader(b), "Content-Type", ct)
	if resp.StatusCode < 400 {
		t.Fatalf("form: %d %s", resp.StatusCode, body(t, resp))
	}
	jsonError(t, resp, resp.StatusCode)
	if got := read(t, e.fs, "fs://x/mp/keep.txt"); got != "ORIGINAL" {
		t.Fatalf("keep.txt = %q", got)
	}
	_, err := e.fs.Stat(t.Context(), afs.MustParse("fs://x/mp/new.txt"))
	wantErr(t, err, afs.ErrNotFound)
	noLeftovers(t, src)
}
