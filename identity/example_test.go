package identity_test

import (
	"context"
	"fmt"

	"github.com/webos-go/webos/identity"
)

func ExampleWith() {
	ctx := identity.With(context.Background(), identity.Subject("u-42"))
	fmt.Println(identity.ID(ctx))

	_, ok := identity.From(context.Background())
	fmt.Println(ok)
	// Output:
	// u-42
	// false
}
