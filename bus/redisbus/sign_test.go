package redisbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
)

// signedInstance is one instance with its own keys and transport.
type signedInstance struct {
	bus  *bus.Bus
	tr   *redisbus.Transport
	logs *testenv.Buffer
	got  chan heard
}

// heard is an event as a subscriber of "chat.*" saw it.
type heard struct {
	topic, text, user string
}

func newSignedInstance(t *testing.T, channel string, keys ...[]byte) *signedInstance {
	t.Helper()
	logs := new(testenv.Buffer)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr, err := redisbus.New(ctx, client(t), redisbus.Options{
		Keys: keys, Channel: channel,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := &signedInstance{bus: bus.New(bus.Options{Transport: tr}), tr: tr, logs: logs, got: make(chan heard, 100)}
	t.Cleanup(func() { closeBus(t, in.bus) })
	bus.On(in.bus, "chat.*", func(ctx context.Context, e bus.Envelope, n Note) error {
		in.got <- heard{e.Topic, n.Text, identity.ID(ctx)}
		return nil
	})
	return in
}

// next returns the next event the instance heard.
func (in *signedInstance) next(t *testing.T) heard {
	t.Helper()
	select {
	case h := <-in.got:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("no event arrived")
		return heard{}
	}
}

func as(user string) context.Context {
	return identity.With(context.Background(), identity.Subject(user))
}

func TestNewRefusesWithoutKey(t *testing.T) {
	// No server is needed: the keys are checked before connecting.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer c.Close()
	for name, keys := range map[string][][]byte{
		"none":  nil,
		"empty": {},
	} {
		if _, err := redisbus.New(context.Background(), c, redisbus.Options{Keys: keys}); !errors.Is(err, redisbus.ErrNoKey) {
			t.Errorf("%s: New: %v, want ErrNoKey", name, err)
		}
	}
	_, err := redisbus.New(context.Background(), c, redisbus.Options{Keys: [][]byte{testKeys[0], []byte("short")}})
	if err == nil || !strings.Contains(err.Error(), "key 2 is 5 bytes") {
		t.Errorf("short key: %v", err)
	}

	// A Transport that New did not make sends and receives nothing.
	var zero redisbus.Transport
	if err := zero.Publish(context.Background(), bus.Envelope{Topic: "a"}); !errors.Is(err, redisbus.ErrNoKey) {
		t.Errorf("zero Transport Publish: %v", err)
	}
	zero.Listen(func(bus.Envelope) { t.Error("zero Transport delivered") })
	if err := zero.Close(); err != nil {
		t.Errorf("zero Transport Close: %v", err)
	}
}

func TestModuleRefusesWithoutKey(t *testing.T) {
	cfg, err := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.SecretKeys = nil
	app := webos.New(cfg, &redisbus.Module{URL: "redis://127.0.0.1:1/0", Options: redisbus.Options{Keys: redisbus.KeysFrom(cfg.SecretKeys)}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	err = app.Start(context.Background())
	if !errors.Is(err, redisbus.ErrNoKey) || !strings.Contains(err.Error(), "WEBOS_SECRET_KEYS") {
		t.Fatalf("Start without a key: %v, want ErrNoKey", err)
	}
	if got := redisbus.KeysFrom([]webos.Secret{"new", "", "old"}); len(got) != 2 || string(got[0]) != "new" || string(got[1]) != "old" {
		t.Fatalf("KeysFrom: %q", got)
	}
}

// TestForgedEnvelopesDropped: whoever can publish on the channel but has
// not the key cannot emit events — unsigned, signed with another key, or
// a genuine message altered to act as another user — while the signed
// events of another instance arrive.
func TestForgedEnvelopesDropped(t *testing.T) {
	ch := channelName(t)
	a := newSignedInstance(t, ch, testKeys...)
	b := newSignedInstance(t, ch, testKeys...)
	intruder := newSignedInstance(t, ch, []byte("another key, of another party ..."))
	rc := client(t)
	ctx := context.Background()
	spy := rc.Subscribe(ctx, ch)
	defer spy.Close()
	if _, err := spy.Receive(ctx); err != nil {
		t.Fatal(err)
	}

	if err := a.bus.Emit(as("alice"), "chat.message", Note{Text: "genuine"}); err != nil {
		t.Fatal(err)
	}
	if h := b.next(t); h != (heard{"chat.message", "genuine", "alice"}) {
		t.Fatalf("b heard %+v", h)
	}
	msg, err := spy.ReceiveMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var genuine map[string]json.RawMessage
	if err := json.Unmarshal([]byte(msg.Payload), &genuine); err != nil {
		t.Fatal(err)
	}
	if len(genuine["sig"]) == 0 {
		t.Fatalf("message on the wire carries no signature: %s", msg.Payload)
	}
	altered := func(field, value string) string {
		m := map[string]json.RawMessage{}
		for k, v := range genuine {
			m[k] = v
		}
		m[field] = json.RawMessage(value)
		data, _ := json.Marshal(m)
		return string(data)
	}
	unsigned := altered("user_id", `"admin"`)
	var asMap map[string]json.RawMessage
	_ = json.Unmarshal([]byte(unsigned), &asMap)
	delete(asMap, "sig")
	unsignedData, _ := json.Marshal(asMap)

	forgeries := []string{
		string(unsignedData),                                             // no signature at all
		altered("user_id", `"admin"`),                                    // a genuine message made another user's
		altered("payload", `{"Text":"forged-payload"}`),                  // a genuine message with another payload
		altered("sig", `"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="`), // a made-up signature
		`{"topic":"chat.message","user_id":"admin","payload":{"Text":"forged-secret"}}`,
		"not JSON",
	}
	for _, f := range forgeries {
		if err := rc.Publish(ctx, ch, f).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Signed, but with a key that is not ours.
	if err := intruder.bus.Emit(as("admin"), "chat.message", Note{Text: "wrong key"}); err != nil {
		t.Fatal(err)
	}
	// Redis delivers a channel's messages in order: once b hears this, it
	// has been through every forgery.
	if err := a.bus.Emit(as("alice"), "chat.message", Note{Text: "after"}); err != nil {
		t.Fatal(err)
	}
	if h := b.next(t); h != (heard{"chat.message", "after", "alice"}) {
		t.Fatalf("b heard %+v, want alice's second event", h)
	}
	closeBus(t, b.bus) // every event b queued has been handled
	close(b.got)
	for h := range b.got {
		t.Errorf("b handled a forged event: %+v", h)
	}
	if n, want := b.tr.Rejected(), uint64(len(forgeries)+1); n != want {
		t.Errorf("b rejected %d messages, want %d", n, want)
	}
	logs := b.logs.String()
	if !strings.Contains(logs, `"level":"WARN"`) || !strings.Contains(logs, `"reason":"unsigned"`) || !strings.Contains(logs, `"topic":"chat.message"`) {
		t.Errorf("dropped message not logged at WARN with its reason:\n%s", logs)
	}
	if strings.Contains(logs, "forged") || strings.Contains(logs, "admin") {
		t.Errorf("log shows the forged payload or claimed user:\n%s", logs)
	}
	if strings.Count(logs, "\n") != 1 {
		t.Errorf("want one log record for a burst of dropped messages:\n%s", logs)
	}
	if h := intruder.next(t); h.text != "wrong key" {
		t.Errorf("the intruder heard %+v", h) // only its own event, delivered locally
	}
}

// TestSignedEnvelopesSurviveJSON: what the wire encoding changes — raw
// payloads with spacing and HTML characters, invalid UTF-8 — still
// verifies on the other side.
func TestSignedEnvelopesSurviveJSON(t *testing.T) {
	ch := channelName(t)
	a := newSignedInstance(t, ch, testKeys...)
	b := newSignedInstance(t, ch, testKeys...)
	raw := json.RawMessage("{ \"Text\" :\n \"<b>&amp;</b> \\u00e9\" }")
	if err := a.bus.Emit(as("bad\xffuser"), "chat.raw", raw); err != nil {
		t.Fatal(err)
	}
	if h := b.next(t); h != (heard{"chat.raw", "<b>&amp;</b> é", "bad\uFFFDuser"}) {
		t.Fatalf("b heard %+v", h)
	}
	if n := b.tr.Rejected(); n != 0 {
		t.Fatalf("b rejected %d messages:\n%s", n, b.logs)
	}
}

// TestKeyRotation: the first key signs, every key verifies, so a new key
// can be rolled out without losing events.
func TestKeyRotation(t *testing.T) {
	ch := channelName(t)
	oldKey, newKey := testKeys[0], []byte("the new key, also 32 bytes long..")
	before := newSignedInstance(t, ch, oldKey)           // not yet updated
	learning := newSignedInstance(t, ch, oldKey, newKey) // step 1: accepts the new key
	rotated := newSignedInstance(t, ch, newKey, oldKey)  // step 2: signs with it

	if err := before.bus.Emit(as("u1"), "chat.old", Note{Text: "old"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*signedInstance{before, learning, rotated} {
		if h := in.next(t); h.text != "old" {
			t.Fatalf("heard %+v", h)
		}
	}
	if err := rotated.bus.Emit(as("u2"), "chat.new", Note{Text: "new"}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []*signedInstance{learning, rotated} {
		if h := in.next(t); h.text != "new" {
			t.Fatalf("heard %+v", h)
		}
	}
	// The instance without the new key drops what it signs; the next event
	// of an old-key instance shows it has been through it.
	if err := learning.bus.Emit(as("u3"), "chat.old", Note{Text: "old again"}); err != nil {
		t.Fatal(err)
	}
	if h := before.next(t); h.text != "old again" {
		t.Fatalf("the old-key instance heard %+v", h)
	}
	if n := before.tr.Rejected(); n != 1 {
		t.Fatalf("the old-key instance rejected %d messages, want 1", n)
	}
}
