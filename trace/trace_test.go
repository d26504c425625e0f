package trace

import (
	"net/http/httptest"
	"testing"
)

func TestFromRequest(t *testing.T) {
	cases := []struct {
		name, tp, rid, want string
	}{
		{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"traceparent wins", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "abc", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"request id", "", "req-123", "req-123"},
		{"bad traceparent falls back", "00-zz-00-01", "req-9", "req-9"},
		{"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", ""},
		{"bad request id", "", "<script>", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if c.tp != "" {
				r.Header.Set(HeaderTraceparent, c.tp)
			}
			if c.rid != "" {
				r.Header.Set(HeaderRequestID, c.rid)
			}
			got := FromRequest(r)
			if c.want == "" {
				if len(got) != 32 || !isHex(got) {
					t.Fatalf("want a generated id, got %q", got)
				}
				return
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestNewIDUnique(t *testing.T) {
	if a, b := NewID(), NewID(); a == b {
		t.Fatal("two ids are equal")
	}
}
