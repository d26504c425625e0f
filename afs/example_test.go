package afs_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/webos-go/webos/afs"
)

func Example() {
	ctx := context.Background()
	// Two in-memory sources; in production the string comes from
	// WEBOS_AFS_SOURCES and names folders and S3 buckets.
	fsys, err := afs.Open(ctx, "local=mem://,archive=mem://", afs.Options{})
	if err != nil {
		panic(err)
	}
	defer fsys.Close()

	report := afs.MustParse("fs://local/reports/2024 summary.txt")
	if _, err := fsys.Save(ctx, report, strings.NewReader("all good"), nil); err != nil {
		panic(err)
	}
	moved, err := fsys.Move(ctx, report, afs.MustParse("fs://archive/2024/summary.txt"), nil)
	if err != nil {
		panic(err)
	}
	f, err := fsys.Open(ctx, moved.URN)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	fmt.Printf("%s (%d bytes, %s): %s\n", moved.URN, moved.Size, moved.ContentType, b)

	page, _ := fsys.List(ctx, afs.MustParse("fs://archive/"), nil)
	for _, it := range page.Items {
		fmt.Println(it.Name, it.Folder)
	}
	// Output:
	// fs://archive/2024/summary.txt (8 bytes, text/plain; charset=utf-8): all good
	// 2024 true
}

func ExampleParse() {
	u, err := afs.Parse("fs://local/My%20Files/photo.jpg")
	fmt.Println(u.Source(), u.Path(), u.Name(), err)

	_, err = afs.Parse("fs://local/%2e%2e/etc/passwd")
	fmt.Println(err)
	// Output:
	// local My Files/photo.jpg photo.jpg <nil>
	// afs: parse "fs://local/%2e%2e/etc/passwd": path traversal refused: bad request: percent-encoded dot, slash, backslash or NUL
}

func ExampleParseSources() {
	specs, err := afs.ParseSources("local=file:///var/lib/webos/files,s3=s3://KEY:SECRET@files?region=eu-west-1&endpoint=http://127.0.0.1:9000")
	if err != nil {
		panic(err)
	}
	for _, s := range specs {
		fmt.Println(s)
	}
	// Output:
	// local=file:///var/lib/webos/files
	// s3=s3://KEY:xxxxx@files?region=eu-west-1&endpoint=http://127.0.0.1:9000
}
