package media_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/media"
)

func TestReadEXIF(t *testing.T) {
	jpg := withEXIF(jpegOf(t, halves(8, 4)), exifBlock(6, "2024:07:14 18:30:05", "Canon", "Canon EOS R6"))
	x, err := media.ReadEXIF(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	if x.Orientation != 6 || x.Make != "Canon" || x.Model != "Canon EOS R6" {
		t.Errorf("EXIF %+v", x)
	}
	if want := time.Date(2024, 7, 14, 18, 30, 5, 0, time.UTC); !x.TakenAt.Equal(want) {
		t.Errorf("taken %v, want %v", x.TakenAt, want)
	}
	if x.GPS == nil || x.GPS.Lat < 48.85 || x.GPS.Lat > 48.86 || x.GPS.Lon < 2.29 || x.GPS.Lon > 2.30 {
		t.Errorf("GPS %+v", x.GPS)
	}
	// Cut anywhere, the block yields no panic.
	for i := range len(jpg) / 2 {
		_, _ = media.ReadEXIF(bytes.NewReader(jpg[:i]))
	}
	if _, err := media.ReadEXIF(strings.NewReader("not a jpeg")); err == nil {
		t.Error("no error for a file without EXIF")
	}
}

// TestIngestionOnRealServices covers, on real Redis and S3: thumbnails at
// every ladder size in the bucket after ingestion, orientation applied and
// EXIF stripped, dedup by content, a renamed executable refused as an
// image, a size off the ladder 400.
func TestIngestionOnRealServices(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	// 1600×800, EXIF orientation 6: upright it is 800×1600, red on top.
	photo := withEXIF(jpegOf(t, halves(1600, 800)), exifBlock(6, "2024:07:14 18:30:05", "Canon", "Canon EOS R6"))
	res := s.ingest(t, u, "beach.jpg", photo)
	if res.Duplicate || res.Asset.Type != "image/jpeg" || res.Asset.Kind != media.KindImage || res.Asset.Camera != "Canon EOS R6" {
		t.Fatalf("ingested %+v", res)
	}
	if res.Asset.Width != 800 || res.Asset.Height != 1600 {
		t.Errorf("upright size %d×%d, want 800×1600", res.Asset.Width, res.Asset.Height)
	}
	ref := s.waitThumbs(t, u, res.Asset.ID, 30*time.Second)
	if ref.Thumbs != media.ThumbsReady || len(ref.Sizes) != len(media.Ladder) {
		t.Fatalf("thumbnails %+v", ref)
	}
	for i, px := range media.Ladder {
		sz := ref.Sizes[i]
		if sz.Size != px || sz.Height != px || sz.Width != px/2 {
			t.Errorf("size %d: %+v, want %d×%d", px, sz, px/2, px)
		}
		// The file is in the bucket.
		key := strings.TrimPrefix(sz.URN, "fs://s3/")
		if _, err := s.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}); err != nil {
			t.Errorf("%s not in S3: %v", key, err)
		}
		status, body := s.do(t, u, "GET", sz.URL, nil)
		if status != 200 {
			t.Fatalf("GET %s: %d", sz.URL, status)
		}
		if bytes.Contains(body, []byte("Exif\x00\x00")) {
			t.Errorf("size %d keeps the EXIF block", px)
		}
		img, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		top, bottom := img.At(sz.Width/2, sz.Height/8), img.At(sz.Width/2, sz.Height*7/8)
		if r, _, b, _ := top.RGBA(); r < b {
			t.Errorf("size %d: top is not red (%v): orientation not applied", px, top)
		}
		if r, _, b, _ := bottom.RGBA(); b < r {
			t.Errorf("size %d: bottom is not blue (%v)", px, bottom)
		}
	}

	// The same content again: the same asset, nothing stored twice.
	again := s.ingest(t, u, "copy-of-beach.jpg", photo)
	if !again.Duplicate || again.Asset.ID != res.Asset.ID {
		t.Errorf("second ingest %+v, want the first asset as a duplicate", again)
	}
	// ... also when it comes through the HTTP upload path.
	status, body := s.do(t, u, "POST", "/media/api/uploads", nil)
	if status != 200 {
		t.Fatalf("upload folder: %d %s", status, body)
	}
	var f struct{ Folder string }
	_ = json.Unmarshal(body, &f)
	up := afs.MustParse(f.Folder + "/beach-again.jpg")
	if _, err := s.fs.Save(u.ctx, up, bytes.NewReader(photo), nil); err != nil {
		t.Fatal(err)
	}
	status, body = s.do(t, u, "POST", "/media/api/ingest", map[string]any{"urns": []string{up.String()}})
	if status != 200 || !bytes.Contains(body, []byte(`"duplicate":true`)) || !bytes.Contains(body, []byte(res.Asset.ID)) {
		t.Errorf("ingest of the same content over HTTP: %d %s", status, body)
	}
	if _, err := s.fs.Stat(u.ctx, up); !errors.Is(err, afs.ErrNotFound) {
		t.Errorf("the uploaded copy was kept: %v", err)
	}
	n, _ := s.media.Search(u.ctx, "", 100)
	if len(n) != 1 {
		t.Errorf("%d assets after three uploads of one content, want 1", len(n))
	}

	// A renamed executable is no image.
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0x90}, 600)...)
	_, err := s.media.Ingest(u.ctx, "holiday.jpg", bytes.NewReader(elf))
	if webos.StatusOf(err) != 422 || !strings.Contains(err.Error(), "application/x-executable") {
		t.Errorf("renamed executable: %v (status %d), want 422 naming its type", err, webos.StatusOf(err))
	}
	// As what it is, it is "other", with no thumbnails.
	other := s.ingest(t, u, "tool.bin", elf)
	if other.Asset.Kind != media.KindOther || other.Asset.Thumbs != media.ThumbsNone {
		t.Errorf("executable as a file: %+v", other.Asset)
	}

	// Sizes off the ladder are 400, whoever's asset it is.
	for _, size := range []string{"512", "255", "1281", "0", "-1", "abc", "256px"} {
		status, body := s.do(t, u, "GET", "/media/assets/"+res.Asset.ID+"/file/"+size, nil)
		if status != 400 || !hasPrefix(body, `{"error":`) {
			t.Errorf("size %s: %d %s, want 400 JSON", size, status, body)
		}
	}
	status, _ = s.do(t, u, "GET", "/media/assets/"+res.Asset.ID+"/file/original", nil)
	if status != 200 {
		t.Errorf("original: %d", status)
	}
}

