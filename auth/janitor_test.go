package auth

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestJanitorRoundRecoversPanics: a panic in a janitor round is logged and
// does not escape (it would take the process down from its goroutine).
func TestJanitorRoundRecoversPanics(t *testing.T) {
	m := New(Config{})
	var logs bytes.Buffer
	m.log = slog.New(slog.NewTextHandler(&logs, nil))
	m.throttle = nil // sweeping a nil throttle panics
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("the panic escaped: %v", v)
			}
		}()
		m.janitorRound(context.Background())
	}()
	if !strings.Contains(logs.String(), "janitor panicked") {
		t.Fatalf("not logged: %s", logs.String())
	}
}
