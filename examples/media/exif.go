package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"time"
)

// EXIF is what the library reads from a photo's EXIF block: the fields
// the gallery shows and sorts by. Missing fields are zero.
type EXIF struct {
	// Orientation is the EXIF orientation, 1 (upright) to 8; 0 when the
	// photo has none.
	Orientation int `bson:"orientation,omitempty" json:"orientation,omitempty"`
	// TakenAt is DateTimeOriginal (or DateTime), read as UTC unless the
	// photo gives its offset.
	TakenAt time.Time `bson:"taken_at,omitzero" json:"taken_at,omitzero"`
	// Make and Model name the camera.
	Make  string `bson:"make,omitempty" json:"make,omitempty"`
	Model string `bson:"model,omitempty" json:"model,omitempty"`
	// GPS is where the photo was taken, when it says.
	GPS *GPS `bson:"gps,omitempty" json:"gps,omitempty"`
}

// GPS is a position in decimal degrees.
type GPS struct {
	Lat float64 `bson:"lat" json:"lat"`
	Lon float64 `bson:"lon" json:"lon"`
}

// maxEXIF bounds how much of a file is searched for an EXIF block: the
// APP1 segment comes first in a JPEG and is at most 64 KiB.
const maxEXIF = 256 << 10

var errNoEXIF = errors.New("media: no EXIF")

// ReadEXIF reads the EXIF block of a JPEG from r (at most its first
// 256 KiB). A file without one, or not a JPEG, returns an error; a block
// that is cut short or malformed yields the fields read before the
// damage, never a panic.
func ReadEXIF(r io.Reader) (EXIF, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxEXIF))
	if err != nil {
		return EXIF{}, err
	}
	tiff, ok := findAPP1(b)
	if !ok {
		return EXIF{}, errNoEXIF
	}
	return parseTIFF(tiff)
}

// findAPP1 returns the TIFF data of the JPEG's Exif APP1 segment.
func findAPP1(b []byte) ([]byte, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, false
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil, false
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // end of image, start of scan
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil, false
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:], true
		}
		i += 2 + n
	}
	return nil, false
}

// tiffReader reads a TIFF structure with bounds checks.
type tiffReader struct {
	b  []byte
	bo binary.ByteOrder
}

func (t tiffReader) u16(off int) (int, bool) {
	if off < 0 || off+2 > len(t.b) {
		return 0, false
	}
	return int(t.bo.Uint16(t.b[off:])), true
}

func (t tiffReader) u32(off int) (int, bool) {
	if off < 0 || off+4 > len(t.b) {
		return 0, false
	}
	return int(t.bo.Uint32(t.b[off:])), true
}

// entry is one IFD entry: its tag, type, count and where its value is.
type entry struct {
	tag, typ, count, valueAt int
}

// ifd returns the entries of the IFD at off (at most 512 of them).
func (t tiffReader) ifd(off int) []entry {
	n, ok := t.u16(off)
	if !ok || n > 512 {
		return nil
	}
	out := make([]entry, 0, n)
	for i := range n {
		at := off + 2 + 12*i
		tag, ok1 := t.u16(at)
		typ, ok2 := t.u16(at + 2)
		count, ok3 := t.u32(at + 4)
		if !ok1 || !ok2 || !ok3 {
			break
		}
		size := typeSize(typ) * count
		valueAt := at + 8
		if size > 4 {
			if valueAt, ok = t.u32(at + 8); !ok {
				break
			}
		}
		if size < 0 || count > 1<<16 || valueAt+size > len(t.b) {
			continue
		}
		out = append(out, entry{tag: tag, typ: typ, count: count, valueAt: valueAt})
	}
	return out
}

func typeSize(typ int) int {
	switch typ {
	case 1, 2, 6, 7: // byte, ascii, sbyte, undefined
		return 1
	case 3, 8: // short, sshort
		return 2
	case 4, 9, 11: // long, slong, float
		return 4
	case 5, 10, 12: // rational, srational, double
		return 8
	}
	return 0
}

