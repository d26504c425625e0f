package markdown_test

import (
	"fmt"
	"strings"

	"github.com/webos-go/webos/ui/markdown"
)

// Markdown in, HTML that cannot run anything out; links written as afs
// URNs point at a media route.
func ExampleRender() {
	src := "Hello *world* <script>alert(1)</script> [x](javascript:alert(1))\n\n![cat](fs://local/cat.png)"
	fmt.Print(markdown.Render(src, markdown.Options{Link: func(dest string) string {
		if rest, ok := strings.CutPrefix(dest, "fs://"); ok {
			return "/media/" + rest
		}
		return dest
	}}))
	// Output:
	// <p>Hello <em>world</em>  x</p>
	// <p><img src="/media/local/cat.png" alt="cat"></p>
}
