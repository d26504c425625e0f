package registry_test

import (
	"fmt"

	"github.com/webos-go/webos/registry"
)

// Clock is a service interface a module depends on.
type Clock interface{ Now() string }

type fixedClock struct{}

func (fixedClock) Now() string { return "12:00" }

func Example() {
	reg := registry.New()
	registry.Register[Clock](reg, fixedClock{})

	clock, err := registry.Get[Clock](reg)
	fmt.Println(clock.Now(), err)

	_, err = registry.Get[fmt.Stringer](reg)
	fmt.Println(err)
	// Output:
	// 12:00 <nil>
	// registry: service not registered: fmt.Stringer
}
