package xsstest_test

import (
	"testing"

	"github.com/webos-go/webos/internal/xsstest"
)

// TestUnsafeFindsEachKind: the checker names every kind of problem, and
// passes plain HTML.
func TestUnsafeFindsEachKind(t *testing.T) {
	for _, raw := range []string{`<script>x</script>`, `<img onerror=x>`, `<a href="javascript:x">`, `<a href="&#106;avascript:x">`,
		`<p style="x">`, `<svg>`, `<input type=text>`, `<iframe srcdoc="x">`, `<table background="javascript:x">`} {
		if len(xsstest.Unsafe(raw)) == 0 {
			t.Errorf("the checker misses %s", raw)
		}
	}
	if bad := xsstest.Unsafe(`<p><a href="https://example.com/">x</a> <a href="/local">y</a> <input type="checkbox" checked disabled> <img src="/a.png" alt=""></p>`); bad != nil {
		t.Errorf("plain HTML: %v", bad)
	}
	if len(xsstest.Payloads) < 60 {
		t.Errorf("only %d payloads", len(xsstest.Payloads))
	}
}
