package blog_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPublic measures the public routes in process, on the embedded
// store, against GET /health of the same server as the baseline.
func BenchmarkPublic(b *testing.B) {
	t := &testing.T{}
	e := sharedEnv(t)
	_, ada := e.user(t, "Bench", "writer")
	var slug string
	for i := range 200 {
		p := e.post(t, ada, map[string]any{"title": fmt.Sprintf("Bench %d %s", i, randHex()), "excerpt": "A summary.", "tags": []string{"bench"}, "body": "Some **bold** text."})
		e.act(t, ada, p.ID, "publish", "")
		slug = p.Slug
	}
	h := e.app.Handler()
	for _, c := range []struct{ name, path string }{
		{"health", "/health"},
		{"api_list", "/blog/api/posts"},
		{"home_html", "/blog/"},
		{"post_html", "/blog/" + slug},
		{"post_json", "/blog/api/posts/" + slug},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.path, w.Code)
				}
			}
		})
	}
}
