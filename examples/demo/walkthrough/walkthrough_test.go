package walkthrough

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
)

const (
	email    = "walker@example.com"
	password = "walker-password-1"
	// imageName is the file uploaded in Files and picked in the blog.
	imageName = "harbour-at-dawn.png"
	title     = "A morning at the harbour"
)

// browser is the walkthrough's Chromium, its window the screencast's size.
var browser = browsertest.Browser{Width: 1280, Height: 800}

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// TestWalkthrough is the roadmap's continuous session, step by step, each
// step with its screenshot; the whole of it is recorded as a screencast.
func TestWalkthrough(t *testing.T) {
	testenv.Integration(t)
	out, err := browsertest.ArtifactDir("walkthrough")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	rec, err := newRecorder(filepath.Join(out, "frames"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startDemo(t)
	pic := filepath.Join(t.TempDir(), imageName)
	if err := os.WriteFile(pic, picture(t), 0o644); err != nil {
		t.Fatal(err)
	}

	author := newTab(t, srv.URL, rec)
	step := 0
	shot := func(tb *tab, name string) {
		t.Helper()
		step++
		tb.Screenshot(fmt.Sprintf("%02d-%s", step, name))
	}

	// 1. Sign in.
	author.SignIn(email, password)
	shot(author, "signed-in-launchpad")

	// 2. Launch Files from the launchpad.
	author.Do("launch Files", chromedp.Click(chromedp.CSS(`a.app-card[href="/files/"]`)))
	author.WaitFor("the commander", `location.pathname === "/files/" && document.querySelectorAll(".fc-panel").length === 2 && [...document.querySelectorAll(".fc-panel")].every(p => !p.hasAttribute("data-loading") && p.querySelector(".fc-status").textContent !== "")`)
	shot(author, "files")

	// 3. Upload an image into the left panel's folder, through the
	// Upload button and the browser's file chooser.
	author.chooseFile(pic)
	author.Do("upload", chromedp.Click(chromedp.CSS(`.fc-keybar button[data-action="upload"]`)))
	author.WaitFor("the upload done", `[...document.querySelectorAll(".fc-job[data-upload]")].some(j => j.dataset.state === "succeeded")`)
	author.WaitFor("the image listed", `document.querySelector('#fc-left tr[data-name="`+imageName+`"]') !== null`)
	shot(author, "image-uploaded")

	// 4. Back to the launchpad, launch the blog.
	author.Do("the launchpad", chromedp.Click(chromedp.CSS(`a.brand`)))
	author.WaitFor("the launchpad", `location.pathname === "/" && document.querySelector('a.app-card[href="/blog/admin/"]') !== null`)
	author.Do("launch the blog", chromedp.Click(chromedp.CSS(`a.app-card[href="/blog/admin/"]`)))
	author.WaitFor("the posts list", `location.pathname === "/blog/admin/" && document.querySelector("#new-post") !== null && document.querySelector("#grid-blog-posts") !== null`)
	shot(author, "blog-posts")

	// 5. Write a post.
	author.Do("new post", chromedp.Click(chromedp.CSS(`#new-post`)))
	author.WaitFor("the editor", `location.pathname.endsWith("/edit") && document.querySelector("#editor #body") !== null && document.body.getAttribute("data-shell-ready") === "true"`)
	author.Do("write",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#title").value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#tags`), "harbour, photos"),
		chromedp.SendKeys(chromedp.CSS(`#excerpt`), "Boats, gulls and the first light."),
		chromedp.Click(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "The boats come in as the sun comes up.\n"),
	)
	author.WaitFor("the live preview", `document.querySelector("#preview p") !== null && document.querySelector("#preview p").textContent.includes("The boats come in")`)
	shot(author, "writing")

	// 6. Select image: the files app's picker, the uploaded image.
	author.Do("open the picker", chromedp.Click(chromedp.CSS(`#image-picker .fp-open`)))
	row := `dialog.fp-dialog[open] tr[data-name="` + imageName + `"]`
	author.WaitFor("the picker's listing", `document.querySelector('`+row+`') !== null`)
	shot(author, "picker")
	author.Do("pick the image", chromedp.DoubleClick(chromedp.CSS(row)))
	author.WaitFor("the image in the Markdown", `document.querySelector("#body").value.includes("](fs://local/`+imageName+`)")`)
	author.WaitFor("the image in the preview", `(() => { const i = document.querySelector("#preview img"); return i !== null && i.complete && i.naturalWidth > 0; })()`)
	author.Do("scroll up", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot(author, "image-inserted")

	// 7. Publish.
	author.Do("publish", chromedp.Click(chromedp.CSS(`#publish`)))
	author.WaitFor("published", `document.querySelector("#post-status") !== null && document.querySelector("#post-status").textContent.startsWith("published")`)
	shot(author, "published")
	slug := browsertest.Eval[string](author.Tab, `document.querySelector("#post-url").textContent`)
	if slug != "/blog/a-morning-at-the-harbour" {
		t.Errorf("the post's address is %q", slug)
	}

	// 8. A guest, in a fresh browser context, reads it and sees the image.
	guest := newTab(t, srv.URL, rec)
	guest.Do("open the blog", chromedp.Navigate(srv.URL+"/blog/"))
	guest.WaitFor("the post in the list", `[...document.querySelectorAll("article.post-summary h2 a")].some(a => a.textContent === "`+title+`")`)
	guest.Do("open the post", chromedp.Click(chromedp.CSS(`article.post-summary h2 a[href="`+slug+`"]`)))
	guest.WaitFor("the post with its image loaded", `location.pathname === "`+slug+`" && (() => { const i = document.querySelector("article.post .post-body img"); return i !== null && i.complete && i.naturalWidth > 0; })()`)
	if w := browsertest.Eval[float64](guest.Tab, `document.querySelector("article.post .post-body img").naturalWidth`); w != 480 {
		t.Errorf("the guest's image is %v pixels wide, want 480", w)
	}
	if browsertest.Eval[bool](guest.Tab, `document.cookie.length > 0`) {
		t.Error("the guest has cookies: not a fresh context")
	}
	shot(guest, "guest-reads-the-post")

	// 9. Sign out.
	author.Do("sign out", chromedp.Click(chromedp.CSS(`button[aria-label="Sign out"]`)))
	author.WaitFor("the sign-in page", `location.pathname === "/login" && document.querySelector("#email") !== null`)
	author.Do("the editor again", chromedp.Navigate(srv.URL+"/blog/admin/"))
	author.WaitFor("the sign-in page, not the posts", `location.pathname === "/login"`)
	shot(author, "signed-out")

	for _, tb := range []*tab{author, guest} {
		tb.stopScreencast()
	}
	n, err := rec.finish()
	if err != nil {
		t.Fatal(err)
	}
	if n < step {
		t.Errorf("the screencast has %d frames for %d steps", n, step)
	}
	t.Logf("%d steps, %d screencast frames in %s", step, n, rec.dir)
}

// picture is a 480×270 PNG: a sky, the sea and a sun.
func picture(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 480, 270))
	for y := range 270 {
		for x := range 480 {
			c := color.RGBA{uint8(250 - y/2), uint8(170 + y/4), uint8(120 + y/3), 255}
			if y > 170 {
				c = color.RGBA{20, uint8(60 + (y-170)/2), uint8(110 + (x+y)%40), 255}
			}
			if dx, dy := x-330, y-150; dx*dx+dy*dy < 900 && y <= 170 {
				c = color.RGBA{255, 220, 90, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// startDemo serves the reference server as `make run` does, on the
// embedded store in a fresh data folder, with one administrator.
func startDemo(t *testing.T) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	cfg, err := webos.LoadConfig(filepath.Join(dir, "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dir
	app, err := demo.NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	})
	am, err := registry.Get[*auth.Module](app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := am.CreateUser(ctx, auth.NewUser{Email: email, Password: password, DisplayName: "Wanda Walker", Roles: []string{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return srv
}

// tab is a tab of the walkthrough, recorded by the screencast recorder,
// which gives the page's file chooser the file chooseFile named.
type tab struct {
	*browsertest.Tab

	mu     sync.Mutex
	choose string // the file the next file chooser gets
}

// newTab opens a tab on the server at base, each of its steps waiting up
// to 15 s; its screenshots go to artifacts/browser/walkthrough/.
func newTab(t *testing.T, base string, rec *recorder) *tab {
	t.Helper()
	tb := &tab{Tab: browser.NewTab(t, browsertest.Options{Base: base, Dir: "walkthrough", Timeout: 90 * time.Second, ActionTimeout: 15 * time.Second})}
	ctx := tb.Context()
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventScreencastFrame:
			rec.add(e)
			go func() {
				_, _ = chromedp.Call(ctx, page.ScreencastFrameAck, page.ScreencastFrameAckParams{SessionID: e.SessionID})
			}()
		case *page.EventFileChooserOpened:
			tb.mu.Lock()
			file := tb.choose
			tb.mu.Unlock()
			go func() {
				_, err := chromedp.Call(ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{file}, BackendNodeID: e.BackendNodeID})
				if err != nil {
					t.Errorf("choose the file %s: %v", file, err)
				}
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	quality := int64(70)
	if _, err := chromedp.Call(ctx, page.StartScreencast, page.StartScreencastParams{Format: page.StartScreencastFormatJpeg, Quality: &quality,
		MaxWidth: 1280, MaxHeight: 800, EveryNthFrame: 1}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// chooseFile is the file the page's next file chooser gets.
func (tb *tab) chooseFile(path string) {
	tb.mu.Lock()
	tb.choose = path
	tb.mu.Unlock()
}

func (tb *tab) stopScreencast() {
	_, _ = chromedp.Call(tb.Context(), page.StopScreencast, cdp.Empty{})
}

// recorder keeps the screencast frames of every tab, in the order they
// were shown, as JPEG files and an ffconcat list that gives each frame
// the time until the next one.
type recorder struct {
	dir    string
	mu     sync.Mutex
	frames []frame
}

type frame struct {
	at   time.Time
	data []byte
}

func newRecorder(dir string) (*recorder, error) {
	return &recorder{dir: dir}, os.MkdirAll(dir, 0o755)
}

func (r *recorder) add(e *page.EventScreencastFrame) {
	at := time.Now()
	if e.Metadata != nil && e.Metadata.Timestamp > 0 {
		at = time.Unix(0, int64(e.Metadata.Timestamp.Float64()*1e9))
	}
	r.mu.Lock()
	r.frames = append(r.frames, frame{at: at, data: e.Data})
	r.mu.Unlock()
}

// finish writes the frames and frames.ffconcat and returns how many
// frames there are.
func (r *recorder) finish() (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.SliceStable(r.frames, func(i, j int) bool { return r.frames[i].at.Before(r.frames[j].at) })
	var list strings.Builder
	list.WriteString("ffconcat version 1.0\n")
	for i, f := range r.frames {
		name := fmt.Sprintf("%05d.jpg", i+1)
		if err := os.WriteFile(filepath.Join(r.dir, name), f.data, 0o644); err != nil {
			return 0, err
		}
		d := time.Second // the last frame stays a second
		if i+1 < len(r.frames) {
			d = min(max(r.frames[i+1].at.Sub(f.at), 40*time.Millisecond), 3*time.Second)
		}
		fmt.Fprintf(&list, "file '%s'\nduration %.3f\n", name, d.Seconds())
	}
	if n := len(r.frames); n > 0 {
		fmt.Fprintf(&list, "file '%05d.jpg'\n", n) // the concat demuxer needs the last file twice for its duration
	}
	return len(r.frames), os.WriteFile(filepath.Join(r.dir, "frames.ffconcat"), []byte(list.String()), 0o644)
}
