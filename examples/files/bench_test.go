package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/tasks"
)

// The benchmarks run against the demo server of the browser tests (disk
// and a bucket on the test S3 server) and report each number with its
// baseline from the same run:
//
//	go test -run '^$' -bench . -benchtime 20x ./examples/files/

var benchData struct {
	once sync.Once
	err  error
}

// benchFolders makes the 10,000-file folders once: on disk and on S3.
func benchFolders(b *testing.B, srv *server) {
	benchData.once.Do(func() {
		if benchData.err = fillDisk(filepath.Join(srv.localDir, "bench10k"), 10_000); benchData.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		benchData.err = fill(ctx, srv.fs, "fs://s3/bench10k", 10_000)
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
}

// BenchmarkFirstPage: the first page (200 entries by name) of a folder of
// 10,000 files, through the commander's listing, against reading the
// folder with os.ReadDir and one raw S3 list request of as many keys.
func BenchmarkFirstPage(b *testing.B) {
	srv := demoServer(b)
	benchFolders(b, srv)
	ctx := context.Background()
	b.Run("disk/files.List", func(b *testing.B) {
		for b.Loop() {
			l, err := srv.files.List(ctx, files.ListQuery{URN: afs.MustParse("fs://local/bench10k")})
			if err != nil || len(l.Items) != files.DefaultPageSize {
				b.Fatal(err, len(l.Items))
			}
		}
	})
	b.Run("disk/os.ReadDir", func(b *testing.B) {
		for b.Loop() {
			es, err := os.ReadDir(filepath.Join(srv.localDir, "bench10k"))
			if err != nil || len(es) < 10_000-200 {
				b.Fatal(err)
			}
		}
	})
	b.Run("s3/files.List", func(b *testing.B) {
		for b.Loop() {
			l, err := srv.files.List(ctx, files.ListQuery{URN: afs.MustParse("fs://s3/bench10k")})
			if err != nil || len(l.Items) != files.DefaultPageSize {
				b.Fatal(err, len(l.Items))
			}
		}
	})
	b.Run("s3/raw-ListObjectsV2", func(b *testing.B) {
		for b.Loop() {
			out, err := srv.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.bucket),
				Prefix: aws.String("bench10k/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(files.DefaultPageSize)})
			if err != nil || len(out.Contents)+len(out.CommonPrefixes) != files.DefaultPageSize {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpload: 64 MiB through the resumable path (tus, 8 MiB PATCHes,
// as the browser sends them) against one PUT of the whole file to the
// afs API, both over HTTP to the same server onto the same disk source.
func BenchmarkUpload(b *testing.B) {
	srv := demoServer(b)
	c := signedIn(b)
	const size = 64 << 20
	const chunk = 8 << 20
	body := make([]byte, size)
	_, _ = rand.Read(body)
	if err := srv.fs.Mkdir(context.Background(), afs.MustParse("fs://local/benchup")); err != nil && !isExists(err) {
		b.Fatal(err)
	}
	md := "filename " + base64.StdEncoding.EncodeToString([]byte("tus.bin")) + ",folder " + base64.StdEncoding.EncodeToString([]byte("fs://local/benchup")) +
		",conflict " + base64.StdEncoding.EncodeToString([]byte("overwrite"))
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	b.Run("tus-8MiB-chunks", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			res := c.raw("POST", "/files/api/uploads", nil, map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": strconv.Itoa(size), "Upload-Metadata": md})
			loc := res.Header.Get("Location")
			for off := 0; off < size; off += chunk {
				h := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(off)}
				for k, v := range tus {
					h[k] = v
				}
				c.raw("PATCH", loc, bytes.NewReader(body[off:min(off+chunk, size)]), h)
			}
		}
	})
	b.Run("single-PUT", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			c.raw("PUT", "/api/fs/files/local/benchup/put.bin", bytes.NewReader(body), map[string]string{"Content-Type": "application/octet-stream"})
		}
	})
}

// userCtx is a context of the administrator.
func userCtx(_ testing.TB, srv *server) context.Context {
	return auth.WithUser(context.Background(), srv.admin)
}

func isExists(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("exists"))
}

// raw sends a request with a streamed body and fails on an error status.
func (c *client) raw(method, path string, body io.Reader, hdr map[string]string) *http.Response {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Origin", c.base)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode >= 300 {
		panic(fmt.Sprintf("%s %s: %d %s", method, path, res.StatusCode, b))
	}
	return res
}

// BenchmarkMove100MiB: moving a 100 MiB file from disk to S3 as the
// commander does it (a task: staged, verified, then the original
// deleted) against a raw io.Copy from the file on disk into a writer of
// the same S3 bucket.
func BenchmarkMove100MiB(b *testing.B) {
	srv := demoServer(b)
	const size = 100 << 20
	tmpl := filepath.Join(srv.localDir, "bench-move-template.bin")
	f, err := os.Create(tmpl)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	_ = f.Close()
	ctx := context.Background()
	_ = srv.fs.Mkdir(ctx, afs.MustParse("fs://s3/benchmove"))
	_ = os.MkdirAll(filepath.Join(srv.localDir, "benchmove"), 0o755)
	tm, ok := srv.app.Module(tasks.ModuleID)
	if !ok {
		b.Fatal("no tasks module")
	}
	tmod := tm.(*tasks.Module)
	b.Run("files-transfer-task", func(b *testing.B) {
		b.SetBytes(size)
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			name := fmt.Sprintf("m%d.bin", i)
			if err := os.Link(tmpl, filepath.Join(srv.localDir, "benchmove", name)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			id, err := srv.files.Enqueue(userCtx(b, srv), files.Transfer{Op: "move", From: []afs.URN{afs.MustParse("fs://local/benchmove/" + name)},
				To: afs.MustParse("fs://s3/benchmove"), Conflict: files.ConflictOverwrite})
			if err != nil {
				b.Fatal(err)
			}
			for {
				st, err := tmod.Status(userCtx(b, srv), id)
				if err != nil {
					b.Fatal(err)
				}
				if st.Done() {
					if st.State != tasks.StateSucceeded {
						b.Fatalf("task %s: %s", st.State, st.Error)
					}
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
	})
	src, _ := srv.fs.Source("s3")
	b.Run("raw-io.Copy", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			in, err := os.Open(tmpl)
			if err != nil {
				b.Fatal(err)
			}
			w, err := src.Bucket().NewWriter(ctx, "benchmove/raw.bin", &blob.WriterOptions{ContentType: "application/octet-stream"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(w, in); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			_ = in.Close()
		}
	})
}
