package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/webos-go/webos/bus"
)

// Topic is the bus topic of administrative changes; its payload is a
// [Change]. [Emit] is the one way to announce one.
const Topic = "audit.change"

// Change is one administrative change, as the module that made it
// announces it: a user created, a role edited, a setting changed, a
// module switched off, a task cancelled, an administrator signed in. Who
// made it, when and under which trace come from the bus envelope; the
// client's address from the context (see [WithClient]).
//
// Before and After are the target's state around the change, as JSON
// values. They must never hold a secret: write "set" for a new password,
// not the password or its hash.
type Change struct {
	// Action names what was done, module first: "auth.user.create",
	// "settings.set", "kernel.module.disable", "tasks.cancel".
	Action string `json:"action"`
	// Target names what it was done to: "user:<id>", "role:editor",
	// "setting:notes.page_size", "module:blog", "task:<id>".
	Target string `json:"target"`
	// Before is the target's state before the change (nil when created).
	Before any `json:"before,omitempty"`
	// After is its state after the change (nil when deleted).
	After any `json:"after,omitempty"`
	// Client is the address of the client whose request made the change;
	// [Emit] fills it in from the context when it is empty.
	Client string `json:"client,omitempty"`
}

// ErrInvalid is returned by [Emit] for a change without an action or target.
var ErrInvalid = errors.New("audit: a change needs an action and a target")

// maxName bounds the action and target names.
const maxName = 200

// Emit announces c on b, the application's bus, for the audit trail. The
// service layer of a module calls it after a change has been stored, so
// that every way to make the change (HTTP, command line, Go) is recorded
// the same way. With a nil bus it does nothing: an application without a
// trail records nothing.
func Emit(ctx context.Context, b *bus.Bus, c Change) error {
	if c.Action == "" || c.Target == "" || len(c.Action) > maxName || len(c.Target) > maxName ||
		strings.ContainsAny(c.Action, " \t\r\n") {
		return ErrInvalid
	}
	if b == nil {
		return nil
	}
	if c.Client == "" {
		c.Client = ClientFrom(ctx)
	}
	if err := b.Emit(ctx, Topic, c); err != nil {
		return fmt.Errorf("audit: %s on %s: %w", c.Action, c.Target, err)
	}
	return nil
}

type clientKey struct{}

// WithClient returns a copy of ctx that names the client's address, for
// the changes emitted while serving its request. The auth module sets it
// for every authenticated request, from the address it trusts.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// ClientFrom returns the client address that [WithClient] stored, or "".
func ClientFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// jsonText returns v as compact JSON text, "" for nil.
func jsonText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case json.RawMessage:
		if len(x) == 0 || string(x) == "null" {
			return "", nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return "", nil
	}
	return string(b), nil
}
