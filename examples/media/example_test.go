package media_test

import (
	"fmt"
	"strings"

	"github.com/webos-go/webos/examples/media"
)

// The EXIF fields of a photo: here a JPEG whose only tag says it must be
// turned 90° clockwise to be upright (orientation 6), as phones write it.
func ExampleReadEXIF() {
	jpeg := "\xff\xd8" + // start of image
		"\xff\xe1\x00\x22Exif\x00\x00" + // APP1, 34 bytes
		"II*\x00\x08\x00\x00\x00" + // little-endian TIFF, IFD0 at 8
		"\x01\x00" + "\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00" + "\x00\x00\x00\x00" + // one tag: Orientation = 6
		"\xff\xd9"
	x, err := media.ReadEXIF(strings.NewReader(jpeg))
	fmt.Println(x.Orientation, err)
	fmt.Println(media.Ladder)
	// Output:
	// 6 <nil>
	// [256 1280]
}
