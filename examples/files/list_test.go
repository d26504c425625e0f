package files_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/sync/errgroup"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/internal/browsertest"
)

// fill writes n small files named f00000.txt… (and every 97th a
// folder d…/x.txt) below dir through afs, 16 at a time.
func fill(ctx context.Context, fsys *afs.FS, dir string, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := range n {
		name := fmt.Sprintf("%s/f%05d.txt", dir, i)
		if i%97 == 0 {
			name = fmt.Sprintf("%s/d%05d/x.txt", dir, i)
		}
		g.Go(func() error {
			_, err := fsys.Save(ctx, afs.MustParse(name), bytes.NewReader([]byte(strings.Repeat("x", i%50))), nil)
			return err
		})
	}
	return g.Wait()
}

// fillDisk writes the same files straight to disk.
func fillDisk(dir string, n int) error {
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("f%05d.txt", i))
		if i%97 == 0 {
			p = filepath.Join(dir, fmt.Sprintf("d%05d", i), "x.txt")
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(strings.Repeat("x", i%50)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// all pages through a listing.
func all(t *testing.T, fm *files.Module, q files.ListQuery) ([]string, int) {
	t.Helper()
	var names []string
	pages := 0
	for {
		l, err := fm.List(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range l.Items {
			names = append(names, e.Name)
		}
		if l.Next == "" {
			return names, pages
		}
		q.Cursor = l.Next
		if pages > 1000 {
			t.Fatal("the listing does not end")
		}
	}
}

// TestListPaging pages through a folder on disk and on S3, by name, filtered and by size: every entry once, in order, folders
// first in the sorted orders.
func TestListPaging(t *testing.T) {
	srv := demoServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	// 1,100 entries on disk (more than one store page of 1,000), 400 on
	// S3 (written one by one, so fewer).
	sizes := map[string]int{"local": 1100, "s3": 400}
	if err := fillDisk(filepath.Join(srv.localDir, "paging"), sizes["local"]); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := fill(ctx, srv.fs, "fs://s3/paging", sizes["s3"]); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files written to S3 in %s", sizes["s3"], time.Since(start).Round(time.Millisecond))
	for _, src := range []string{"local", "s3"} {
		n := sizes[src]
		var want []string
		for i := range n {
			if i%97 == 0 {
				want = append(want, fmt.Sprintf("d%05d", i))
			} else {
				want = append(want, fmt.Sprintf("f%05d.txt", i))
			}
		}
		slices.Sort(want) // d… before f…: folders first by name here too
		u := afs.MustParse("fs://" + src + "/paging")
		t.Run(src, func(t *testing.T) {
			got, pages := all(t, srv.files, files.ListQuery{URN: u, Limit: 150})
			if wantPages := (n + 149) / 150; !slices.Equal(got, want) || pages != wantPages {
				t.Errorf("by name: %d entries in %d pages, want %d in %d", len(got), pages, len(want), wantPages)
			}
			got, _ = all(t, srv.files, files.ListQuery{URN: u, Limit: 7, Filter: "F0010"})
			var wantF []string
			for _, w := range want {
				if strings.Contains(w, "f0010") {
					wantF = append(wantF, w)
				}
			}
			if !slices.Equal(got, wantF) {
				t.Errorf("filtered: %q, want %q", got, wantF)
			}
			got, _ = all(t, srv.files, files.ListQuery{URN: u, Limit: 400, Sort: "size", Desc: true})
			if len(got) != n || !strings.HasPrefix(got[0], "d") || !strings.HasPrefix(got[n-1], "f") {
				t.Errorf("by size: %d entries, first %q, last %q", len(got), got[0], got[len(got)-1])
			}
		})
	}
}

// TestBrowserLargeFolder opens a folder of 10,000 files: the first page
// is there at once, scrolling loads more.
func TestBrowserLargeFolder(t *testing.T) {
	tb := newTab(t)
	if err := fillDisk(filepath.Join(tb.srv.localDir, "many"), 10_000); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	tb.commander("fs://local/many", "fs://s3")
	rows := func() int {
		return browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#fc-left tr.fc-row").length`)
	}
	first := rows()
	if first < 150 || first > 2*files.DefaultPageSize+1 {
		t.Errorf("the first view has %d rows", first)
	}
	if st := browsertest.Eval[string](tb.Tab, `document.querySelector("#fc-left .fc-status").textContent`); !strings.Contains(st, "+ items") {
		t.Errorf("status %q does not say there is more", st)
	}
	tb.Do("scroll to the end", chromedp.Evaluate[chromedp.Void](`document.querySelector("#fc-left .fc-scroll").scrollTop = 1e9`))
	tb.WaitWithin("the next page", fmt.Sprintf(`document.querySelectorAll("#fc-left tr.fc-row").length > %d`, first), 10*time.Second)
	tb.Do("focus the panel", chromedp.Click(chromedp.CSS("#fc-left .fc-scroll")))
	before := browsertest.Eval[int](tb.Tab, `document.querySelector("#fc-left tr.fc-cursor").dataset.index | 0`)
	tb.key(kb.PageDown)
	after := browsertest.Eval[int](tb.Tab, `document.querySelector("#fc-left tr.fc-cursor").dataset.index | 0`)
	if after-before < 5 {
		t.Errorf("PageDown moved the cursor from row %d to %d", before, after)
	}
}