func (t tiffReader) str(e entry) string {
	if e.typ != 2 {
		return ""
	}
	s := string(t.b[e.valueAt : e.valueAt+e.count])
	s = strings.TrimRight(s, "\x00 ")
	if len(s) > 100 {
		s = s[:100]
	}
	return strings.ToValidUTF8(s, "")
}

func (t tiffReader) short(e entry) int {
	switch e.typ {
	case 3:
		v, _ := t.u16(e.valueAt)
		return v
	case 4:
		v, _ := t.u32(e.valueAt)
		return v
	}
	return 0
}

func (t tiffReader) rationals(e entry) []float64 {
	if e.typ != 5 || e.count > 8 {
		return nil
	}
	out := make([]float64, e.count)
	for i := range out {
		num, _ := t.u32(e.valueAt + 8*i)
		den, _ := t.u32(e.valueAt + 8*i + 4)
		if den == 0 {
			return nil
		}
		out[i] = float64(num) / float64(den)
	}
	return out
}

// EXIF tags the library reads.
const (
	tagMake             = 0x010F
	tagModel            = 0x0110
	tagOrientation      = 0x0112
	tagDateTime         = 0x0132
	tagExifIFD          = 0x8769
	tagGPSIFD           = 0x8825
	tagDateTimeOriginal = 0x9003
	tagOffsetOriginal   = 0x9011
	tagGPSLatRef        = 1
	tagGPSLat           = 2
	tagGPSLonRef        = 3
	tagGPSLon           = 4
)

func parseTIFF(b []byte) (EXIF, error) {
	var t tiffReader
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")):
		t = tiffReader{b: b, bo: binary.LittleEndian}
	case bytes.HasPrefix(b, []byte("MM\x00*")):
		t = tiffReader{b: b, bo: binary.BigEndian}
	default:
		return EXIF{}, errNoEXIF
	}
	off, _ := t.u32(4)
	var x EXIF
	var dateTime, original, offset string
	exifAt, gpsAt := -1, -1
	for _, e := range t.ifd(off) {
		switch e.tag {
		case tagMake:
			x.Make = t.str(e)
		case tagModel:
			x.Model = t.str(e)
		case tagOrientation:
			if o := t.short(e); o >= 1 && o <= 8 {
				x.Orientation = o
			}
		case tagDateTime:
			dateTime = t.str(e)
		case tagExifIFD:
			exifAt = t.short(e)
		case tagGPSIFD:
			gpsAt = t.short(e)
		}
	}
	if exifAt > 0 {
		for _, e := range t.ifd(exifAt) {
			switch e.tag {
			case tagDateTimeOriginal:
				original = t.str(e)
			case tagOffsetOriginal:
				offset = t.str(e)
			}
		}
	}
	if original == "" {
		original = dateTime
	}
	x.TakenAt = exifTime(original, offset)
	if gpsAt > 0 {
		var lat, lon []float64
		var latRef, lonRef string
		for _, e := range t.ifd(gpsAt) {
			switch e.tag {
			case tagGPSLatRef:
				latRef = t.str(e)
			case tagGPSLat:
				lat = t.rationals(e)
			case tagGPSLonRef:
				lonRef = t.str(e)
			case tagGPSLon:
				lon = t.rationals(e)
			}
		}
		if len(lat) == 3 && len(lon) == 3 {
			g := GPS{Lat: lat[0] + lat[1]/60 + lat[2]/3600, Lon: lon[0] + lon[1]/60 + lon[2]/3600}
			if latRef == "S" {
				g.Lat = -g.Lat
			}
			if lonRef == "W" {
				g.Lon = -g.Lon
			}
			if math.Abs(g.Lat) <= 90 && math.Abs(g.Lon) <= 180 {
				g.Lat, g.Lon = math.Round(g.Lat*1e6)/1e6, math.Round(g.Lon*1e6)/1e6
				x.GPS = &g
			}
		}
	}
	return x, nil
}

// exifTime reads "2006:01:02 15:04:05" with an optional "+02:00" offset.
func exifTime(s, offset string) time.Time {
	if s == "" {
		return time.Time{}
	}
	loc := time.UTC
	if o, err := time.Parse("-07:00", offset); err == nil {
		_, secs := o.Zone()
		loc = time.FixedZone("", secs)
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", s, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}
	}
	return t.UTC()
}
