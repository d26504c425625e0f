package afs_test

import (
	"bytes"
	"sync/atomic"
	"testing"

	"github.com/webos-go/webos/afs"
)

// TestCopyProgress: CopyOptions.Progress adds up to the bytes copied, for a
// file streamed between sources, a file the store copies itself and a
// folder, and a move reports the same.
func TestCopyProgress(t *testing.T) {
	fsys := afs.New(afs.Options{})
	if err := fsys.Mount("a", memSource(t)); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Mount("b", diskSource(t)); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	body := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB
	for _, p := range []string{"fs://a/one.bin", "fs://a/dir/x.bin", "fs://a/dir/sub/y.bin"} {
		if _, err := fsys.Save(ctx, afs.MustParse(p), bytes.NewReader(body), nil); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		from, to string
		move     bool
		want     int64
	}{
		{"across sources", "fs://a/one.bin", "fs://b/one.bin", false, int64(len(body))},
		{"within a source", "fs://a/one.bin", "fs://a/two.bin", false, int64(len(body))},
		{"a folder", "fs://a/dir", "fs://b/dir", false, 2 * int64(len(body))},
		{"a move", "fs://a/two.bin", "fs://b/moved.bin", true, int64(len(body))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n atomic.Int64
			calls := atomic.Int64{}
			opts := &afs.CopyOptions{Progress: func(d int64) { n.Add(d); calls.Add(1) }}
			var err error
			if c.move {
				_, err = fsys.Move(ctx, afs.MustParse(c.from), afs.MustParse(c.to), opts)
			} else {
				_, err = fsys.Copy(ctx, afs.MustParse(c.from), afs.MustParse(c.to), opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Load() != c.want {
				t.Errorf("progress added up to %d bytes, want %d (%d calls)", n.Load(), c.want, calls.Load())
			}
		})
	}
}
