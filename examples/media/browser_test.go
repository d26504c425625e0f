package media_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/internal/browsertest"
)

// tab is a browser tab of its own, signed in as a new administrator.
type tab struct {
	*browsertest.Tab
	srv   *server
	admin *user
}

func newTab(t *testing.T) *tab {
	t.Helper()
	srv := demoServer(t)
	tb := &tab{Tab: shared.browser.NewTab(t, browsertest.Options{Base: srv.URL, Timeout: 120 * time.Second}), srv: srv}
	tb.admin = srv.newUser(t, auth.RoleAdmin)
	tb.SignIn(tb.admin.Email, password)
	return tb
}

// TestBrowserGalleryAndBlogPicker: upload three images in the gallery,
// see their thumbnails appear as the tasks finish, tag two with the
// multi-select, search by the tag, filter by date, then pick one in the
// blog editor and find it, with a srcset of the ladder, in the published
// post. Also the gallery at 375 px in dark mode.
func TestBrowserGalleryAndBlogPicker(t *testing.T) {
	tb := newTab(t)
	dir := t.TempDir()
	var paths []string
	for i, taken := range []string{"2019:05:01 10:00:00", "2023:08:20 12:00:00", "2023:08:21 12:00:00"} {
		img := halves(320+40*i, 240)
		jpg := withEXIF(jpegOf(t, img), exifBlock(1, taken, "Fujifilm", "X-T4"))
		p := filepath.Join(dir, fmt.Sprintf("photo-%d.jpg", i+1))
		if err := os.WriteFile(p, jpg, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	tb.Do("open the gallery", chromedp.Navigate(tb.srv.URL+"/media/"))
	tb.WaitWithin("the gallery", `document.querySelector("#media-files") !== null`, 15*time.Second)
	tb.Do("upload three images", chromedp.SetUploadFiles(chromedp.CSS("#media-files"), paths))
	tb.WaitWithin("three tiles", `document.querySelectorAll(".media-tile").length === 3`, 30*time.Second)
	tb.WaitWithin("their thumbnails", `[...document.querySelectorAll(".media-tile img")].filter(i => i.complete && i.naturalWidth > 0).length === 3`, 40*time.Second)
	tb.Screenshot("media-gallery-uploaded")

	// Tag the two from 2023 with the multi-select.
	tb.Do("reload", chromedp.Navigate(tb.srv.URL+"/media/"))
	tb.WaitWithin("month groups", `document.querySelectorAll(".media-month").length === 2`, 15*time.Second)
	tb.Do("select two", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll(".media-tile")].filter(t => t.querySelector("figcaption").textContent !== "photo-1").forEach(t => t.querySelector(".media-pick").click())`))
	tb.WaitWithin("the selection bar", `!document.querySelector("#media-select-bar").hidden && document.querySelector("#media-selected").textContent === "2 selected"`, 5*time.Second)
	tb.Do("tag them", chromedp.SendKeys(chromedp.CSS("#ms-tag"), "seaside"), chromedp.Click(chromedp.CSS(`[data-bulk="tag"]`)))
	tb.WaitWithin("the reload after tagging", `[...document.querySelectorAll(".media-tile")].filter(t => t.dataset.tags === "seaside").length === 2`, 15*time.Second)

	// Search by the tag.
	tb.Do("search", chromedp.SendKeys(chromedp.CSS("#mf-q"), "seaside"), chromedp.Submit(chromedp.CSS("#media-filter")))
	tb.WaitWithin("two results", `location.search.includes("q=seaside") && document.querySelectorAll(".media-tile").length === 2`, 15*time.Second)
	tb.Screenshot("media-gallery-search")

	// Filter by date: 2019 only.
	tb.Do("filter by date", chromedp.Navigate(tb.srv.URL+"/media/"))
	tb.WaitWithin("the filter", `document.querySelector("#mf-from") !== null`, 15*time.Second)
	tb.Do("set the dates", chromedp.Evaluate[chromedp.Void](`document.querySelector("#mf-from").value = "2019-01-01"; document.querySelector("#mf-to").value = "2019-12-31"`),
		chromedp.Submit(chromedp.CSS("#media-filter")))
	tb.WaitWithin("one result", `location.search.includes("from=2019-01-01") && document.querySelectorAll(".media-tile").length === 1 && document.querySelector(".media-month").textContent === "May 2019"`, 15*time.Second)

	// Phone width, dark.
	tb.ColorScheme("dark")
	tb.Viewport(375, 800)
	tb.Do("375 px", chromedp.Navigate(tb.srv.URL+"/media/"))
	tb.WaitWithin("the gallery on a phone", `document.querySelectorAll(".media-tile img").length === 3 && document.documentElement.scrollWidth <= 375`, 15*time.Second)
	tb.Screenshot("media-gallery-375-dark")
	tb.Viewport(0, 0) // the desktop window

	// The blog editor: pick one of the seaside photos, publish, see it.
	tb.Do("open the blog", chromedp.Navigate(tb.srv.URL+"/blog/admin/"))
	tb.WaitWithin("the posts list", `document.querySelector("#new-post") !== null`, 15*time.Second)
	tb.Do("new post", chromedp.Click(chromedp.CSS("#new-post")))
	tb.WaitWithin("the editor with the asset picker", `document.querySelector("#asset-picker .mp-open") !== null && document.querySelector("#body") !== null`, 15*time.Second)
	tb.Do("title", chromedp.Evaluate[chromedp.Void](`document.querySelector("#title").value = "Seaside days"`))
	tb.Do("open the picker", chromedp.Click(chromedp.CSS("#asset-picker .mp-open")))
	tb.WaitWithin("the picker's items", `document.querySelectorAll(".mp-dialog[open] .mp-item").length === 3`, 10*time.Second)
	tb.Do("search in the picker", chromedp.SendKeys(chromedp.CSS(".mp-dialog .mp-search"), "seaside"))
	tb.WaitWithin("two items", `document.querySelectorAll(".mp-dialog[open] .mp-item").length === 2`, 10*time.Second)
	tb.Screenshot("media-picker")
	tb.Do("pick one", chromedp.Click(chromedp.CSS(".mp-dialog .mp-item")), chromedp.Click(chromedp.CSS(".mp-dialog .mp-choose")))
	tb.WaitWithin("the Markdown in the body", `document.querySelector("#body").value.includes("](fs://s3/media/")`, 5*time.Second)
	tb.WaitWithin("the preview with a srcset", `!!document.querySelector("#preview img[srcset*='256w']")`, 10*time.Second)
	tb.Do("publish", chromedp.Click(chromedp.CSS("#publish")))
	tb.WaitWithin("published", `document.querySelector("#post-status") && document.querySelector("#post-status").textContent.includes("published")`, 15*time.Second)
	slug := browsertest.Eval[string](tb.Tab, `document.querySelector("#post-url").textContent`)
	tb.Do("open the published post", chromedp.Navigate(tb.srv.URL+slug))
	tb.WaitWithin("the image in the post", `(() => { const i = document.querySelector("article img[srcset]"); return !!i && i.complete && i.naturalWidth > 0 && i.srcset.includes("256w") && i.srcset.includes("w, ") })()`, 15*time.Second)
	tb.Screenshot("media-blog-post")
	srcset := browsertest.Eval[string](tb.Tab, `document.querySelector("article img[srcset]").srcset`)
	if !strings.Contains(srcset, "/blog/media/s3/media/") {
		t.Errorf("srcset %q does not point at the blog's media route", srcset)
	}
	// Anonymous readers get every size of the srcset.
	for _, part := range strings.Split(srcset, ",") {
		u := strings.Fields(strings.TrimSpace(part))[0]
		if status, _ := tb.srv.do(t, nil, "GET", u, nil); status != 200 {
			t.Errorf("anonymous GET %s: %d", u, status)
		}
	}

	// Deleting the picked asset warns and names the post; nothing is deleted.
	refs, err := tb.srv.media.Search(tb.admin.ctx, "seaside", 10)
	if err != nil || len(refs) != 2 {
		t.Fatalf("search: %v %v", refs, err)
	}
	status, body := tb.srv.do(t, tb.admin, "POST", "/media/api/bulk", map[string]any{"ids": []string{refs[0].ID, refs[1].ID}, "action": "delete"})
	if status != 409 || !strings.Contains(string(body), "Seaside days") {
		t.Errorf("delete of a used asset: %d %s, want 409 naming the post", status, body)
	}
	if after, _ := tb.srv.media.Search(tb.admin.ctx, "seaside", 10); len(after) != 2 {
		t.Errorf("%d assets left after the refused delete", len(after))
	}
}
