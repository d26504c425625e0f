package blog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
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

// TestSelectImageFromThePicker: the editor's "Select image" is the files
// app's picker; the file it sends is inserted into the Markdown or set as
// the cover after the same checks as the picker's own (an existing image
// the user may read), and the image is public only while the published
// post shows it. Authors without files.read get no picker and may show
// only the blog's own uploads.
func TestSelectImageFromThePicker(t *testing.T) {
	e := sharedEnv(t)
	_, ivy := e.user(t, "Ivy", "illustrator") // blog.write and files.read
	_, ada := e.user(t, "Ada", "writer")      // blog.write only
	fsys, err := registry.Get[*afs.FS](e.app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	dir := "pics-" + randHex()
	save := func(name string, b []byte) string {
		t.Helper()
		u, err := afs.NewURN("local", dir+"/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fsys.Save(context.Background(), u, bytes.NewReader(b), nil); err != nil {
			t.Fatal(err)
		}
		return u.String()
	}
	photo, notes := save("Sea View.png", pngBytes(t)), save("notes.txt", []byte("not an image"))
	odd := save("a (b).png", pngBytes(t)) // parentheses in a name do not end the Markdown link
	p := e.post(t, ivy, map[string]any{"title": "Picked " + randHex(), "body": "Text"})

	edit := e.do(t, "GET", "/blog/admin/posts/"+p.ID+"/edit", ivy, "", "")
	if edit.code != 200 || !strings.Contains(edit.body, `data-files-picker`) || !strings.Contains(edit.body, `data-accept="image/png,image/jpeg,image/gif,image/webp"`) ||
		!strings.Contains(edit.body, `hx-trigger="files:pick"`) {
		t.Fatalf("the editor lacks the picker: %d %s", edit.code, edit.body)
	}
	insert := func(token string, kv ...string) resp {
		t.Helper()
		return e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/image", token, formCT, form(kv...), "HX-Request", "true")
	}
	r := insert(ivy, "image", photo, "as", "body", "body", "Text")
	wantMD := "Text\n\n![Sea View](" + strings.ReplaceAll(photo, " ", "%20") + ")\n"
	if r.code != 200 || r.hdr.Get("HX-Retarget") != "#body" || !strings.Contains(r.body, `id="body"`) || !strings.Contains(r.body, html.EscapeString(wantMD)) {
		t.Fatalf("insert into the body: %d %v %s", r.code, r.hdr, r.body)
	}
	if r := insert(ivy, "image", odd, "as", "body"); r.code != 200 || !strings.Contains(r.body, "![a (b)](fs://local/"+dir+"/a%20%28b%29.png)") {
		t.Errorf("insert a name with parentheses: %d %s", r.code, r.body)
	} else if out := blog.NewRenderer("/m").Render("![a (b)](fs://local/" + dir + "/a%20%28b%29.png)"); len(out.Files) != 1 || out.Files[0] != odd {
		t.Errorf("the pipeline reads back %v, want %s", out.Files, odd)
	}
	r = insert(ivy, "image", photo, "as", "cover")
	if r.code != 200 || r.hdr.Get("HX-Retarget") != "#cover" || !strings.Contains(r.body, `id="cover"`) || !strings.Contains(r.body, `value="`+photo+`"`) {
		t.Fatalf("as cover: %d %v %s", r.code, r.hdr, r.body)
	}
	for _, c := range []struct {
		kv   []string
		want int
		says string
	}{
		{[]string{"as", "body"}, 422, "choose one image"},
		{[]string{"image", photo, "image", photo, "as", "body"}, 422, "choose one image"},
		{[]string{"image", photo, "as", "sidebar"}, 422, "must be body"},
		{[]string{"image", "fs://local/" + dir + "/none.png", "as", "body"}, 422, "does not exist"},
		{[]string{"image", notes, "as", "body"}, 422, "not of an accepted type"},
		{[]string{"image", "fs://local/" + dir, "as", "body"}, 422, "is a folder"},
		{[]string{"image", "fs://local/../etc/passwd", "as", "body"}, 422, `"image"`},
	} {
		r := e.do(t, "POST", "/blog/admin/posts/"+p.ID+"/image", ivy, formCT, form(c.kv...))
		if r.code != c.want || !strings.Contains(r.body, c.says) || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
			t.Errorf("insert %v: %d %s, want %d saying %q", c.kv, r.code, r.body, c.want, c.says)
		}
	}

	// The editor's preview shows the picked image before the post is
	// saved, to writers who may read files.
	if r := e.do(t, "GET", "/blog/media/local/"+dir+"/Sea%20View.png", ivy, "", ""); r.code != 200 {
		t.Errorf("the picked image for the preview: %d", r.code)
	}
	if r := e.do(t, "GET", "/blog/media/local/"+dir+"/Sea%20View.png", ada, "", ""); r.code != 404 {
		t.Errorf("another folder's file for a writer without files.read: %d", r.code)
	}

	// Without files.read: no picker, no choosing, and only the blog's own
	// uploads may be shown.
	ap := e.post(t, ada, map[string]any{"title": "Plain " + randHex()})
	if r := e.do(t, "GET", "/blog/admin/posts/"+ap.ID+"/edit", ada, "", ""); strings.Contains(r.body, "data-files-picker") || !strings.Contains(r.body, "needs the permission files.read") {
		t.Errorf("an author without files.read gets a picker: %s", r.body)
	}
	if r := e.do(t, "POST", "/blog/admin/posts/"+ap.ID+"/image", ada, formCT, form("image", photo, "as", "body")); r.code != 403 {
		t.Errorf("choosing without files.read: %d %s", r.code, r.body)
	}
	for _, in := range []map[string]string{{"body": "![x](<" + photo + ">)"}, {"cover": photo}} {
		in["title"] = ap.Title
		if r := e.do(t, "PUT", "/blog/admin/posts/"+ap.ID, ada, jsonCT, mustJSON(in)); r.code != 422 || !strings.Contains(r.body, "files.read") {
			t.Errorf("showing another folder's file without files.read %v: %d %s", in, r.code, r.body)
		}
	}

	// Saved and published, the picked image is public; unpublished, not.
	if r := e.do(t, "PUT", "/blog/admin/posts/"+p.ID, ivy, jsonCT, mustJSON(map[string]string{"title": p.Title, "body": wantMD, "cover": photo})); r.code != 200 {
		t.Fatal(r.body)
	}
	media := "/blog/media/local/" + dir + "/Sea%20View.png"
	if r := e.do(t, "GET", media, "", "", ""); r.code != 404 {
		t.Errorf("a draft's image for a guest: %d", r.code)
	}
	pub := e.act(t, ivy, p.ID, "publish", "")
	page := e.do(t, "GET", "/blog/"+pub.Slug, "", "", "")
	if !strings.Contains(page.body, `<img src="`+media+`" alt="Sea View">`) {
		t.Errorf("the public page lacks the image %s: %s", media, page.body)
	}
	if r := e.do(t, "GET", media, "", "", ""); r.code != 200 || r.hdr.Get("Content-Type") != "image/png" || r.body != string(pngBytes(t)) {
		t.Errorf("the published image for a guest: %d %v", r.code, r.hdr)
	}
	if r := e.do(t, "GET", media, "", "", "", "Range", "bytes=garbage"); r.code != 416 || !strings.HasPrefix(r.hdr.Get("Content-Type"), "application/json") {
		t.Errorf("a bad range: %d %q %s", r.code, r.hdr.Get("Content-Type"), r.body)
	}
	if r := e.do(t, "GET", "/blog/media/local/"+dir+"/notes.txt", "", "", ""); r.code != 404 {
		t.Errorf("a file of the same folder no post shows: %d", r.code)
	}
	e.act(t, ivy, p.ID, "unpublish", "")
	if r := e.do(t, "GET", media, "", "", ""); r.code != 404 {
		t.Errorf("the image after unpublishing: %d", r.code)
	}
}