// TestQuarantine: a corrupt image is tried MaxAttempts times and a
// decompression bomb not at all; both end quarantined with the reason,
// and the server goes on thumbnailing other images.
func TestQuarantine(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	good := jpegOf(t, halves(64, 48))
	corrupt := good[:len(good)/2] // a header that parses, data cut short
	bomb := bombPNG(200_000, 200_000)

	c := s.ingest(t, u, "corrupt.jpg", corrupt)
	b := s.ingest(t, u, "bomb.png", bomb)
	g := s.ingest(t, u, "fine.jpg", good)

	br := s.waitThumbs(t, u, b.Asset.ID, 20*time.Second)
	if br.Thumbs != media.ThumbsQuarantined {
		t.Errorf("bomb: %+v", br)
	}
	gr := s.waitThumbs(t, u, g.Asset.ID, 20*time.Second)
	if gr.Thumbs != media.ThumbsReady {
		t.Errorf("a fine image next to them: %+v", gr)
	}
	cr := s.waitThumbs(t, u, c.Asset.ID, 30*time.Second)
	if cr.Thumbs != media.ThumbsQuarantined {
		t.Errorf("corrupt: %+v", cr)
	}
	var full map[string]any
	for id, want := range map[string]string{b.Asset.ID: "more pixels than the limit", c.Asset.ID: "after 2 attempts"} {
		_, body := s.do(t, u, "GET", "/media/api/assets/"+id, nil)
		_ = json.Unmarshal(body, &full)
		a, err := s.media.Search(u.ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		_ = a
		st, page := s.do(t, u, "GET", "/media/assets/"+id, nil)
		if st != 200 || !strings.Contains(string(page), want) {
			t.Errorf("detail of %s: %d, want the reason %q", id, st, want)
		}
	}
	// The reason is not a task that runs again: nothing is queued for them.
	time.Sleep(1500 * time.Millisecond)
	if r := s.waitThumbs(t, u, c.Asset.ID, time.Second); r.Thumbs != media.ThumbsQuarantined {
		t.Errorf("corrupt image left quarantine: %+v", r)
	}
}

// TestOwnerIsolation: another user sees none of a user's assets, by id,
// by file, in lists and in search, and gets their own asset for the same
// content.
func TestOwnerIsolation(t *testing.T) {
	s := demoServer(t)
	alice, bob := s.newUser(t), s.newUser(t)
	pic := jpegOf(t, halves(40, 30))
	a := s.ingest(t, alice, "alice.png.jpg", pic)
	for _, p := range []string{"/media/api/assets/" + a.Asset.ID, "/media/assets/" + a.Asset.ID, "/media/assets/" + a.Asset.ID + "/file/original",
		"/media/assets/" + a.Asset.ID + "/file/256", "/media/tile/" + a.Asset.ID} {
		if status, body := s.do(t, bob, "GET", p, nil); status != 404 {
			t.Errorf("bob GET %s: %d %s, want 404", p, status, body)
		}
	}
	status, body := s.do(t, bob, "POST", "/media/api/bulk", map[string]any{"ids": []string{a.Asset.ID}, "action": "delete"})
	if status != 404 {
		t.Errorf("bob deletes alice's asset: %d %s", status, body)
	}
	status, body = s.do(t, bob, "POST", "/media/assets/"+a.Asset.ID, map[string]any{"title": "mine now"})
	if status != 404 {
		t.Errorf("bob edits alice's asset: %d %s", status, body)
	}
	if refs, _ := s.media.Search(bob.ctx, "alice", 10); len(refs) != 0 {
		t.Errorf("bob's search finds %+v", refs)
	}
	status, body = s.do(t, bob, "GET", "/media/api/assets", nil)
	if status != 200 || strings.Contains(string(body), a.Asset.ID) {
		t.Errorf("bob's list: %d %s", status, body)
	}
	// Bob's copy of the same content is his own asset.
	b := s.ingest(t, bob, "same.jpg", pic)
	if b.Duplicate || b.Asset.ID == a.Asset.ID {
		t.Errorf("bob's upload of the same content: %+v", b)
	}
	// Without the permission there is no library at all.
	nobody := s.newUser(t, "user")
	if status, _ := s.do(t, nobody, "GET", "/media/api/assets", nil); status != 403 {
		t.Errorf("user without media.use: %d, want 403", status)
	}
	if status, _ := s.do(t, nil, "GET", "/media/api/assets", nil); status != 401 {
		t.Errorf("anonymous: %d, want 401", status)
	}
}

// TestSearchFilterAndBulk: tags by multi-select, search by tag, title and
// name, filters by date, type, album and camera; bad filters are 4xx JSON.
func TestSearchFilterAndBulk(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	old := withEXIF(jpegOf(t, halves(20, 20)), exifBlock(1, "2019:05:01 10:00:00", "Nikon", "D750"))
	x := s.ingest(t, u, "old-sunset.jpg", old)
	y := s.ingest(t, u, "today.png", pngOf(t, halves(30, 20)))
	z := s.ingest(t, u, "notes.pdf", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	if z.Asset.Kind != media.KindPDF || z.Asset.Thumbs != media.ThumbsNone {
		t.Errorf("pdf %+v", z.Asset)
	}
	status, body := s.do(t, u, "POST", "/media/api/bulk", map[string]any{"ids": []string{x.Asset.ID, y.Asset.ID}, "action": "tag", "value": "Holiday"})
	if status != 200 {
		t.Fatalf("bulk tag: %d %s", status, body)
	}
	status, body = s.do(t, u, "POST", "/media/api/bulk", map[string]any{"ids": []string{x.Asset.ID}, "action": "album", "value": "Summer"})
	if status != 200 {
		t.Fatalf("bulk album: %d %s", status, body)
	}
	list := func(q string) []string {
		t.Helper()
		status, body := s.do(t, u, "GET", "/media/api/assets?"+q, nil)
		if status != 200 {
			t.Fatalf("list ?%s: %d %s", q, status, body)
		}
		var p struct{ Items []media.Ref }
		_ = json.Unmarshal(body, &p)
		ids := []string{}
		for _, r := range p.Items {
			ids = append(ids, r.ID)
		}
		return ids
	}
	check := func(q string, want ...string) {
		t.Helper()
		if got := list(q); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("?%s: %v, want %v", q, got, want)
		}
	}
	check("q=holiday", y.Asset.ID, x.Asset.ID)
	check("q=sunset", x.Asset.ID)
	check("q=NOTES", z.Asset.ID)
	check("from=2019-01-01&to=2019-12-31", x.Asset.ID)
	check("to=2020-01-01", x.Asset.ID)
	check("kind=pdf", z.Asset.ID)
	check("album=Summer", x.Asset.ID)
	check("camera=Nikon+D750", x.Asset.ID)
	for _, q := range []string{"kind=exe", "from=yesterday", "to=2020-13-01", "after=garbage", "limit=0", "limit=x"} {
		status, body := s.do(t, u, "GET", "/media/api/assets?"+q, nil)
		if status < 400 || status >= 500 || !hasPrefix(body, `{"error":`) {
			t.Errorf("?%s: %d %s, want a 4xx JSON error", q, status, body)
		}
	}
	// Delete through the multi-select.
	status, body = s.do(t, u, "POST", "/media/api/bulk", map[string]any{"ids": []string{z.Asset.ID}, "action": "delete"})
	if status != 200 {
		t.Fatalf("bulk delete: %d %s", status, body)
	}
	check("kind=pdf")
	if _, err := s.fs.Stat(u.ctx, afs.MustParse(z.Asset.URN)); !errors.Is(err, afs.ErrNotFound) {
		t.Errorf("the deleted asset's file: %v", err)
	}
}

// TestSizeOffLadderIsRefusedFirst: the ladder check comes before the
// lookup, so a size off the ladder is 400 also for an unknown asset.
func TestSizeOffLadderIsRefusedFirst(t *testing.T) {
	s := demoServer(t)
	u := s.newUser(t)
	if status, body := s.do(t, u, "GET", "/media/assets/000000000000000000000000/file/640", nil); status != 400 {
		t.Errorf("%d %s", status, body)
	}
	if status, _ := s.do(t, u, "GET", "/media/assets/000000000000000000000000/file/256", nil); status != 404 {
		t.Errorf("unknown asset on the ladder: %d, want 404", status)
	}
}

var _ = image.Point{}
