package media_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/media"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// TestImportFolder: a folder of afs is imported by a background task;
// duplicates in it are counted, not stored twice.
func TestImportFolder(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	dir := fmt.Sprintf("fs://local/import-%d", time.Now().UnixNano())
	one, two := jpegOf(t, halves(30, 20)), pngOf(t, halves(20, 30))
	for name, b := range map[string][]byte{"a.jpg": one, "sub/b.png": two, "sub/a-again.jpg": one} {
		if _, err := s.fs.Save(u.ctx, afs.MustParse(dir+"/"+name), bytes.NewReader(b), nil); err != nil {
			t.Fatal(err)
		}
	}
	status, body := s.do(t, u, "POST", "/media/api/import", map[string]any{"folder": dir})
	if status != 202 {
		t.Fatalf("import: %d %s", status, body)
	}
	var started struct{ Task string }
	_ = json.Unmarshal(body, &started)
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body = s.do(t, u, "GET", "/tasks/"+started.Task, nil)
		if status == 200 && bytes.Contains(body, []byte(`"succeeded"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("import task: %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !bytes.Contains(body, []byte(`"added":2`)) || !bytes.Contains(body, []byte(`"duplicates":1`)) {
		t.Errorf("import result: %s", body)
	}
	refs, err := s.media.Search(u.ctx, "", 10)
	if err != nil || len(refs) != 2 {
		t.Fatalf("%d assets after the import (%v), want 2", len(refs), err)
	}
	for _, r := range refs {
		s.waitThumbs(t, u, r.ID, 20*time.Second)
	}
	// The originals stay where they were.
	if _, err := s.fs.Stat(u.ctx, afs.MustParse(dir+"/a.jpg")); err != nil {
		t.Error(err)
	}
	for _, bad := range []map[string]any{{"folder": "not a urn"}, {"folder": dir + "/a.jpg"}, {}, {"folder": "fs://nosuch/x"}} {
		if status, body := s.do(t, u, "POST", "/media/api/import", bad); status < 400 || status >= 500 {
			t.Errorf("import %v: %d %s", bad, status, body)
		}
	}
}

// TestRegenerateMissing: assets left pending (their task lost) get their
// thumbnails from the administrators' "regenerate missing" task; others
// may not start it.
func TestRegenerateMissing(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	res := s.ingest(t, u, "lost.jpg", jpegOf(t, halves(50, 40)))
	s.waitThumbs(t, u, res.Asset.ID, 20*time.Second)
	db, err := registry.Get[*store.DB](s.app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	raw := store.NewOwned[media.Asset](db, "media_assets").Unscoped()
	if _, err := raw.Update(t.Context(), res.Asset.ID, store.Set("thumbs", media.ThumbsPending), store.Set("derivatives", []media.Derivative{})); err != nil {
		t.Fatal(err)
	}
	if status, _ := s.do(t, u, "POST", "/media/api/regenerate", nil); status != 403 {
		t.Errorf("regenerate by a user: %d, want 403", status)
	}
	admin := s.newUser(t, auth.RoleAdmin)
	if status, body := s.do(t, admin, "POST", "/media/api/regenerate", nil); status != 202 {
		t.Fatalf("regenerate: %d %s", status, body)
	}
	if r := s.waitThumbs(t, u, res.Asset.ID, 30*time.Second); r.Thumbs != media.ThumbsReady || len(r.Sizes) != len(media.Ladder) {
		t.Errorf("after regenerate: %+v", r)
	}
}
