package auth_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/webos-go/webos"
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

// The module's authorizer answers every guard of the application: 401
// without a user, 403 without the permission.
func ExampleModule_Authorizer() {
	az := auth.New(auth.Config{}).Authorizer()
	for _, u := range []*auth.User{
		nil,
		{Email: "reader@example.com", Permissions: []string{"blog.read"}},
		{Email: "editor@example.com", Permissions: []string{"blog.*"}},
	} {
		ctx := context.Background()
		if u != nil {
			u.ID = "u-" + u.Email[:1]
			ctx = auth.WithUser(ctx, u)
		}
		err := az.Authorize(ctx, "blog.write")
		fmt.Println(webos.StatusOf(err), err)
	}
	// Output:
	// 401 auth: unauthorized: authentication required
	// 403 auth: forbidden: permission denied: needs "blog.write"
	// 200 <nil>
}
