package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

func TestFit(t *testing.T) {
	for _, c := range []struct{ w, h, px, ww, wh int }{
		{4000, 3000, 1280, 1280, 960}, {3000, 4000, 256, 192, 256}, {100, 50, 256, 100, 50}, {10000, 1, 256, 256, 1},
	} {
		if w, h := fit(c.w, c.h, c.px); w != c.ww || h != c.wh {
			t.Errorf("fit(%d, %d, %d) = %d×%d, want %d×%d", c.w, c.h, c.px, w, h, c.ww, c.wh)
		}
	}
}

// TestOrient checks where the top-left pixel of a 3×2 image goes for
// every EXIF orientation, and the size after turning.
func TestOrient(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Set(0, 0, color.RGBA{R: 255, A: 255})
	want := map[int]struct{ x, y, w, h int }{
		1: {0, 0, 3, 2}, 2: {2, 0, 3, 2}, 3: {2, 1, 3, 2}, 4: {0, 1, 3, 2},
		5: {0, 0, 2, 3}, 6: {1, 0, 2, 3}, 7: {1, 2, 2, 3}, 8: {0, 2, 2, 3},
	}
	for o, wt := range want {
		got := orient(src, o)
		if b := got.Bounds(); b.Dx() != wt.w || b.Dy() != wt.h {
			t.Errorf("orientation %d: %v", o, b)
			continue
		}
		if r, _, _, _ := got.At(wt.x, wt.y).RGBA(); r == 0 {
			t.Errorf("orientation %d: the top-left pixel is not at %d,%d", o, wt.x, wt.y)
		}
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func opener(b []byte, opens *int) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { *opens++; return io.NopCloser(bytes.NewReader(b)), nil }
}

// TestDeriveRefusesFromTheHeader: an image over the pixel limit or the
// whole budget is refused after reading its header only, and takes
// nothing from the budget.
func TestDeriveRefusesFromTheHeader(t *testing.T) {
	th := newThumbnailer(10_000, cost(60, 60), 1)
	opens := 0
	if _, err := th.derive(context.Background(), opener(pngBytes(t, 200, 100), &opens), 1); !errors.Is(err, ErrTooManyPixels) || opens != 1 {
		t.Errorf("over the pixel limit: %v after %d opens", err, opens)
	}
	th = newThumbnailer(1_000_000, cost(60, 60), 1)
	opens = 0
	if _, err := th.derive(context.Background(), opener(pngBytes(t, 100, 100), &opens), 1); !errors.Is(err, ErrOverBudget) || opens != 1 {
		t.Errorf("over the budget: %v after %d opens", err, opens)
	}
	if !th.mem.TryAcquire(cost(60, 60)) {
		t.Error("the budget was not given back")
	}
	th.mem.Release(cost(60, 60))
	opens = 0
	ds, err := th.derive(context.Background(), opener(pngBytes(t, 50, 40), &opens), 6)
	if err != nil || len(ds) != len(Ladder) || opens != 2 {
		t.Fatalf("a small image: %v, %d derivatives, %d opens", err, len(ds), opens)
	}
	if ds[0].w != 40 || ds[0].h != 50 {
		t.Errorf("orientation 6: %d×%d, want 40×50 (never enlarged)", ds[0].w, ds[0].h)
	}
	if _, err := th.derive(context.Background(), opener([]byte("not an image at all"), &opens), 1); !errors.Is(err, ErrUndecodable) {
		t.Errorf("garbage: %v", err)
	}
}

// TestDeriveWaitsForBudget: a decode waits while the budget is taken,
// and gives up when its context ends.
func TestDeriveWaitsForBudget(t *testing.T) {
	th := newThumbnailer(1_000_000, cost(50, 50), 4)
	if !th.mem.TryAcquire(cost(50, 50)) {
		t.Fatal("budget")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opens := 0
	if _, err := th.derive(ctx, opener(pngBytes(t, 50, 50), &opens), 1); !errors.Is(err, context.Canceled) || opens != 1 {
		t.Errorf("with the budget taken: %v after %d opens, want to wait without decoding", err, opens)
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]string{
		"\x7fELF\x02\x01": "application/x-executable", "MZ\x90\x00": "application/vnd.microsoft.portable-executable",
		"\x89PNG\r\n\x1a\n": "image/png", "\xff\xd8\xff\xe0": "image/jpeg", "%PDF-1.4": "application/pdf",
		"II*\x00": "image/tiff", "#!/bin/sh": "text/x-shellscript", "hello": "text/plain",
	} {
		if got := sniff([]byte(in)); got != want {
			t.Errorf("sniff(%q) = %s, want %s", in, got, want)
		}
	}
	if claimedKind("x.JPG") != KindImage || claimedKind("x.bin") != "" {
		t.Error("claimedKind")
	}
}

// TestShrink: a large JPEG (YCbCr) and a paletted image are averaged
// down before scaling, keeping where the colours are.
func TestShrink(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2600, 1300))
	for y := range 1300 {
		for x := range 2600 {
			if x < 1300 {
				img.Set(x, y, color.RGBA{R: 255, A: 255})
			} else {
				img.Set(x, y, color.RGBA{B: 255, A: 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := jpegEncode(&buf, img); err != nil {
		t.Fatal(err)
	}
	src, _, err := image.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*image.YCbCr); !ok {
		t.Fatalf("decoded as %T", src)
	}
	ds, err := ladder(src, 1)
	if err != nil {
		t.Fatal(err)
	}
	top := ds[len(ds)-1]
	if top.w != 1280 || top.h != 640 {
		t.Fatalf("1280: %d×%d", top.w, top.h)
	}
	out, _, err := image.Decode(bytes.NewReader(top.jpeg))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, b, _ := out.At(100, 320).RGBA(); r < 0xc000 || b > 0x4000 {
		t.Errorf("left is not red: %v", out.At(100, 320))
	}
	if r, _, b, _ := out.At(1180, 320).RGBA(); b < 0xc000 || r > 0x4000 {
		t.Errorf("right is not blue: %v", out.At(1180, 320))
	}
}

func jpegEncode(w io.Writer, img image.Image) error {
	return jpeg.Encode(w, img, &jpeg.Options{Quality: 90})
}
