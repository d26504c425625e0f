package afs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// TestParseRefusesTraversal: every trick is refused with a typed error
// that the kernel answers with 400.
func TestParseRefusesTraversal(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"fs://local/../x", afs.ErrTraversal},
		{"fs://local/a/../../x", afs.ErrTraversal},
		{"fs://local/./x", afs.ErrTraversal},
		{"fs://local/a/..", afs.ErrTraversal},
		{"fs://local/%2e%2e/x", afs.ErrTraversal},
		{"fs://local/%2E%2E/x", afs.ErrTraversal},
		{"fs://local/.%2e/x", afs.ErrTraversal},
		{"fs://local/..%2fx", afs.ErrTraversal},
		{"fs://local/a%2f..%2f..%2fx", afs.ErrTraversal},
		{"fs://local/%252e%252e/x", afs.ErrTraversal},
		{"fs://local/a%00b", afs.ErrTraversal},
		{"fs://local/a\x00b", afs.ErrTraversal},
		{"fs://local/a\\..\\b", afs.ErrTraversal},
		{"fs://local/a%5cb", afs.ErrTraversal},
		{"fs://local//etc/passwd", afs.ErrTraversal},
		{"fs://local///etc", afs.ErrTraversal},
		{"fs:///etc/passwd", afs.ErrInvalidURN},
		{"fs://", afs.ErrInvalidURN},
		{"fs://Local/x", afs.ErrInvalidURN},
		{"fs://lo.cal/x", afs.ErrInvalidURN},
		{"fs://-x/y", afs.ErrInvalidURN},
		{"file:///etc/passwd", afs.ErrInvalidURN},
		{"local/x", afs.ErrInvalidURN},
		{"fs://local/a//b", afs.ErrInvalidURN},
		{"fs://local/a/", afs.ErrInvalidURN},
		{"fs://local/a\nb", afs.ErrInvalidURN},
		{"fs://local/a%0ab", afs.ErrInvalidURN},
		{"fs://local/bad%zzescape", afs.ErrInvalidURN},
		{"fs://local/" + strings.Repeat("n", 256), afs.ErrInvalidURN},
		{"fs://local/\xff", afs.ErrInvalidURN},
		{"fs://local/x/.afs-folder", afs.ErrReservedName},
		{"fs://local/x.attrs", afs.ErrReservedName},
	}
	for _, c := range cases {
		_, err := afs.Parse(c.in)
		if !errors.Is(err, c.want) {
			t.Errorf("Parse(%q) = %v, want %v", c.in, err, c.want)
			continue
		}
		if !errors.Is(err, webos.ErrBadRequest) || webos.StatusOf(err) != 400 {
			t.Errorf("Parse(%q): %v is not a 400", c.in, err)
		}
		var pe *afs.PathError
		if !errors.As(err, &pe) || pe.Op != "parse" {
			t.Errorf("Parse(%q): %T, want *afs.PathError", c.in, err)
		}
	}
	for _, p := range []string{"..", "a/../b", "/etc", "a\\b", "a\x00", "%2e%2e", "a//b"} {
		if _, err := afs.NewURN("local", p); !errors.Is(err, webos.ErrBadRequest) {
			t.Errorf("NewURN(%q) = %v, want a bad request", p, err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	cases := []struct{ in, source, path, str string }{
		{"fs://local/", "local", "", "fs://local/"},
		{"fs://local", "local", "", "fs://local/"},
		{"fs://local/doc.pdf", "local", "doc.pdf", "fs://local/doc.pdf"},
		{"fs://s3/a/b c/ü.txt", "s3", "a/b c/ü.txt", "fs://s3/a/b c/ü.txt"},
		{"fs://s3/a%20b", "s3", "a b", "fs://s3/a b"},
		{"fs://s3/100%25", "s3", "100%", "fs://s3/100%25"},
		{"fs://my-src_2/...", "my-src_2", "...", "fs://my-src_2/..."},
		{"fs://x/.hidden/a..b", "x", ".hidden/a..b", "fs://x/.hidden/a..b"},
	}
	for _, c := range cases {
		u, err := afs.Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if u.Source() != c.source || u.Path() != c.path || u.String() != c.str {
			t.Errorf("Parse(%q) = %q %q %q", c.in, u.Source(), u.Path(), u.String())
		}
		if back, err := afs.Parse(u.String()); err != nil || back != u {
			t.Errorf("round trip of %q: %v %v", u.String(), back, err)
		}
	}
	u := afs.MustParse("fs://local/a/b/c.txt")
	if u.Name() != "c.txt" || u.Parent().String() != "fs://local/a/b" || u.Parent().Parent().Parent().String() != "fs://local/" {
		t.Errorf("Name/Parent: %q %q", u.Name(), u.Parent())
	}
	if j, err := u.Parent().Join("d/e.txt"); err != nil || j.String() != "fs://local/a/b/d/e.txt" {
		t.Errorf("Join: %v %v", j, err)
	}
	if _, err := u.Parent().Join("../x"); !errors.Is(err, afs.ErrTraversal) {
		t.Errorf("Join(../x) = %v", err)
	}
}

// snapshot lists every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			m[rel] = "-> " + target
		case d.IsDir():
			m[rel+"/"] = ""
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSymlinkOutsideRoot: links inside a disk source that point outside
// it are refused for every operation, and nothing outside the root is read
// or written.
func TestSymlinkOutsideRoot(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	root := filepath.Join(base, "root")
	for _, d := range []string{outside, root} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("top secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := afs.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	f, rec := newFS(t, map[string]*afs.Source{"local": src})
	save(t, f, "fs://local/real.txt", "real")
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link-file")))
	must(t, os.Symlink(outside, filepath.Join(root, "link-dir")))
	must(t, os.Symlink("../outside", filepath.Join(root, "link-rel")))
	must(t, os.Symlink("real.txt", filepath.Join(root, "inside-link")))
	before := snapshot(t, outside)
	rec.take()

	ctx := t.Context()
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, afs.ErrOutsideRoot) || webos.StatusOf(err) != 400 {
			t.Errorf("%s: %v, want ErrOutsideRoot (400)", what, err)
		}
	}
	for _, p := range []string{"link-file", "link-dir/secret.txt", "link-rel/secret.txt"} {
		u := afs.MustParse("fs://local/" + p)
		_, err := f.Open(ctx, u)
		refused("open "+p, err)
		_, err = f.OpenRange(ctx, u, 0, 3)
		refused("open range "+p, err)
		_, err = f.Stat(ctx, u)
		refused("stat "+p, err)
		refused("delete "+p, f.Delete(ctx, u, nil))
		_, err = f.Save(ctx, u, strings.NewReader("overwritten"), nil)
		refused("save "+p, err)
		_, err = f.Copy(ctx, u, afs.MustParse("fs://local/stolen.txt"), nil)
		refused("copy from "+p, err)
		_, err = f.Move(ctx, afs.MustParse("fs://local/real.txt"), u, &afs.CopyOptions{Overwrite: true})
		refused("move onto "+p, err)
	}
	for _, p := range []string{"link-dir", "link-rel", "link-dir/sub"} {
		u := afs.MustParse("fs://local/" + p)
		_, err := f.List(ctx, u, nil)
		refused("list "+p, err)
		_, err = f.Save(ctx, afs.MustParse("fs://local/"+p+"/new.txt"), strings.NewReader("x"), nil)
		refused("save into "+p, err)
		refused("mkdir "+p+"/made", f.Mkdir(ctx, afs.MustParse("fs://local/"+p+"/made")))
		refused("delete "+p, f.Delete(ctx, u, &afs.DeleteOptions{Recursive: true}))
		_, err = f.Copy(ctx, afs.MustParse("fs://local/real.txt"), afs.MustParse("fs://local/"+p+"/copied.txt"), nil)
		refused("copy into "+p, err)
	}
	// The listing of the root leaves the escaping links out; a link
	// inside the root is an ordinary file.
	page, err := f.List(ctx, afs.MustParse("fs://local/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(page.Items); !sameSet(got, []string{"real.txt", "inside-link"}) {
		t.Errorf("root listing = %q", got)
	}
	if got := read(t, f, "fs://local/inside-link"); got != "real" {
		t.Errorf("inside link reads %q", got)
	}
	// Nothing outside changed, and no event was emitted for a refusal.
	if after := snapshot(t, outside); !mapsEqual(before, after) {
		t.Errorf("outside the root changed:\nbefore %v\nafter  %v", before, after)
	}
	if ev := rec.take(); len(ev) != 0 {
		t.Errorf("events for refused operations: %+v", ev)
	}
	inside := snapshot(t, root)
	keys := make([]string, 0, len(inside))
	for k := range inside {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"./", "inside-link", "link-dir", "link-file", "link-rel", "real.txt", "real.txt.attrs"}
	if !slices.Equal(keys, want) {
		t.Errorf("root folder holds %q, want %q", keys, want)
	}
}

// TestDiskLeavesNothing: a failed or cancelled upload on the disk source
// leaves no file, no temporary file and no folder behind.
func TestDiskLeavesNothing(t *testing.T) {
	root := t.TempDir()
	src, err := afs.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := newFS(t, map[string]*afs.Source{"local": src})
	save(t, f, "fs://local/keep.txt", "keep")
	before := snapshot(t, root)
	_, err = f.Save(t.Context(), afs.MustParse("fs://local/new/deep/big.bin"), strings.NewReader(strings.Repeat("x", 5000)), &afs.SaveOptions{MaxSize: 4096})
	wantErr(t, err, afs.ErrTooLarge)
	_, err = f.Save(t.Context(), afs.MustParse("fs://local/new/deep/broken.bin"), &failingReader{n: 3000}, nil)
	if err == nil {
		t.Fatal("failing reader: no error")
	}
	if after := snapshot(t, root); !mapsEqual(before, after) {
		t.Errorf("the root changed:\nbefore %v\nafter  %v", before, after)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
