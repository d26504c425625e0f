package trace_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/webos-go/webos/trace"
)

func ExampleFromRequest() {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	ctx := trace.WithID(context.Background(), trace.FromRequest(r))
	fmt.Println(trace.ID(ctx))
	// Output: 4bf92f3577b34da6a3ce929d0e0e4736
}
