package redisbus

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/bus"
)

// DefaultChannel is the Redis pub/sub channel used when Options leave it
// empty.
const DefaultChannel = "webos:bus"

// DefaultPingInterval is how long the subscription may stay silent before
// the transport checks the connection, when Options leave it zero.
const DefaultPingInterval = 15 * time.Second

// ErrClosed is returned by Publish after Close.
var ErrClosed = errors.New("redisbus: closed")

// ErrNoKey is returned by [New] when Options has no signing key, and by
// Publish of a Transport that New did not make: envelopes are never sent
// or accepted unsigned.
var ErrNoKey = errors.New("redisbus: no signing key (Options.Keys): give every instance on the channel the same secret, such as the application's WEBOS_SECRET_KEYS")

// MinKeyLen is the shortest signing key [New] accepts, in bytes.
const MinKeyLen = 32

// rejectLogInterval is how often, at most, the transport logs the messages
// it dropped; those dropped meanwhile are counted in the next record.
const rejectLogInterval = time.Minute

// Options configure a [Transport].
type Options struct {
	// Keys sign and verify the envelopes: required, each at least
	// [MinKeyLen] bytes, newest first, the same on every instance of the
	// channel. The first key signs what this instance publishes; a message
	// signed with any of them is accepted, and any other message — unsigned,
	// signed with another key, or altered on the way — is dropped, so that
	// nobody who can merely publish on the channel can emit events, let
	// alone in another user's name. The keys are not used as they are but
	// through HKDF-SHA256 with a label of their own, so the application's
	// cookie secrets (WEBOS_SECRET_KEYS) can serve here too.
	//
	// To rotate, give every instance the new key after the old one; once
	// all run with it, put it first; once all run so, drop the old one.
	Keys [][]byte
	// Channel is the Redis channel shared by the instances of one
	// application; "" means [DefaultChannel]. Applications sharing a Redis
	// server must use different channels.
	Channel string
	// Logger receives connection problems and dropped messages; nil
	// means slog.Default().
	Logger *slog.Logger
	// PingInterval is how long the subscription may stay silent before the
	// transport pings Redis; a connection that does not answer within
	// another interval is replaced. 0 means [DefaultPingInterval].
	PingInterval time.Duration
}

// Transport is a [bus.Transport] over one Redis pub/sub channel. Make it
// with [New]; the zero value publishes nothing and receives nothing.
type Transport struct {
	client   redis.UniversalClient
	channel  string
	origin   string
	log      *slog.Logger
	interval time.Duration
	macKeys  [][]byte // derived from Options.Keys, the signing one first

	rejected atomic.Uint64
	// Of the receiving goroutine: when it last logged a dropped message,
	// and how many it dropped since without logging.
	lastReject time.Time
	unlogged   uint64

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu        sync.Mutex
	pubsub    *redis.PubSub
	listening bool
	closed    bool
	done      chan struct{} // closed when the receiving goroutine returns
}

// message is an envelope on the wire.
type message struct {
	Origin  string          `json:"origin"`
	ID      string          `json:"id"`
	Topic   string          `json:"topic"`
	Time    time.Time       `json:"time"`
	TraceID string          `json:"trace_id,omitempty"`
	UserID  string          `json:"user_id,omitempty"`
	Payload json.RawMessage `json:"payload"`
	// Sig is the HMAC-SHA256 of the other fields (see [signedBytes]).
	Sig []byte `json:"sig,omitempty"`
}

// macLabel sets the keys of envelope signatures apart from other uses of
// the same secrets.
const macLabel = "webos redisbus envelope v1"

// deriveKeys checks the configured keys and derives the MAC keys from them.
func deriveKeys(keys [][]byte) ([][]byte, error) {
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("redisbus: signing key %d is %d bytes, want at least %d", i+1, len(k), MinKeyLen)
		}
		mk, err := hkdf.Key(sha256.New, k, nil, macLabel, sha256.Size)
		if err != nil {
			return nil, fmt.Errorf("redisbus: deriving signing key %d: %w", i+1, err)
		}
		out[i] = mk
	}
	return out, nil
}

// signedBytes is the canonical encoding of a message that its signature
// covers: the label, then the channel, origin, id, topic, time (RFC 3339
// with nanoseconds, UTC), trace id, user id and payload, each preceded by
// its length as a uvarint. Binding the channel keeps a message from being
// replayed into another application's channel that shares the keys.
func signedBytes(channel string, m *message) []byte {
	tm := m.Time.UTC().Format(time.RFC3339Nano)
	b := make([]byte, 0, len(macLabel)+len(channel)+len(m.Origin)+len(m.ID)+len(m.Topic)+len(tm)+len(m.TraceID)+len(m.UserID)+len(m.Payload)+9*binary.MaxVarintLen64)
	b = append(b, macLabel...)
	for _, f := range [...]string{channel, m.Origin, m.ID, m.Topic, tm, m.TraceID, m.UserID} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	b = binary.AppendUvarint(b, uint64(len(m.Payload)))
	return append(b, m.Payload...)
}

