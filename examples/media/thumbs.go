package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders of the formats the library thumbnails
	"image/jpeg"
	_ "image/png"
	"io"

	_ "golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"
)

// Ladder is the fixed list of derivative sizes, in pixels along the
// longer side: a 256 px thumbnail for grids and a 1280 px preview for the
// detail view and for posts. Derivatives are made ahead of time, once per
// asset; no other size is ever made, and a request for one is 400.
var Ladder = []int{256, 1280}

// onLadder reports whether px is one of the ladder's sizes.
func onLadder(px int) bool {
	for _, s := range Ladder {
		if s == px {
			return true
		}
	}
	return false
}

// Quality is the JPEG quality of every derivative.
const Quality = 80

// Errors of thumbnailing. ErrTooManyPixels and ErrOverBudget are decided
// from the image's header alone, before any pixel is decoded, so the
// asset is quarantined at once: retrying cannot help.
var (
	ErrTooManyPixels = errors.New("media: the image has more pixels than the limit (a decompression bomb?)")
	ErrOverBudget    = errors.New("media: decoding the image would take more memory than the whole budget")
	ErrUndecodable   = errors.New("media: the image cannot be decoded")
)

// thumbnailer makes the ladder's derivatives of an image within a memory
// budget: before decoding, it reads the image's header, refuses images
// of more than maxPixels, and takes width×height×4 bytes from the budget
// until the derivatives are encoded. However many images are queued, the
// decodes in flight together never hold more than the budget, and at
// most slots of them run at once.
type thumbnailer struct {
	maxPixels int64
	budget    int64
	mem       *semaphore.Weighted
	slots     *semaphore.Weighted
}

func newThumbnailer(maxPixels, budget int64, slots int) *thumbnailer {
	return &thumbnailer{maxPixels: maxPixels, budget: budget,
		mem: semaphore.NewWeighted(budget), slots: semaphore.NewWeighted(int64(max(slots, 1)))}
}

// derivative is one encoded size of the ladder.
type derivative struct {
	px, w, h int
	jpeg     []byte
}

// cost is what decoding a w×h image takes from the budget: RGBA
// (4 bytes a pixel) is the most any decoder here allocates for it, plus
// what making the ladder holds besides (the shrunk copy, under 2×1280 px
// square, and the scalers' buffers).
func cost(w, h int) int64 { return int64(w)*int64(h)*4 + ladderOverhead }

// ladderOverhead is the memory making the ladder takes beyond the decoded
// image.
const ladderOverhead = 40 << 20

// derive reads the image from open (called twice: once for the header,
// once to decode) and returns its derivatives, orientation applied.
func (t *thumbnailer) derive(ctx context.Context, open func() (io.ReadCloser, error), orientation int) ([]derivative, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	cfg, _, err := image.DecodeConfig(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: it declares %d×%d pixels", ErrUndecodable, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > t.maxPixels {
		return nil, fmt.Errorf("%w: %d×%d, the limit is %d pixels", ErrTooManyPixels, cfg.Width, cfg.Height, t.maxPixels)
	}
	need := cost(cfg.Width, cfg.Height)
	if need > t.budget {
		return nil, fmt.Errorf("%w: %d MiB for %d×%d, the budget is %d MiB", ErrOverBudget, need>>20, cfg.Width, cfg.Height, t.budget>>20)
	}
	if err := t.slots.Acquire(ctx, 1); err != nil {
		return nil, err
	}
	defer t.slots.Release(1)
	if err := t.mem.Acquire(ctx, need); err != nil {
		return nil, err
	}
	defer t.mem.Release(need)
	if rc, err = open(); err != nil {
		return nil, err
	}
	src, _, err := image.Decode(rc)
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	return ladder(src, orientation)
}

// ladder scales src to every size of the Ladder, largest first, each from
// the one before (so only the first pass reads the whole image), and
// encodes them as JPEG without metadata. A large source is first
// averaged over k×k blocks to less than twice the largest size: the
// scalers of x/image/draw that filter properly hold a float64 buffer of
// destination width × source height (120 MiB for 12 megapixels to 1280
// px), which no budget should have to pay.
func ladder(src image.Image, orientation int) ([]derivative, error) {
	out := make([]derivative, len(Ladder))
	b := src.Bounds()
	var cur image.Image = src
	if k := max(b.Dx(), b.Dy()) / Ladder[len(Ladder)-1]; k >= 2 {
		cur = shrink(src, k)
	}
	for i := len(Ladder) - 1; i >= 0; i-- {
		px := Ladder[i]
		b := cur.Bounds()
		w, h := fit(b.Dx(), b.Dy(), px)
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src) // transparency on white
		var scaler draw.Scaler = draw.CatmullRom
		if i == len(Ladder)-1 {
			scaler = draw.ApproxBiLinear // less than 2× after shrink: no buffer, no aliasing to speak of
		}
		scaler.Scale(dst, dst.Bounds(), cur, b, draw.Over, nil)
		cur = dst
		oriented := orient(dst, orientation)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, oriented, &jpeg.Options{Quality: Quality}); err != nil {
			return nil, err
		}
		ob := oriented.Bounds()
		out[i] = derivative{px: px, w: ob.Dx(), h: ob.Dy(), jpeg: buf.Bytes()}
	}
	return out, nil
}

// shrink averages src over k×k blocks (alpha-weighted, on white where
// transparent later), with a fast path for JPEG's YCbCr.
func shrink(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	n := uint64(k) * uint64(k) // #nosec G115 -- k >= 2
	yc, isYCbCr := src.(*image.YCbCr)
	for dy := range h {
		for dx := range w {
			var r, g, bl, a uint64
			for y := b.Min.Y + dy*k; y < b.Min.Y+dy*k+k; y++ {
				for x := b.Min.X + dx*k; x < b.Min.X+dx*k+k; x++ {
					if isYCbCr {
						ci := yc.COffset(x, y)
						cr, cg, cb := color.YCbCrToRGB(yc.Y[yc.YOffset(x, y)], yc.Cb[ci], yc.Cr[ci])
						r, g, bl, a = r+uint64(cr)<<8, g+uint64(cg)<<8, bl+uint64(cb)<<8, a+0xffff
						continue
					}
					pr, pg, pb, pa := src.At(x, y).RGBA()
					r, g, bl, a = r+uint64(pr), g+uint64(pg), bl+uint64(pb), a+uint64(pa)
				}
			}
			i := dst.PixOffset(dx, dy)
			// #nosec G115 -- each sum is of n values of at most 0xffff, so sum/n>>8 is at most 0xff
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/n>>8), uint8(g/n>>8), uint8(bl/n>>8), uint8(a/n>>8)
		}
	}
	return dst
}

// fit returns w×h scaled to fit a px×px box, never enlarged.
func fit(w, h, px int) (int, int) {
	if w <= px && h <= px {
		return w, h
	}
	if w >= h {
		return px, max(1, int(int64(h)*int64(px)/int64(w)))
	}
	return max(1, int(int64(w)*int64(px)/int64(h))), px
}

// orient returns img turned upright for the EXIF orientation o (1–8).
func orient(img *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // rotated 180°
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // rotated 90° clockwise to be upright
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // rotated 90° counter-clockwise to be upright
				dx, dy = y, w-1-x
			}
			si := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return dst
}
