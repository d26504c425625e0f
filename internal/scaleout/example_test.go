package scaleout_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/webos-go/webos/internal/scaleout"
)

// ExampleProxy sends requests to two backends in turn.
func ExampleProxy() {
	backend := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, name)
		}))
	}
	a, b := backend("a"), backend("b")
	defer a.Close()
	defer b.Close()
	ua, _ := url.Parse(a.URL)
	ub, _ := url.Parse(b.URL)
	front := httptest.NewServer(scaleout.NewProxy(ua, ub))
	defer front.Close()
	for range 4 {
		resp, err := http.Get(front.URL)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(string(body), " ")
	}
	fmt.Println()
	// Output: b a b a
}