func mac(key, data []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return h.Sum(nil)
}

// verify reports whether m carries a signature made with one of the keys.
func (t *Transport) verify(m *message) bool {
	if len(m.Sig) != sha256.Size {
		return false
	}
	data := signedBytes(t.channel, m)
	for _, k := range t.macKeys {
		if hmac.Equal(m.Sig, mac(k, data)) {
			return true
		}
	}
	return false
}

// asDecoded returns s as encoding/json decodes it after encoding it: each
// byte of invalid UTF-8 replaced by U+FFFD. Signing the decoded form lets
// the receiver check the very values it will use.
func asDecoded(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// New subscribes to the channel and returns the transport, for one bus;
// it fails without a signing key (wrapping [ErrNoKey]) or with one shorter
// than [MinKeyLen], and when Redis cannot be reached within ctx. client
// stays the caller's: Close does not close it, and several transports may
// share it.
func New(ctx context.Context, client redis.UniversalClient, opts Options) (*Transport, error) {
	if client == nil {
		return nil, errors.New("redisbus: nil client")
	}
	macKeys, err := deriveKeys(opts.Keys)
	if err != nil {
		return nil, err
	}
	t := &Transport{
		macKeys:  macKeys,
		client:   client,
		channel:  opts.Channel,
		origin:   newOrigin(),
		log:      opts.Logger,
		interval: opts.PingInterval,
		done:     make(chan struct{}),
	}
	if t.channel == "" {
		t.channel = DefaultChannel
	}
	if t.log == nil {
		t.log = slog.Default()
	}
	if t.interval <= 0 {
		t.interval = DefaultPingInterval
	}
	ps, err := t.subscribe(ctx)
	if err != nil {
		return nil, err
	}
	t.pubsub = ps
	t.ctx, t.cancel = context.WithCancel(context.Background())
	return t, nil
}

// subscribe opens a subscription and waits for Redis to confirm it.
func (t *Transport) subscribe(ctx context.Context) (*redis.PubSub, error) {
	ps := t.client.Subscribe(ctx, t.channel)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redisbus: subscribing to %q: %w", t.channel, err)
	}
	return ps, nil
}

func newOrigin() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Publish sends e to the other instances, its payload JSON-encoded, signed
// with the first key.
func (t *Transport) Publish(ctx context.Context, e bus.Envelope) error {
	if len(t.macKeys) == 0 {
		return ErrNoKey
	}
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	// The payload as it will be on the wire (compact, HTML-escaped), so
	// that the receiver verifies the bytes it decodes.
	var payload []byte
	var err error
	if raw, ok := e.Payload.(json.RawMessage); ok {
		payload, err = json.Marshal(raw)
	} else {
		payload, err = json.Marshal(e.Payload)
	}
	if err != nil {
		return fmt.Errorf("redisbus: encoding payload of %q: %w", e.Topic, err)
	}
	m := message{
		Origin: t.origin, ID: asDecoded(e.ID), Topic: asDecoded(e.Topic), Time: e.Time,
		TraceID: asDecoded(e.TraceID), UserID: asDecoded(e.UserID), Payload: payload,
	}
	m.Sig = mac(t.macKeys[0], signedBytes(t.channel, &m))
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("redisbus: encoding %q: %w", e.Topic, err)
	}
	if err := t.client.Publish(ctx, t.channel, data).Err(); err != nil {
		return fmt.Errorf("redisbus: publishing %q: %w", e.Topic, err)
	}
	return nil
}

// Listen starts the goroutine that passes the other instances' events to
// deliver. The subscription made by New holds what arrives meanwhile.
func (t *Transport) Listen(deliver func(bus.Envelope)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.listening || t.closed || t.pubsub == nil {
		return
	}
	t.listening = true
	go t.receive(deliver)
}

