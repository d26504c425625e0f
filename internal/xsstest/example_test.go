package xsstest_test

import (
	"fmt"

	"github.com/webos-go/webos/internal/xsstest"
)

// Unsafe names what in a fragment could run.
func ExampleUnsafe() {
	fmt.Println(xsstest.Unsafe(`<p>hi <img src=x onerror=alert(1)> <a href="javascript:go()">x</a></p>`))
	fmt.Println(xsstest.Unsafe(`<p>hi <a href="/page">x</a></p>`))
	// Output:
	// [handler onerror href=javascript:go()]
	// []
}
