package blog_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/internal/testenv"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func multipartBody(t *testing.T, fields map[string]string, name string, file []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", name)
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.String()
}

// TestImagesArePublicOnlyWhilePublished: an uploaded image is an afs
// file that guests may download only while a published post shows it.
func TestImagesArePublicOnlyWhilePublished(t *testing.T) {
	e := sharedEnv(t)
	_, ada := e.user(t, "Ada", "writer")
	_, bob := e.user(t, "Bob", "writer")
	ct, body := multipartBody(t, nil, "Red Dot.png", pngBytes(t))
	r := e.do(t, "POST", "/blog/admin/images", ada, ct, body)
	var up struct{ URN, URL string }
	_ = json.Unmarshal([]byte(r.body), &up)
	if r.code != 201 || !strings.HasPrefix(up.URN, "fs://local/blog/") || !strings.Contains(up.URN, "red-dot-") || !strings.HasPrefix(up.URL, "/blog/media/local/blog/") {
		t.Fatalf("upload: %d %s", r.code, r.body)
	}
	// Not an image: refused, nothing stored.
	ct2, body2 := multipartBody(t, nil, "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`))
	if r := e.do(t, "POST", "/blog/admin/images", ada, ct2, body2); r.code != 422 {
		t.Errorf("SVG upload: %d %s", r.code, r.body)
	}
	p := e.post(t, ada, map[string]any{"title": "Pictured " + randHex(), "body": "![dot](" + up.URN + ")"})
	// Inserting through the editor's control: as cover, and into the body.
	ct3, body3 := multipartBody(t, map[string]string{"image": up.URN, "as": "cover"}, "", nil)
	if r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/image", ada, ct3, body3); r.code != 200 || !strings.Contains(r.body, `value="`+up.URN+`"`) {
		t.Errorf("as cover: %d %s", r.code, r.body)
	}
	ct4, body4 := multipartBody(t, map[string]string{"as": "body", "body": "Text"}, "Blue.png", pngBytes(t))
	if r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/image", ada, ct4, body4); r.code != 200 || !strings.Contains(r.body, "Text\n\n![blue-") {
		t.Errorf("upload into body: %d %s", r.code, r.body)
	}
	if r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/image", ada, formCT, form("image", "fs://local/blog/none.png", "as", "body")); r.code != 422 {
		t.Errorf("missing file: %d %s", r.code, r.body)
	}
	if r := e.do(t, "PUT", "/blog/admin/posts/"+p.ID, ada, jsonCT, mustJSON(map[string]string{"title": p.Title, "body": "![dot](" + up.URN + ")", "cover": up.URN})); r.code != 200 {
		t.Fatal(r.body)
	}
	check := func(who, token string, want int) {
		t.Helper()
		r := e.do(t, "GET", up.URL, token, "", "")
		if r.code != want {
			t.Errorf("%s GET %s: %d, want %d", who, up.URL, r.code, want)
		}
		if want == 200 && (r.hdr.Get("Content-Type") != "image/png" || r.hdr.Get("X-Content-Type-Options") != "nosniff") {
			t.Errorf("%s: headers %v", who, r.hdr)
		}
	}
	check("guest, draft", "", 404)
	check("author, draft", ada, 200) // the editor's preview shows it
	check("other writer, draft", bob, 404)
	// A preview link shows the draft's images to whoever has it.
	r = e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/preview-link", ada, "", "")
	var link struct{ URL string }
	_ = json.Unmarshal([]byte(r.body), &link)
	pv := e.do(t, "GET", link.URL, "", "", "")
	token := strings.TrimPrefix(link.URL, "/blog/preview/")
	if want := `src="` + up.URL + `?preview=` + token + `"`; !strings.Contains(pv.body, want) {
		t.Errorf("preview page lacks %s: %s", want, pv.body)
	}
	if r := e.do(t, "GET", up.URL+"?preview="+token, "", "", ""); r.code != 200 {
		t.Errorf("image with the preview token: %d", r.code)
	}
	other := e.post(t, ada, map[string]any{"title": "Other " + randHex()})
	r = e.do(t, "POST", "/blog/admin/posts/"+other.ID+"/preview-link", ada, "", "")
	_ = json.Unmarshal([]byte(r.body), &link)
	if r := e.do(t, "GET", up.URL+"?preview="+strings.TrimPrefix(link.URL, "/blog/preview/"), "", "", ""); r.code != 404 {
		t.Errorf("image with another post's token: %d", r.code)
	}
	e.act(t, ada, p.ID, "publish", "")
	check("guest, published", "", 200)
	page := e.do(t, "GET", "/blog/"+p.Slug, "", "", "")
	if !strings.Contains(page.body, `property="og:image" content="`+e.srv.URL+up.URL+`"`) || !strings.Contains(page.body, `class="cover" src="`+up.URL+`"`) {
		t.Errorf("cover and og:image missing: %s", page.body)
	}
	e.act(t, ada, p.ID, "unpublish", "")
	check("guest, unpublished", "", 404)
	// A file no post shows is never served, nor a malformed path.
	for _, path := range []string{"/blog/media/local/blog/other.png", "/blog/media/local/..%2f..%2fetc/passwd", "/blog/media/nosource/x.png"} {
		if r := e.do(t, "GET", path, "", "", ""); r.code != 404 && r.code != 400 {
			t.Errorf("GET %s: %d", path, r.code)
		}
	}
}

