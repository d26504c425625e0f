package redisbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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

// Options configure a [Transport].
type Options struct {
	// Channel is the Redis channel shared by the instances of one
	// application; "" means [DefaultChannel]. Applications sharing a Redis
	// server must use different channels.
	Channel string
	// Logger receives connection problems and undecodable messages; nil
	// means slog.Default().
	Logger *slog.Logger
	// PingInterval is how long the subscription may stay silent before the
	// transport pings Redis; a connection that does not answer within
	// another interval is replaced. 0 means [DefaultPingInterval].
	PingInterval time.Duration
}

// Transport is a [bus.Transport] over one Redis pub/sub channel. Make it
// with [New].
type Transport struct {
	client   redis.UniversalClient
	channel  string
	origin   string
	log      *slog.Logger
	interval time.Duration

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
}

// New subscribes to the channel and returns the transport, for one bus;
// it fails when Redis cannot be reached within ctx. client stays the
// caller's: Close does not close it, and several transports may share it.
func New(ctx context.Context, client redis.UniversalClient, opts Options) (*Transport, error) {
	if client == nil {
		return nil, errors.New("redisbus: nil client")
	}
	t := &Transport{
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

// Publish sends e to the other instances, its payload JSON-encoded.
func (t *Transport) Publish(ctx context.Context, e bus.Envelope) error {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	payload, ok := e.Payload.(json.RawMessage)
	if !ok {
		var err error
		if payload, err = json.Marshal(e.Payload); err != nil {
			return fmt.Errorf("redisbus: encoding payload of %q: %w", e.Topic, err)
		}
	}
	data, err := json.Marshal(message{
		Origin: t.origin, ID: e.ID, Topic: e.Topic, Time: e.Time,
		TraceID: e.TraceID, UserID: e.UserID, Payload: payload,
	})
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
	if t.listening || t.closed {
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
			t.log.LogAttrs(t.ctx, slog.LevelWarn, "redisbus: ignoring undecodable message", slog.String("channel", t.channel), slog.Any("err", err))
			continue
		}
		if e != nil {
			deliver(*e)
		}
	}
}

// decode turns a wire message into an envelope, or nil for this instance's
// own messages.
func (t *Transport) decode(data string) (*bus.Envelope, error) {
	var m message
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return nil, err
	}
	if m.Topic == "" {
		return nil, errors.New("message without a topic")
	}
	if m.Origin == t.origin {
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
