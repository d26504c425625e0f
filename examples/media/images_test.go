package media_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// halves is a w×h image whose left half is red and right half blue.
func halves(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func jpegOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exifBlock is a little-endian TIFF block with an orientation, a camera,
// DateTimeOriginal and a GPS position.
func exifBlock(orientation int, taken, make_, model string) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	_ = binary.Write(&b, le, uint32(8))
	// IFD0: Make, Model, Orientation, ExifIFD, GPSIFD.
	type ent struct {
		tag, typ uint16
		count    uint32
		data     []byte
	}
	str := func(s string) []byte { return append([]byte(s), 0) }
	rat := func(vals ...uint32) []byte {
		out := make([]byte, 0, 8*len(vals)/2)
		for _, v := range vals {
			out = le.AppendUint32(out, v)
		}
		return out
	}
	short := func(v uint16) []byte { return le.AppendUint16(nil, v) }
	long := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	// Layout: IFD0 at 8, then exif IFD, then gps IFD, then data.
	ifd0 := []ent{{0x010F, 2, 0, str(make_)}, {0x0110, 2, 0, str(model)}, {0x0112, 3, 1, short(uint16(orientation))}, {0x8769, 4, 1, nil}, {0x8825, 4, 1, nil}}
	exif := []ent{{0x9003, 2, 0, str(taken)}}
	gps := []ent{{1, 2, 0, str("N")}, {2, 5, 3, rat(48, 1, 51, 1, 2964, 100)}, {3, 2, 0, str("E")}, {4, 5, 3, rat(2, 1, 17, 1, 4000, 100)}}
	size := func(es []ent) int { return 2 + 12*len(es) + 4 }
	exifAt := 8 + size(ifd0)
	gpsAt := exifAt + size(exif)
	dataAt := gpsAt + size(gps)
	var data bytes.Buffer
	write := func(es []ent) {
		_ = binary.Write(&b, le, uint16(len(es)))
		for _, e := range es {
			if e.count == 0 {
				e.count = uint32(len(e.data))
			}
			_ = binary.Write(&b, le, e.tag)
			_ = binary.Write(&b, le, e.typ)
			_ = binary.Write(&b, le, e.count)
			if len(e.data) <= 4 {
				v := make([]byte, 4)
				copy(v, e.data)
				b.Write(v)
				continue
			}
			_ = binary.Write(&b, le, uint32(dataAt+data.Len()))
			data.Write(e.data)
		}
		_ = binary.Write(&b, le, uint32(0))
	}
	ifd0[3].data, ifd0[4].data = long(uint32(exifAt)), long(uint32(gpsAt))
	write(ifd0)
	write(exif)
	write(gps)
	b.Write(data.Bytes())
	return b.Bytes()
}

// withEXIF inserts an APP1 Exif segment after the JPEG's SOI.
func withEXIF(jpg, tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// bombPNG is the start of a PNG that declares w×h pixels: a valid header
// and a few bytes of data, as a decompression bomb begins.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}
