package blog_test

import (
	"fmt"

	"github.com/webos-go/webos/examples/blog"
)

// The pipeline of the preview and the public page: Markdown in, safe HTML
// out, afs URNs pointing at the blog's media route.
func ExampleRenderer() {
	r := blog.NewRenderer("/blog/media")
	out := r.Render("Hello *world* <script>alert(1)</script>\n\n![cat](fs://local/blog/cat.png)")
	fmt.Print(out.HTML)
	fmt.Println(out.Files)
	fmt.Println(blog.Slugify("Ünïcode & Go: a tour!"))
	// Output:
	// <p>Hello <em>world</em> </p>
	// <p><img src="/blog/media/local/blog/cat.png" alt="cat"></p>
	// [fs://local/blog/cat.png]
	// unicode-go-a-tour
}
