package bus

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"
)

// ErrPayloadType is returned by [PayloadAs] (and so by handlers made with
// [On] or [Typed]) when an event's payload is not of the wanted type.
var ErrPayloadType = errors.New("bus: unexpected payload type")

// Envelope is one event as handlers see it: the payload and where it came
// from.
type Envelope struct {
	// ID identifies the event uniquely: 32 hex digits, the first 12 of
	// which are the emit time in milliseconds, so IDs sort by time.
	ID string `json:"id"`
	// Topic names what happened, in dot-separated segments such as
	// "settings.changed".
	Topic string `json:"topic"`
	// Payload is the value given to Emit. Subscribers in the emitting
	// process get that very value and must treat it as read-only; events
	// from another instance carry a json.RawMessage. [PayloadAs] reads
	// both.
	Payload any `json:"payload"`
	// Time is when the event was emitted, in UTC.
	Time time.Time `json:"time"`
	// TraceID is the emitter's trace id, or a new one when the emitter had
	// none.
	TraceID string `json:"trace_id"`
	// UserID is the emitter's acting user, "" for none.
	UserID string `json:"user_id,omitempty"`
}

// newID returns a 16-byte identifier in hex: 48 bits of milliseconds since
// the Unix epoch, then 80 random bits. Event ids need to be unique, not
// secret, so they come from the runtime's fast, randomly seeded generator.
func newID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16|rand.Uint64()&0xffff) // #nosec G404 -- event ids must be unique, not secret (see above)
	binary.BigEndian.PutUint64(b[8:], rand.Uint64())                                  // #nosec G404 -- event ids must be unique, not secret (see above)
	return hex.EncodeToString(b[:])
}

// PayloadAs returns e's payload as a T. A payload emitted in this process
// is type-asserted; a payload that arrived from another instance as JSON
// (a json.RawMessage) is decoded into a T. A nil payload gives T's zero
// value. Any other mismatch is an error wrapping [ErrPayloadType].
func PayloadAs[T any](e Envelope) (T, error) {
	var zero T
	switch p := e.Payload.(type) {
	case T:
		return p, nil
	case nil:
		return zero, nil
	case json.RawMessage:
		var v T
		if err := json.Unmarshal(p, &v); err != nil {
			return zero, fmt.Errorf("%w: event %q: decoding %s: %w", ErrPayloadType, e.Topic, reflect.TypeFor[T](), err)
		}
		return v, nil
	}
	return zero, fmt.Errorf("%w: event %q carries %T, want %s", ErrPayloadType, e.Topic, e.Payload, reflect.TypeFor[T]())
}

// Typed adapts a handler that wants a payload of type T into a [Handler].
// The payload is read with [PayloadAs]; when it is not a T, fn is not
// called and the handler fails with an error wrapping [ErrPayloadType],
// which the bus logs. Use it to declare typed subscriptions:
//
//	bus.Subscription{Pattern: "settings.changed", Handler: bus.Typed(onChange)}
func Typed[T any](fn func(ctx context.Context, e Envelope, payload T) error) Handler {
	return func(ctx context.Context, e Envelope) error {
		v, err := PayloadAs[T](e)
		if err != nil {
			return err
		}
		return fn(ctx, e, v)
	}
}

// On subscribes fn to the events matching pattern, with each payload read
// as a T (see [Typed]). It panics when pattern is malformed, like
// [Bus.Subscribe]. Calling cancel ends the subscription.
func On[T any](b *Bus, pattern string, fn func(ctx context.Context, e Envelope, payload T) error) (cancel func()) {
	if fn == nil {
		panic("bus: On with a nil function")
	}
	return b.Subscribe(pattern, Typed(fn))
}
