package files

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/ui"
)

func save(t *testing.T, fsys *afs.FS, urn string) {
	t.Helper()
	u, err := afs.Parse(urn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Save(context.Background(), u, strings.NewReader("x"), nil); err != nil {
		t.Fatal(err)
	}
}

// The palette's file search finds files of every source by name, ranks
// them, leads to the file's folder, and sees a new file once afs reports
// a change.
func TestSearchNames(t *testing.T) {
	ctx := context.Background()
	fsys, err := afs.Open(ctx, "local=mem://,archive=mem://", afs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	save(t, fsys, "fs://local/reports/2026/xylograph-budget.txt")
	save(t, fsys, "fs://archive/old/taxes-xy.pdf")
	for i := range 50 {
		save(t, fsys, fmt.Sprintf("fs://local/noise/file-%d.bin", i))
	}
	m := &Module{fs: fsys}
	defer m.names.close()

	res, err := m.searchNames(ctx, ui.SearchQuery{Text: "xyl", Limit: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Title != "xylograph-budget.txt" || res[0].Detail != "fs://local/reports/2026" ||
		res[0].Href != "/?left=fs%3A%2F%2Flocal%2Freports%2F2026" {
		t.Fatalf("xyl: %+v", res)
	}
	res, _ = m.searchNames(ctx, ui.SearchQuery{Text: "xy", Limit: 8})
	if len(res) != 2 || res[0].Title != "xylograph-budget.txt" {
		t.Errorf("xy: %+v (the word-start match first, both sources)", res)
	}

	// A new file: invisible until afs reports the change, then found.
	save(t, fsys, "fs://archive/xylophone.mp3")
	if res, _ := m.searchNames(ctx, ui.SearchQuery{Text: "xylophone", Limit: 8}); len(res) != 0 {
		t.Errorf("found before the change was reported: %+v", res)
	}
	for _, sub := range m.Subscriptions() {
		if err := sub.Handler(ctx, bus.Envelope{Topic: afs.TopicSaved}); err != nil {
			t.Fatal(err)
		}
	}
	if res, _ := m.searchNames(ctx, ui.SearchQuery{Text: "xylophone", Limit: 8}); len(res) != 1 {
		t.Errorf("not found after the change: %+v", res)
	}

	// A query that runs out of time leaves the walk for the next one.
	m.names.invalidate()
	short, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-short.Done()
	_, _ = m.searchNames(short, ui.SearchQuery{Text: "xyl", Limit: 8}) // may or may not beat the walk
	if res, err := m.searchNames(ctx, ui.SearchQuery{Text: "xyl", Limit: 8}); err != nil || len(res) != 2 {
		t.Errorf("after an expired query: %v %+v", err, res)
	}
}
