package settings_test

import (
	"fmt"

	"github.com/webos-go/webos/settings"
)

// BlogSettings are the settings of an example blog module.
type BlogSettings struct {
	Title    string `json:"title" validate:"required,max=80" desc:"Shown in the header"`
	PageSize int    `json:"page_size" validate:"min=1,max=100" desc:"Posts per page"`
	Uploads  string `json:"uploads" settings:"locked" desc:"Set by WEBOS_BLOG_UPLOADS"`
}

func ExampleDeclare() {
	s := settings.Declare(BlogSettings{Title: "Blog", PageSize: 20, Uploads: "fs://local/blog"}).Schema()
	for _, f := range s.Fields() {
		fmt.Printf("%s (%s) = %v locked=%v: %s\n", f.Key, f.Type, f.Default, f.Locked, f.Description)
	}
	fmt.Println(s.Check(map[string]any{"page_size": 500}))
	fmt.Println(s.Check(map[string]any{"title": 7, "uploads": "/tmp", "color": "red"}))
	fmt.Println(s.Check(map[string]any{"page_size": 50}))
	// Output:
	// title (string) = Blog locked=false: Shown in the header
	// page_size (integer) = 20 locked=false: Posts per page
	// uploads (string) = fs://local/blog locked=true: Set by WEBOS_BLOG_UPLOADS
	// validation failed: page_size: must be at most 100
	// validation failed: color: unknown setting; title: must be a string; uploads: is locked: its value comes from the environment or configuration
	// <nil>
}
