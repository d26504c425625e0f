package afs_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/webos-go/webos/afs"
)

func TestParseSources(t *testing.T) {
	specs, err := afs.ParseSources(" local = file:///srv/files , s3=s3://b?endpoint=http://h:1&x=a,b ,, mem=mem://")
	if err != nil {
		t.Fatal(err)
	}
	want := []afs.SourceSpec{
		{"local", "file:///srv/files"},
		{"s3", "s3://b?endpoint=http://h:1&x=a,b"},
		{"mem", "mem://"},
	}
	if len(specs) != len(want) {
		t.Fatalf("specs = %q", specs)
	}
	for i := range want {
		if specs[i] != want[i] {
			t.Errorf("spec %d = %q, want %q", i, specs[i], want[i])
		}
	}
	for _, bad := range []string{"local", "local=", "Local=mem://", "a=mem://,a=mem://", "=mem://"} {
		if _, err := afs.ParseSources(bad); err == nil {
			t.Errorf("ParseSources(%q): no error", bad)
		}
	}
	if specs, err := afs.ParseSources(""); err != nil || len(specs) != 0 {
		t.Errorf("empty: %v %v", specs, err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	afs.Register("mem", afs.OpenerFunc(func(context.Context, *url.URL) (*afs.Source, error) { return nil, nil }))
}

// registerScratch registers the test scheme once per test binary, so the
// test can run with -count > 1 (registering twice panics, by design).
var registerScratch = sync.OnceFunc(func() {
	afs.Register("test-scratch", afs.OpenerFunc(func(ctx context.Context, u *url.URL) (*afs.Source, error) {
		return afs.OpenSource(ctx, "mem://")
	}))
})

func TestRegisterCustomScheme(t *testing.T) {
	registerScratch()
	f, err := afs.Open(t.Context(), "scratch=test-scratch://anything", afs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Sources(); len(got) != 1 || got[0] != "scratch" {
		t.Fatalf("sources %q", got)
	}
}

func TestOpenSourceErrors(t *testing.T) {
	ctx := t.Context()
	for _, raw := range []string{
		"nope://x", "mem://host", "mem:///path", "file://remotehost/x", "file:///tmp/x?bogus=1",
		"s3://", "s3://key:secret@bucket?bogus=1", "s3://key:@bucket",
	} {
		s, err := afs.OpenSource(ctx, raw)
		if err == nil {
			s.Close()
			t.Errorf("OpenSource(%q): no error", raw)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("OpenSource(%q) shows the password: %v", raw, err)
		}
	}
}

func TestOpenFileURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "made", "here")
	f, err := afs.Open(t.Context(), "local=file://"+dir, afs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	save(t, f, "fs://local/a/b.txt", "b")
	if b, err := os.ReadFile(filepath.Join(dir, "a", "b.txt")); err != nil || string(b) != "b" {
		t.Fatalf("on disk: %q %v", b, err)
	}
	src, _ := f.Source("local")
	if src.Dir() != dir {
		t.Fatalf("Dir = %q", src.Dir())
	}
	// Relative to the working directory, with temporary files beside.
	t.Chdir(t.TempDir())
	g, err := afs.Open(t.Context(), "rel=file://./data/files?no_tmp_dir=true", afs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	save(t, g, "fs://rel/x.txt", "x")
	if _, err := os.Stat(filepath.Join("data", "files", "x.txt")); err != nil {
		t.Fatal(err)
	}
}

func TestMount(t *testing.T) {
	f := afs.New(afs.Options{})
	defer f.Close()
	if err := f.Mount("a", memSource(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.Mount("a", memSource(t)); err == nil {
		t.Error("mounted a name twice")
	}
	if err := f.Mount("A!", memSource(t)); err == nil {
		t.Error("mounted a bad name")
	}
	// Open closes what it opened when a later source fails.
	if _, err := afs.Open(t.Context(), "a=mem://,b=nope://", afs.Options{}); err == nil {
		t.Error("Open with a bad source: no error")
	}
}
