package afs_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/identity"
)

// TestConformance runs one suite against every backend: memory, local disk
// and a real S3 server.
func TestConformance(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			src := b.open(t)
			f, rec := newFS(t, map[string]*afs.Source{"x": src})
			for _, c := range conformanceCases {
				t.Run(c.name, func(t *testing.T) {
					rec.take()
					c.run(t, f, rec)
				})
			}
		})
	}
}

var conformanceCases = []struct {
	name string
	run  func(t *testing.T, f *afs.FS, rec *recorder)
}{
	{"sizes", testSizes},
	{"large", testLarge},
	{"names", testNames},
	{"folders", testFolders},
	{"paging", testPaging},
	{"ranges", testRanges},
	{"metadata", testMetadata},
	{"delete", testDelete},
	{"copy-move", testCopyMove},
	{"missing", testMissing},
	{"failed-upload", testFailedUpload},
	{"events", testEvents},
}

func testSizes(t *testing.T, f *afs.FS, _ *recorder) {
	for _, size := range []int64{0, 1, 1024} {
		u := afs.MustParse("fs://x/sizes/" + strings.Repeat("s", int(size%7)+1) + ".bin")
		g := newGenerated(byte(size), size)
		info, err := f.Save(t.Context(), u, g, nil)
		if err != nil {
			t.Fatalf("save %d B: %v", size, err)
		}
		if info.Size != size || info.Folder || info.URN != u {
			t.Fatalf("save %d B: info = %+v", size, info)
		}
		st, err := f.Stat(t.Context(), u)
		if err != nil || st.Size != size {
			t.Fatalf("stat %d B: %+v, %v", size, st, err)
		}
		file, err := f.Open(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		sum, n := sha(t, file)
		file.Close()
		if n != size || sum != g.hex() {
			t.Fatalf("%d B: read %d bytes, checksum match %v", size, n, sum == g.hex())
		}
	}
}

// testLarge streams 100 MiB in and out, never holding it in memory.
func testLarge(t *testing.T, f *afs.FS, _ *recorder) {
	if testing.Short() {
		t.Skip("100 MiB transfer: skipped with -short")
	}
	const size = 100 << 20
	u := afs.MustParse("fs://x/large/100MiB.bin")
	g := newGenerated(100, size)
	info, err := f.Save(t.Context(), u, g, &afs.SaveOptions{ContentType: "application/octet-stream"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size {
		t.Fatalf("size = %d", info.Size)
	}
	file, err := f.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	sum, n := sha(t, file)
	if n != size || sum != g.hex() {
		t.Fatalf("read %d bytes, checksum match %v", n, sum == g.hex())
	}
	// The end of the file, by range.
	r, err := f.OpenRange(t.Context(), u, size-10, -1)
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := io.ReadAll(r)
	r.Close()
	if len(tail) != 10 {
		t.Fatalf("tail = %d bytes", len(tail))
	}
	if err := f.Delete(t.Context(), u, nil); err != nil {
		t.Fatal(err)
	}
}

func testNames(t *testing.T, f *afs.FS, _ *recorder) {
	names := []string{
		"names/with space.txt",
		"names/Grüße aus Köln/naïve café.txt",
		"names/日本語 フォルダ/ファイル 1.md",
		"names/emoji 🎉/party (1) [final] {x} #2 & more+plus=eq;semi,comma'q.txt",
		"names/100% sure.txt",
		"names/...three dots",
	}
	for i, n := range names {
		u, err := afs.NewURN("x", n)
		if err != nil {
			t.Fatalf("%q: %v", n, err)
		}
		content := strings.Repeat(string(rune('a'+i)), i+1)
		if _, err := f.Save(t.Context(), u, strings.NewReader(content), nil); err != nil {
			t.Fatalf("save %q: %v", n, err)
		}
		back, err := afs.Parse(u.String())
		if err != nil || back != u {
			t.Fatalf("round trip %q: %v, %v", u.String(), back, err)
		}
		if got := read(t, f, u.String()); got != content {
			t.Fatalf("%q: read %q", n, got)
		}
	}
	page, err := f.List(t.Context(), afs.MustParse("fs://x/names"), &afs.ListOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range page.Items {
		got = append(got, it.URN.Path())
	}
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("recursive listing:\n got %q\nwant %q", got, want)
	}
}

func testFolders(t *testing.T, f *afs.FS, _ *recorder) {
	for _, p := range []string{"tree/a.txt", "tree/b/c.txt", "tree/b/d/e.txt", "tree/z.txt", "tree/b-sibling.txt"} {
		save(t, f, "fs://x/"+p, p)
	}
	if err := f.Mkdir(t.Context(), afs.MustParse("fs://x/tree/empty")); err != nil {
		t.Fatal(err)
	}
	if err := f.Mkdir(t.Context(), afs.MustParse("fs://x/tree/empty")); err != nil {
		t.Fatalf("second Mkdir: %v", err)
	}
	if err := f.Mkdir(t.Context(), afs.MustParse("fs://x/tree/deep/er/est")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.Mkdir(t.Context(), afs.MustParse("fs://x/tree/a.txt")), afs.ErrExists)
	wantErr(t, f.Mkdir(t.Context(), afs.MustParse("fs://x/tree/a.txt/sub")), afs.ErrNotFolder)

	page, err := f.List(t.Context(), afs.MustParse("fs://x/tree"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.txt", "b/", "b-sibling.txt", "deep/", "empty/", "z.txt"}
	if got := names(page.Items); !sameSet(got, want) {
		t.Fatalf("one level: got %q, want %q", got, want)
	}
	page, err = f.List(t.Context(), afs.MustParse("fs://x/tree/empty"), nil)
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("empty folder: %+v, %v", page, err)
	}
	page, err = f.List(t.Context(), afs.MustParse("fs://x/tree/b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(page.Items); !sameSet(got, []string{"c.txt", "d/"}) {
		t.Fatalf("tree/b: %q", got)
	}
	page, err = f.List(t.Context(), afs.MustParse("fs://x/tree"), &afs.ListOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(page.Items); !sameSet(got, []string{"a.txt", "c.txt", "e.txt", "z.txt", "b-sibling.txt"}) {
		t.Fatalf("recursive: %q", got)
	}
	root, err := f.List(t.Context(), afs.MustParse("fs://x/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names(root.Items), "tree/") {
		t.Fatalf("root: %q", names(root.Items))
	}
	st, err := f.Stat(t.Context(), afs.MustParse("fs://x/tree/b/d"))
	if err != nil || !st.Folder {
		t.Fatalf("stat folder: %+v, %v", st, err)
	}
	st, err = f.Stat(t.Context(), afs.MustParse("fs://x/tree/deep/er"))
	if err != nil || !st.Folder {
		t.Fatalf("stat parent of a made folder: %+v, %v", st, err)
	}
	_, err = f.List(t.Context(), afs.MustParse("fs://x/tree/a.txt"), nil)
	wantErr(t, err, afs.ErrNotFolder)
	_, err = f.Open(t.Context(), afs.MustParse("fs://x/tree/b"))
	wantErr(t, err, afs.ErrIsFolder)
	_, err = f.Save(t.Context(), afs.MustParse("fs://x/tree/b"), strings.NewReader("x"), nil)
	wantErr(t, err, afs.ErrIsFolder)
}

func names(items []afs.Info) []string {
	var out []string
	for _, it := range items {
		n := it.Name
		if it.Folder {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func testPaging(t *testing.T, f *afs.FS, _ *recorder) {
	var want []string
	for i := range 7 {
		n := string(rune('a' + i))
		if i%3 == 0 {
			save(t, f, "fs://x/paging/"+n+"/inner.txt", n)
			want = append(want, n+"/")
		} else {
			save(t, f, "fs://x/paging/"+n+".txt", n)
			want = append(want, n+".txt")
		}
	}
	var got []string
	opts := &afs.ListOptions{PageSize: 2}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		page, err := f.List(t.Context(), afs.MustParse("fs://x/paging"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 2 {
			t.Fatalf("page of %d items", len(page.Items))
		}
		got = append(got, names(page.Items)...)
		if page.NextPageToken == "" {
			break
		}
		opts.PageToken = page.NextPageToken
	}
	if !sameSet(got, want) || len(got) != len(want) {
		t.Fatalf("paged listing: got %q, want %q", got, want)
	}
	_, err := f.List(t.Context(), afs.MustParse("fs://x/paging"), &afs.ListOptions{PageToken: "!!"})
	wantErr(t, err, webos.ErrBadRequest)
}

func testRanges(t *testing.T, f *afs.FS, _ *recorder) {
	content := "0123456789abcdefghijklmnopqrstuvwxyz"
	u := afs.MustParse("fs://x/range.txt")
	save(t, f, u.String(), content)
	for _, c := range []struct {
		off, n int64
		want   string
	}{
		{0, 5, "01234"}, {10, 6, "abcdef"}, {30, -1, "uvwxyz"}, {35, 10, "z"}, {36, 5, ""}, {100, -1, ""},
	} {
		r, err := f.OpenRange(t.Context(), u, c.off, c.n)
		if err != nil {
			t.Fatalf("range %d+%d: %v", c.off, c.n, err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(b) != c.want {
			t.Fatalf("range %d+%d = %q, %v; want %q", c.off, c.n, b, err, c.want)
		}
	}
	file, err := f.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	buf := make([]byte, 3)
	for _, c := range []struct {
		off    int64
		whence int
		want   string
	}{{20, io.SeekStart, "klm"}, {-3, io.SeekEnd, "xyz"}, {-13, io.SeekCurrent, "nop"}, {1, io.SeekStart, "123"}} {
		if _, err := file.Seek(c.off, c.whence); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(file, buf); err != nil || string(buf) != c.want {
			t.Fatalf("seek %d/%d: %q, %v; want %q", c.off, c.whence, buf, err, c.want)
		}
	}
}

func testMetadata(t *testing.T, f *afs.FS, _ *recorder) {
	u := afs.MustParse("fs://x/meta/report.json")
	_, err := f.Save(t.Context(), u, strings.NewReader(`{"a":1}`), &afs.SaveOptions{
		ContentType: "application/json",
		Metadata:    map[string]string{"Author": "Ada", "project": "webos"},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	if st.ContentType != "application/json" || st.Metadata["author"] != "Ada" || st.Metadata["project"] != "webos" {
		t.Fatalf("stat = %+v", st)
	}
	if st.ETag == "" || st.ModTime.IsZero() {
		t.Fatalf("no ETag or time: %+v", st)
	}
	// Guessed from the extension.
	save(t, f, "fs://x/meta/page.html", "<p>hi</p>")
	st, err = f.Stat(t.Context(), afs.MustParse("fs://x/meta/page.html"))
	if err != nil || !strings.HasPrefix(st.ContentType, "text/html") {
		t.Fatalf("guessed type: %+v, %v", st, err)
	}
	// Metadata travels with copies, also across sources.
	c, err := f.Copy(t.Context(), u, afs.MustParse("fs://x/meta/copy.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ContentType != "application/json" || c.Metadata["author"] != "Ada" {
		t.Fatalf("copy = %+v", c)
	}
}

func testDelete(t *testing.T, f *afs.FS, _ *recorder) {
	save(t, f, "fs://x/del/one.txt", "1")
	save(t, f, "fs://x/del/sub/two.txt", "2")
	if err := f.Delete(t.Context(), afs.MustParse("fs://x/del/one.txt"), nil); err != nil {
		t.Fatal(err)
	}
	_, err := f.Stat(t.Context(), afs.MustParse("fs://x/del/one.txt"))
	wantErr(t, err, afs.ErrNotFound)
	err = f.Delete(t.Context(), afs.MustParse("fs://x/del"), nil)
	wantErr(t, err, afs.ErrNotEmpty)
	wantErr(t, err, webos.ErrConflict)
	if err := f.Delete(t.Context(), afs.MustParse("fs://x/del"), &afs.DeleteOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}
	_, err = f.Stat(t.Context(), afs.MustParse("fs://x/del/sub"))
	wantErr(t, err, afs.ErrNotFound)
	// An empty folder made with Mkdir goes without the flag.
	if err := f.Mkdir(t.Context(), afs.MustParse("fs://x/del2")); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete(t.Context(), afs.MustParse("fs://x/del2"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.Stat(t.Context(), afs.MustParse("fs://x/del2"))
	wantErr(t, err, afs.ErrNotFound)
	wantErr(t, f.Delete(t.Context(), afs.MustParse("fs://x/"), &afs.DeleteOptions{Recursive: true}), afs.ErrRoot)
}

func testCopyMove(t *testing.T, f *afs.FS, _ *recorder) {
	save(t, f, "fs://x/cm/a.txt", "alpha")
	save(t, f, "fs://x/cm/dir/b.txt", "beta")
	save(t, f, "fs://x/cm/dir/sub/c.txt", "gamma")
	if err := f.Mkdir(t.Context(), afs.MustParse("fs://x/cm/dir/empty")); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	// File copy, then refusing to overwrite without the flag.
	if _, err := f.Copy(ctx, afs.MustParse("fs://x/cm/a.txt"), afs.MustParse("fs://x/cm/a2.txt"), nil); err != nil {
		t.Fatal(err)
	}
	if read(t, f, "fs://x/cm/a2.txt") != "alpha" || read(t, f, "fs://x/cm/a.txt") != "alpha" {
		t.Fatal("copy content")
	}
	_, err := f.Copy(ctx, afs.MustParse("fs://x/cm/dir/b.txt"), afs.MustParse("fs://x/cm/a2.txt"), nil)
	wantErr(t, err, afs.ErrExists)
	if _, err := f.Copy(ctx, afs.MustParse("fs://x/cm/dir/b.txt"), afs.MustParse("fs://x/cm/a2.txt"), &afs.CopyOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if read(t, f, "fs://x/cm/a2.txt") != "beta" {
		t.Fatal("overwrite")
	}
	// File move into a new folder.
	if _, err := f.Move(ctx, afs.MustParse("fs://x/cm/a2.txt"), afs.MustParse("fs://x/cm/new/a3.txt"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.Stat(ctx, afs.MustParse("fs://x/cm/a2.txt"))
	wantErr(t, err, afs.ErrNotFound)
	if read(t, f, "fs://x/cm/new/a3.txt") != "beta" {
		t.Fatal("moved content")
	}
	// Folder copy and move, empty folders included.
	if _, err := f.Copy(ctx, afs.MustParse("fs://x/cm/dir"), afs.MustParse("fs://x/cm/dir2"), nil); err != nil {
		t.Fatal(err)
	}
	if read(t, f, "fs://x/cm/dir2/sub/c.txt") != "gamma" {
		t.Fatal("folder copy")
	}
	if st, err := f.Stat(ctx, afs.MustParse("fs://x/cm/dir2/empty")); err != nil || !st.Folder {
		t.Fatalf("empty folder copied: %+v %v", st, err)
	}
	if _, err := f.Move(ctx, afs.MustParse("fs://x/cm/dir2"), afs.MustParse("fs://x/cm/moved/dir3"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.Stat(ctx, afs.MustParse("fs://x/cm/dir2"))
	wantErr(t, err, afs.ErrNotFound)
	if read(t, f, "fs://x/cm/moved/dir3/b.txt") != "beta" {
		t.Fatal("folder move")
	}
	// Onto itself or into itself.
	_, err = f.Copy(ctx, afs.MustParse("fs://x/cm/dir"), afs.MustParse("fs://x/cm/dir/inside"), nil)
	wantErr(t, err, afs.ErrSameFile)
	_, err = f.Move(ctx, afs.MustParse("fs://x/cm/a.txt"), afs.MustParse("fs://x/cm/a.txt"), nil)
	wantErr(t, err, afs.ErrSameFile)
	_, err = f.Move(ctx, afs.MustParse("fs://x/cm/nothere"), afs.MustParse("fs://x/cm/b"), nil)
	wantErr(t, err, afs.ErrNotFound)
}

func testMissing(t *testing.T, f *afs.FS, _ *recorder) {
	u := afs.MustParse("fs://x/no/such/file.txt")
	_, err := f.Open(t.Context(), u)
	wantErr(t, err, afs.ErrNotFound)
	wantErr(t, err, webos.ErrNotFound)
	_, err = f.Stat(t.Context(), u)
	wantErr(t, err, webos.ErrNotFound)
	_, err = f.List(t.Context(), u, nil)
	wantErr(t, err, webos.ErrNotFound)
	wantErr(t, f.Delete(t.Context(), u, nil), webos.ErrNotFound)
	_, err = f.OpenRange(t.Context(), u, 0, 1)
	wantErr(t, err, webos.ErrNotFound)
	_, err = f.Open(t.Context(), afs.MustParse("fs://nosource/a"))
	wantErr(t, err, afs.ErrUnknownSource)
	wantErr(t, err, webos.ErrBadRequest)
	// The root always exists.
	if _, err := f.List(t.Context(), afs.MustParse("fs://x/"), nil); err != nil {
		t.Fatal(err)
	}
}

func testFailedUpload(t *testing.T, f *afs.FS, _ *recorder) {
	// A cancelled upload leaves nothing, not even the folder.
	ctx, cancel := context.WithCancel(t.Context())
	u := afs.MustParse("fs://x/failed/cancelled.bin")
	done := make(chan error, 1)
	sr := &stallingReader{ctx: ctx, stalled: make(chan struct{})}
	go func() {
		_, err := f.Save(ctx, u, sr, nil)
		done <- err
	}()
	<-sr.stalled // 64 KiB are on their way
	cancel()
	wantErr(t, <-done, context.Canceled)
	_, err := f.Stat(t.Context(), u)
	wantErr(t, err, afs.ErrNotFound)
	_, err = f.Stat(t.Context(), u.Parent())
	wantErr(t, err, afs.ErrNotFound)

	// A failing reader keeps the old content.
	old := afs.MustParse("fs://x/failed/kept.txt")
	save(t, f, old.String(), "old content")
	_, err = f.Save(t.Context(), old, &failingReader{n: 100 << 10}, nil)
	if err == nil {
		t.Fatal("save from a failing reader succeeded")
	}
	if got := read(t, f, old.String()); got != "old content" {
		t.Fatalf("after a failed replace: %q", got)
	}

	// Over the size limit: refused, nothing stored.
	big := afs.MustParse("fs://x/failed/big.bin")
	_, err = f.Save(t.Context(), big, bytes.NewReader(make([]byte, 2048)), &afs.SaveOptions{MaxSize: 1024})
	wantErr(t, err, afs.ErrTooLarge)
	wantErr(t, err, webos.ErrTooLarge)
	_, err = f.Stat(t.Context(), big)
	wantErr(t, err, afs.ErrNotFound)
	// Exactly at the limit is fine.
	if _, err := f.Save(t.Context(), big, bytes.NewReader(make([]byte, 1024)), &afs.SaveOptions{MaxSize: 1024}); err != nil {
		t.Fatal(err)
	}
}

func testEvents(t *testing.T, f *afs.FS, rec *recorder) {
	ctx := identity.With(t.Context(), identity.Subject("u-42"))
	a, b := afs.MustParse("fs://x/ev/a.txt"), afs.MustParse("fs://x/ev/b.txt")
	if _, err := f.Save(ctx, a, strings.NewReader("a"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Move(ctx, a, b, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.Mkdir(ctx, afs.MustParse("fs://x/ev/dir")); err != nil {
		t.Fatal(err)
	}
	// A failed operation emits nothing.
	_ = f.Delete(ctx, b, nil)
	got := rec.take()
	want := []recorded{
		{afs.TopicSaved, afs.Event{URN: a, Size: 1, User: "u-42"}},
		{afs.TopicMoved, afs.Event{URN: b, From: a, Size: 1, User: "u-42"}},
		{afs.TopicDeleted, afs.Event{URN: b, User: "u-42"}},
		{afs.TopicSaved, afs.Event{URN: afs.MustParse("fs://x/ev/dir"), Folder: true, User: "u-42"}},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %+v\nwant %+v", got, want)
	}
}

// TestAcrossSources copies and moves files and folders between local disk
// and S3 (and memory), in both directions.
func TestAcrossSources(t *testing.T) {
	pairs := []struct{ from, to string }{
		{"disk", "s3"}, {"s3", "disk"}, {"mem", "disk"}, {"disk", "mem"},
	}
	open := map[string]func(*testing.T) *afs.Source{"mem": memSource, "disk": diskSource, "s3": s3Source}
	for _, p := range pairs {
		t.Run(p.from+"-to-"+p.to, func(t *testing.T) {
			f, rec := newFS(t, map[string]*afs.Source{"a": open[p.from](t), "b": open[p.to](t)})
			ctx := t.Context()
			g := newGenerated(7, 3<<20+17)
			if _, err := f.Save(ctx, afs.MustParse("fs://a/tmp/report 1.bin"), g, &afs.SaveOptions{ContentType: "application/x-test"}); err != nil {
				t.Fatal(err)
			}
			info, err := f.Copy(ctx, afs.MustParse("fs://a/tmp/report 1.bin"), afs.MustParse("fs://b/backup/report 1.bin"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != 3<<20+17 || info.ContentType != "application/x-test" {
				t.Fatalf("copy info = %+v", info)
			}
			file, err := f.Open(ctx, afs.MustParse("fs://b/backup/report 1.bin"))
			if err != nil {
				t.Fatal(err)
			}
			sum, _ := sha(t, file)
			file.Close()
			if sum != g.hex() {
				t.Fatal("copied content differs")
			}
			// Move a file back the other way, then a folder.
			if _, err := f.Move(ctx, afs.MustParse("fs://b/backup/report 1.bin"), afs.MustParse("fs://a/restored/report 1.bin"), nil); err != nil {
				t.Fatal(err)
			}
			_, err = f.Stat(ctx, afs.MustParse("fs://b/backup/report 1.bin"))
			wantErr(t, err, afs.ErrNotFound)
			save(t, f, "fs://a/tmp/sub/x.txt", "x")
			if err := f.Mkdir(ctx, afs.MustParse("fs://a/tmp/hollow")); err != nil {
				t.Fatal(err)
			}
			rec.take()
			if _, err := f.Move(ctx, afs.MustParse("fs://a/tmp"), afs.MustParse("fs://b/tmp-moved"), nil); err != nil {
				t.Fatal(err)
			}
			if got := read(t, f, "fs://b/tmp-moved/sub/x.txt"); got != "x" {
				t.Fatalf("moved folder content %q", got)
			}
			if st, err := f.Stat(ctx, afs.MustParse("fs://b/tmp-moved/hollow")); err != nil || !st.Folder {
				t.Fatalf("empty folder moved: %+v %v", st, err)
			}
			_, err = f.Stat(ctx, afs.MustParse("fs://a/tmp"))
			wantErr(t, err, afs.ErrNotFound)
			ev := rec.take()
			if len(ev) != 1 || ev[0].Topic != afs.TopicMoved || !ev[0].Event.Folder {
				t.Fatalf("events of a folder move: %+v", ev)
			}
		})
	}
}
