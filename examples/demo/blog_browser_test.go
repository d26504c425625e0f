package demo

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/internal/browsertest"
)

// TestBrowserBlogWriteAndRead: an author opens the blog from the
// launchpad, starts a post, writes Markdown and sees the live preview,
// the draft saves itself, publishes it, and a guest in a fresh browser
// context reads it on the public site.
func TestBrowserBlogWriteAndRead(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	tb.Do("open the blog's card", chromedp.Click(chromedp.CSS(`a.app-card[href="/blog/admin/"]`)))
	tb.WaitFor("the posts list", `location.pathname === "/blog/admin/" && document.querySelector("#new-post") !== null`)
	tb.Screenshot("blog-01-posts-list")

	tb.Do("start a post", chromedp.Click(chromedp.CSS(`#new-post`)))
	tb.WaitFor("the editor", `location.pathname.endsWith("/edit") && document.querySelector("#editor #body") !== null && document.body.getAttribute("data-shell-ready") === "true"`)
	browsertest.Eval[chromedp.Void](tb, `document.querySelector("#title").value = ""`)
	tb.Do("write the post",
		chromedp.SendKeys(chromedp.CSS(`#title`), "Hello from the browser"),
		chromedp.SendKeys(chromedp.CSS(`#tags`), "browser, demo"),
		chromedp.SendKeys(chromedp.CSS(`#excerpt`), "Written and published in headless Chromium."),
		chromedp.Click(chromedp.CSS(`#body`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "# A heading\n\nSome **bold** words and a [link](https://example.com).\n\n- one\n- two\n"),
	)
	tb.WaitFor("the live preview", `document.querySelector("#preview strong") !== null && document.querySelector("#preview strong").textContent === "bold" && document.querySelector("#preview h1") !== null`)
	tb.WaitFor("the autosave", `document.querySelector("#save-status").textContent.includes("Draft saved automatically")`)
	if got := browsertest.Eval[string](tb, `document.querySelector("#post-url").textContent`); got != "/blog/hello-from-the-browser" {
		t.Errorf("the slug follows the title: %q", got)
	}
	browsertest.Eval[chromedp.Void](tb, `window.scrollTo(0, 0)`)
	tb.Screenshot("blog-02-editor-live-preview")
	preview := browsertest.Eval[string](tb, `document.querySelector("#preview").innerHTML`)

	tb.Do("publish", chromedp.Click(chromedp.CSS(`#publish`)))
	tb.WaitFor("the published status", `document.querySelector("#post-status") !== null && document.querySelector("#post-status").textContent.startsWith("published")`)
	tb.Screenshot("blog-03-published")

	guest := openChromeTab(t, tb.URL(""))
	guest.Do("open the public blog", chromedp.Navigate(guest.URL("/blog/")))
	guest.WaitFor("the post in the list", `[...document.querySelectorAll("article.post-summary h2 a")].some(a => a.textContent === "Hello from the browser")`)
	guest.Screenshot("blog-04-guest-home")
	guest.Do("open the post", chromedp.Click(chromedp.CSS(`article.post-summary h2 a[href="/blog/hello-from-the-browser"]`)))
	guest.WaitFor("the post", `location.pathname === "/blog/hello-from-the-browser" && document.querySelector("article.post .post-body strong") !== null`)
	if got := browsertest.Eval[string](guest, `document.querySelector("article.post .post-body").innerHTML`); got != preview {
		t.Errorf("the public page differs from the preview:\n%q\n%q", got, preview)
	}
	if got := browsertest.Eval[string](guest, `document.querySelector('meta[name=description]').content`); got != "Written and published in headless Chromium." {
		t.Errorf("meta description %q", got)
	}
	guest.Screenshot("blog-05-guest-post")
	if v := append(tb.TakeCSP(), guest.TakeCSP()...); len(v) > 0 {
		t.Errorf("the Content-Security-Policy refused: %s", strings.Join(v, "; "))
	}
}
