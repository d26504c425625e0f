package testenv_test

import (
	"fmt"
	"strings"

	"github.com/webos-go/webos/internal/testenv"
)

// ExampleDatabaseName gives every test its own database on the shared
// server.
func ExampleDatabaseName() {
	a, b := testenv.DatabaseName("orders"), testenv.DatabaseName("orders")
	fmt.Println(strings.HasPrefix(a, "orders_"), a != b)
	// Output: true true
}
