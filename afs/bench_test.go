package afs_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
)

const benchSize = 100 << 20

// BenchmarkDownload compares downloading a 100 MiB file from the local
// source through the afs HTTP handler with http.ServeFile of the same
// file, over loopback with a warm page cache. The afs sub-benchmark
// reports its throughput relative to ServeFile as x-ServeFile.
func BenchmarkDownload(b *testing.B) {
	dir := b.TempDir()
	src, err := afs.OpenDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	f := afs.New(afs.Options{})
	defer f.Close()
	if err := f.Mount("local", src); err != nil {
		b.Fatal(err)
	}
	if _, err := f.Save(b.Context(), afs.MustParse("fs://local/big.bin"), newGenerated(1, benchSize), nil); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/afs/", http.StripPrefix("/afs", afs.NewHandler(f, afs.HandlerOptions{Authorize: afs.AllowAll})))
	mux.HandleFunc("/raw/big.bin", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "big.bin"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := srv.Client()

	get := func(b *testing.B, url string) {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != benchSize || resp.StatusCode != 200 {
			b.Fatalf("%s: %d, %d bytes, %v", url, resp.StatusCode, n, err)
		}
	}
	var baseline time.Duration
	b.Run("ServeFile", func(b *testing.B) {
		get(b, srv.URL+"/raw/big.bin") // warm up
		baseline = measure(b, func(b *testing.B) { get(b, srv.URL+"/raw/big.bin") })
	})
	b.Run("afs", func(b *testing.B) {
		get(b, srv.URL+"/afs/files/local/big.bin")
		reportRatio(b, "x-ServeFile", baseline, measure(b, func(b *testing.B) { get(b, srv.URL+"/afs/files/local/big.bin") }))
	})
}

// measure runs op in the benchmark loop and returns the time per op.
func measure(b *testing.B, op func(b *testing.B)) time.Duration {
	b.SetBytes(benchSize)
	for b.Loop() {
		op(b)
	}
	return b.Elapsed() / time.Duration(b.N)
}

// reportRatio reports the throughput of a candidate relative to the
// baseline measured just before in the same run: 1.0 is as fast, higher
// is faster.
func reportRatio(b *testing.B, unit string, baseline, candidate time.Duration) {
	if baseline > 0 && candidate > 0 {
		b.ReportMetric(float64(baseline)/float64(candidate), unit)
	}
}

// BenchmarkUpload compares storing 100 MiB through afs with a raw io.Copy
// to a file on the same disk: through the HTTP handler versus a handler
// that copies the request body to a file, and FS.Save versus io.Copy
// without HTTP. The afs sub-benchmarks report their throughput relative to
// the raw one before them (x-http-raw, x-copy-raw).
func BenchmarkUpload(b *testing.B) {
	dir := b.TempDir()
	src, err := afs.OpenDir(filepath.Join(dir, "afs"))
	if err != nil {
		b.Fatal(err)
	}
	f := afs.New(afs.Options{})
	defer f.Close()
	if err := f.Mount("local", src); err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, benchSize)
	_, _ = io.ReadFull(newGenerated(2, benchSize), payload)
	rawPath := filepath.Join(dir, "raw.bin")
	copyToFile := func(r io.Reader) (int64, error) {
		out, err := os.Create(rawPath)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(out, r)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return n, err
	}
	mux := http.NewServeMux()
	mux.Handle("/afs/", http.StripPrefix("/afs", afs.NewHandler(f, afs.HandlerOptions{MaxUpload: 2 * benchSize, Authorize: afs.AllowAll})))
	mux.HandleFunc("PUT /raw", func(w http.ResponseWriter, r *http.Request) {
		if _, err := copyToFile(r.Body); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := srv.Client()
	put := func(b *testing.B, url string) {
		req, _ := http.NewRequest("PUT", url, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
	}
	u := afs.MustParse("fs://local/up.bin")
	var httpRaw, copyRaw time.Duration
	b.Run("http-raw", func(b *testing.B) {
		httpRaw = measure(b, func(b *testing.B) { put(b, srv.URL+"/raw") })
	})
	b.Run("http-afs", func(b *testing.B) {
		reportRatio(b, "x-http-raw", httpRaw, measure(b, func(b *testing.B) { put(b, srv.URL+"/afs/files/local/up.bin") }))
	})
	b.Run("copy-raw", func(b *testing.B) {
		copyRaw = measure(b, func(b *testing.B) {
			if _, err := copyToFile(bytes.NewReader(payload)); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("save-afs", func(b *testing.B) {
		reportRatio(b, "x-copy-raw", copyRaw, measure(b, func(b *testing.B) {
			if _, err := f.Save(b.Context(), u, bytes.NewReader(payload), &afs.SaveOptions{ContentType: "application/octet-stream"}); err != nil {
				b.Fatal(err)
			}
		}))
	})
}
