package files_test

import "github.com/webos-go/webos/afs"

func mustURN(s string) afs.URN { return afs.MustParse(s) }
