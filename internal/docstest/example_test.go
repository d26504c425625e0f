package docstest_test

import (
	"fmt"

	"github.com/webos-go/webos/internal/docstest"
)

// Parse a guide: its code blocks with their markers, its headings with
// the anchors GitHub gives them, and its links.
func ExampleParse() {
	doc, err := docstest.Parse("# Getting started\n\n" +
		"See [the shell](shell.md#how-to-add-a-page).\n\n" +
		"<!-- fragment: var cfg webos.Config -->\n" +
		"```go fragment\napp := webos.New(cfg)\n_ = app\n```\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range doc.Headings {
		fmt.Printf("heading %q → #%s\n", h.Text, h.Anchor)
	}
	for _, l := range doc.Links {
		fmt.Println("link", l.Target)
	}
	for _, b := range doc.Blocks {
		fmt.Printf("block at line %d: %s fragment=%v context=%q\n", b.Line, b.Lang, b.Has("fragment"), b.Context)
	}
	// Output:
	// heading "Getting started" → #getting-started
	// link shell.md#how-to-add-a-page
	// block at line 7: go fragment=true context="var cfg webos.Config\n"
}

// Match compares a program's output with the output a tutorial claims.
func ExampleMatch() {
	claimed := "listening on http://…\n...\nready"
	fmt.Println(docstest.Match(claimed, "listening on http://127.0.0.1:8080\nmigrated 3 collections\nready\n"))
	fmt.Println(docstest.Match(claimed, "listening on http://127.0.0.1:8080\n"))
	// Output:
	// true
	// false
}
