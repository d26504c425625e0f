package main

import (
	"context"
	"os"
	"strings"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/cache"
)

func ExampleDemo() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "storage-example")
	defer os.RemoveAll(dir)
	// An in-memory stand-in for S3; the program itself takes the sources
	// from WEBOS_AFS_SOURCES.
	fsys, _ := afs.Open(ctx, "s3=mem://", afs.Options{})
	defer fsys.Close()
	c, _ := cache.Open(ctx, cache.Config{Dir: dir}, cache.Options{})
	defer c.Close()

	_, _ = Demo(ctx, fsys, c, afs.MustParse("fs://s3/demo/hello.txt"), strings.NewReader("hello"), os.Stdout)
	// Output:
	// uploaded   fs://s3/demo/hello.txt (5 bytes) sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
	// downloaded fs://s3/demo/hello.txt sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 (now cached)
	// cached     fs://s3/demo/hello.txt sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 (1 download so far)
	// cleared    the local cache
	// downloaded fs://s3/demo/hello.txt sha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 (2 downloads)
	// checksums match
}
