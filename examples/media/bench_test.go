package media_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/examples/media"
)

// BenchmarkIngest12MP ingests 200 distinct 12-megapixel JPEGs (4000×3000,
// the same pixels with a different comment each, so every file has its
// own hash) on real Redis and S3 and waits for all their thumbnails. It
// reports images/s, and the process's peak RSS during the run beside the
// RSS before it and the configured decode budget (256 MiB in these
// tests). Run once: go test -run '^$' -bench Ingest12MP -benchtime 1x ./examples/media
func BenchmarkIngest12MP(b *testing.B) {
	s := demoServer(b)
	const n = 200
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for y := range 3000 {
		for x := range 4000 {
			img.SetRGBA(x, y, color.RGBA{R: uint8(x * 255 / 4000), G: uint8(y * 255 / 3000), B: uint8((x ^ y) & 0xff), A: 255})
		}
	}
	base := jpegOf(b, img)
	img = nil
	file := func(i int) []byte { // the same pixels, a comment of its own
		com := []byte(fmt.Sprintf("image %d of the benchmark", i))
		f := append([]byte{}, base[:2]...)
		f = append(f, 0xFF, 0xFE, byte((len(com)+2)>>8), byte(len(com)+2))
		f = append(f, com...)
		return append(f, base[2:]...)
	}
	// Baseline, in this run: the standard library's decode of one such
	// file, the floor of what a thumbnail costs.
	t0 := time.Now()
	const decodes = 3
	for range decodes {
		if _, err := jpeg.Decode(bytes.NewReader(base)); err != nil {
			b.Fatal(err)
		}
	}
	decode := time.Since(t0) / decodes
	runtime.GC()
	b.Logf("one file: %.1f MiB", float64(len(base))/(1<<20))
	for b.Loop() {
		u := s.newUser(b)
		before := rss(b, "VmRSS")
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak
		start := time.Now()
		ids := make([]string, n)
		for i := range n {
			res, err := s.media.Ingest(u.ctx, fmt.Sprintf("big-%03d.jpg", i), bytes.NewReader(file(i)))
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = res.Asset.ID
		}
		queued := time.Since(start)
		for _, id := range ids {
			if r := s.waitThumbs(b, u, id, 20*time.Minute); r.Thumbs != media.ThumbsReady {
				b.Fatalf("%s: %+v", id, r)
			}
		}
		took := time.Since(start)
		peak := rss(b, "VmHWM")
		b.ReportMetric(float64(n)/took.Seconds(), "images/s")
		b.ReportMetric(float64(peak)/(1<<20), "peakRSS-MiB")
		b.ReportMetric(float64(before)/(1<<20), "baseRSS-MiB")
		b.ReportMetric(1/decode.Seconds(), "decode-only-images/s")
		b.Logf("%d images: all stored and queued in %s, all thumbnailed in %s (%.2f images/s; baseline: one stdlib decode of the file %s, %.2f images/s on one core); RSS before %d MiB, peak during %d MiB; budget 256 MiB",
			n, queued.Round(time.Millisecond), took.Round(time.Millisecond), float64(n)/took.Seconds(), decode.Round(time.Millisecond), 1/decode.Seconds(), before>>20, peak>>20)
	}
}

// rss reads a memory figure of this process from /proc, in bytes.
func rss(b *testing.B, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc")
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
