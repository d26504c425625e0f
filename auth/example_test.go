package auth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/webos-go/webos/auth"
)

func ExampleMatch() {
	fmt.Println(auth.Match("blog.*", "blog.write"))
	fmt.Println(auth.Match("blog.*", "files.read"))
	fmt.Println(auth.Match("*", "files.read"))
	fmt.Println(auth.Allowed([]string{"blog.read", "files.*"}, "blog.read", "files.delete"))
	// Output:
	// true
	// false
	// true
	// true
}

func ExampleHashPassword() {
	h, err := auth.HashPassword("correct horse battery staple", auth.DefaultParams)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(strings.Split(h, "$")[:4], "$")) // the parameters travel with the hash
	ok, _ := auth.VerifyPassword("correct horse battery staple", h)
	fmt.Println(ok)
	ok, _ = auth.VerifyPassword("Tr0ub4dor&3", h)
	fmt.Println(ok)
	// Output:
	// $argon2id$v=19$m=19456,t=2,p=1
	// true
	// false
}

// Require answers 401 without a user, 403 without the permission.
func ExampleRequire() {
	post := auth.Require("blog.write")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := auth.UserFrom(r.Context())
		fmt.Fprintf(w, "posted by %s", u.Email)
	}))
	for _, u := range []*auth.User{
		nil,
		{Email: "reader@example.com", Permissions: []string{"blog.read"}},
		{Email: "editor@example.com", Permissions: []string{"blog.*"}},
	} {
		r := httptest.NewRequest("POST", "/blog/posts", nil)
		if u != nil {
			u.ID = "u-" + u.Email[:1]
			r = r.WithContext(auth.WithUser(r.Context(), u))
		}
		w := httptest.NewRecorder()
		post.ServeHTTP(w, r)
		if w.Code == http.StatusOK {
			fmt.Println(w.Code, w.Body.String())
		} else {
			fmt.Println(w.Code)
		}
	}
	// Output:
	// 401
	// 403
	// 200 posted by editor@example.com
}