// receive reads the subscription until Close. go-redis reconnects and
// resubscribes after a connection error; a connection that stops
// answering pings is replaced. Messages published while no connection is
// subscribed are lost: that is Redis pub/sub.
func (t *Transport) receive(deliver func(bus.Envelope)) {
	defer close(t.done)
	var (
		pinged   bool // a ping is unanswered
		failures int  // consecutive receive errors
	)
	for t.ctx.Err() == nil {
		ps := t.current()
		msg, err := ps.ReceiveTimeout(t.ctx, t.interval)
		if t.ctx.Err() != nil {
			return
		}
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				if pinged {
					t.log.LogAttrs(t.ctx, slog.LevelWarn, "redisbus: no answer from Redis, resubscribing", slog.String("channel", t.channel))
					t.replace(ps)
					pinged = false
					continue
				}
				_ = ps.Ping(t.ctx) // the answer arrives as a message; a write error reconnects
				pinged = true
				continue
			}
			if failures == 0 {
				t.log.LogAttrs(t.ctx, slog.LevelWarn, "redisbus: subscription lost, reconnecting", slog.String("channel", t.channel), slog.Any("err", err))
			}
			failures++
			t.sleep(min(time.Duration(failures)*100*time.Millisecond, 2*time.Second))
			continue
		}
		pinged = false
		if failures > 0 {
			t.log.LogAttrs(t.ctx, slog.LevelInfo, "redisbus: subscription restored", slog.String("channel", t.channel), slog.Int("attempts", failures))
			failures = 0
		}
		m, ok := msg.(*redis.Message)
		if !ok {
			continue // subscription confirmations and pongs
		}
		e, err := t.decode(m.Payload)
		if err != nil {
			t.reject(err)
			continue
		}
		if e != nil {
			deliver(*e)
		}
	}
}

// Rejected returns how many messages the transport has dropped because
// they were undecodable, unsigned or not signed with any of its keys. Each
// is also logged at WARN (without its payload), at most one record a
// minute, which counts the ones not logged.
func (t *Transport) Rejected() uint64 { return t.rejected.Load() }

// rejectedMessage is why a message was dropped.
type rejectedMessage struct {
	reason string
	topic  string // as the message claims it
}

func (r *rejectedMessage) Error() string { return r.reason }

// reject counts a dropped message and logs it at WARN — what was wrong and
// the claimed topic, never the payload — at most once a minute, so that a flood of forgeries cannot flood the log.
func (t *Transport) reject(err error) {
	total := t.rejected.Add(1)
	t.unlogged++
	now := time.Now()
	if !t.lastReject.IsZero() && now.Sub(t.lastReject) < rejectLogInterval {
		return
	}
	attrs := []slog.Attr{
		slog.String("channel", t.channel),
		slog.String("reason", err.Error()),
		slog.Uint64("dropped", t.unlogged),
		slog.Uint64("dropped_total", total),
	}
	var rm *rejectedMessage
	if errors.As(err, &rm) && rm.topic != "" {
		topic := rm.topic
		if len(topic) > 128 {
			topic = topic[:128] + "…"
		}
		attrs = append(attrs, slog.String("topic", topic))
	}
	t.log.LogAttrs(t.ctx, slog.LevelWarn, "redisbus: dropping messages that are not signed with our keys", attrs...)
	t.lastReject, t.unlogged = now, 0
}

// decode turns a wire message into an envelope, or nil for this instance's
// own messages. It fails for messages that are undecodable, unsigned or
// signed with none of the keys.
func (t *Transport) decode(data string) (*bus.Envelope, error) {
	var m message
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, &rejectedMessage{reason: "undecodable: " + err.Error()}
	}
	switch {
	case len(m.Sig) == 0:
		return nil, &rejectedMessage{reason: "unsigned", topic: m.Topic}
	case !t.verify(&m):
		return nil, &rejectedMessage{reason: "bad signature", topic: m.Topic}
	case m.Topic == "":
		return nil, &rejectedMessage{reason: "no topic"}
	case m.Origin == t.origin:
		return nil, nil
	}
	e := &bus.Envelope{ID: m.ID, Topic: m.Topic, Time: m.Time.UTC(), TraceID: m.TraceID, UserID: m.UserID}
	if len(m.Payload) > 0 {
		e.Payload = m.Payload
	}
	return e, nil
}

func (t *Transport) current() *redis.PubSub {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pubsub
}

// replace swaps a silent subscription for a fresh one.
func (t *Transport) replace(old *redis.PubSub) {
	ctx, cancel := context.WithTimeout(t.ctx, t.interval)
	defer cancel()
	ps, err := t.subscribe(ctx)
	if err != nil {
		t.log.LogAttrs(t.ctx, slog.LevelWarn, "redisbus: resubscribing", slog.Any("err", err))
		return // keep the old one: go-redis reconnects it once Redis answers
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		_ = ps.Close()
		return
	}
	t.pubsub = ps
	t.mu.Unlock()
	_ = old.Close()
}

func (t *Transport) sleep(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.ctx.Done():
	}
}

// Close unsubscribes and stops the receiving goroutine, waiting for it to
// return. It does not close the Redis client.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	listening := t.listening
	ps := t.pubsub
	t.mu.Unlock()
	if ps == nil { // not made by New
		return nil
	}
	t.cancel()
	err := ps.Close()
	if listening {
		<-t.done
	}
	if err != nil {
		return fmt.Errorf("redisbus: closing subscription: %w", err)
	}
	return nil
}
