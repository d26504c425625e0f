package files_test

import (
	"fmt"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/files"
)

// A picker's accept list, as PickerOptions.Accept and Module.Picked take
// it: media types, families and extensions.
func ExampleAccepts() {
	accept := []string{"image/*", ".pdf"}
	for _, name := range []string{"cover.png", "report.PDF", "notes.txt"} {
		fmt.Println(name, files.Accepts(accept, name))
	}
	// Output:
	// cover.png true
	// report.PDF true
	// notes.txt false
}

// The address a picked file downloads from, with afs's hardening.
func ExampleDownloadURL() {
	fmt.Println(files.DownloadURL(afs.MustParse("fs://s3/backup/annual report.pdf")))
	// Output:
	// /api/fs/files/s3/backup/annual%20report.pdf
}