// TestScheduledPublishOnRedis: a scheduled post goes public at its time
// through a task on a real Redis, and shows in the feed then.
func TestScheduledPublishOnRedis(t *testing.T) {
	url := testenv.RedisURL(t)
	dir := t.TempDir()
	e, stop, err := newEnv(dir, url)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	_, ada := e.user(t, "Ada", "writer")
	p := e.post(t, ada, map[string]any{"title": "Scheduled " + randHex(), "body": "on time"})
	at := time.Now().Add(2 * time.Second).UTC()
	s := e.act(t, ada, p.ID, "schedule", mustJSON(map[string]any{"publish_at": at}))
	if s.Status != "scheduled" {
		t.Fatalf("status %s", s.Status)
	}
	if r := e.do(t, "GET", "/blog/"+p.Slug, "", "", ""); r.code != 404 {
		t.Fatalf("before its time: %d", r.code)
	}
	// The task is in the tasks module, for its owner and the task monitor.
	var task string
	if r := e.do(t, "GET", "/blog/admin/posts/"+p.ID, ada, "", ""); r.code == 200 {
		var raw map[string]any
		_ = json.Unmarshal([]byte(r.body), &raw)
		task, _ = raw["task"].(string)
	}
	if task == "" {
		t.Fatal("no task id on the scheduled post")
	}
	if r := e.do(t, "GET", "/tasks/"+task, ada, "", ""); r.code != 200 || !strings.Contains(r.body, `"queued"`) && !strings.Contains(r.body, `"scheduled"`) {
		t.Errorf("the task before its time: %d %s", r.code, r.body)
	}
	// ... and in the task monitor, among the queue's scheduled tasks.
	_, root := e.user(t, "Root", auth.RoleAdmin)
	queue := e.namespace + ":default"
	if r := e.do(t, "GET", "/tasks/admin/monitor/api/queues/"+queue+"/scheduled_tasks", root, "", ""); r.code != 200 || !strings.Contains(r.body, task) || !strings.Contains(r.body, blog.TaskPublish) {
		t.Errorf("the task monitor's scheduled tasks of %s: %d %s", queue, r.code, r.body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := e.do(t, "GET", "/blog/"+p.Slug, "", "", "")
		if r.code == 200 {
			if time.Now().Before(at) {
				t.Fatalf("public before its time")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not published 13 s after its time: %d", r.code)
		}
		time.Sleep(200 * time.Millisecond)
	}
	feed := e.do(t, "GET", "/blog/feed.atom", "", "", "")
	var atom atomFeedDoc
	parseXML(t, feed.body, &atom)
	if len(atom.Entries) == 0 || atom.Entries[0].Title != p.Title {
		t.Errorf("feed: %+v", atom.Entries)
	}
	if r := e.do(t, "GET", "/blog/admin/posts/"+p.ID, ada, "", ""); !strings.Contains(r.body, `"status":"published"`) {
		t.Errorf("post after the task: %s", r.body)
	}
	if r := e.do(t, "GET", "/tasks/"+task, ada, "", ""); r.code != 200 || !strings.Contains(r.body, `"succeeded"`) || !strings.Contains(r.body, `"published"`) {
		t.Errorf("the task after its time: %d %s", r.code, r.body)
	}
}
