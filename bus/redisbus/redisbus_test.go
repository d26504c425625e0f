package redisbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/trace"
)

// testKeys sign the envelopes of the test instances.
var testKeys = [][]byte{[]byte("redisbus test key, 32 bytes long.")}

func client(t *testing.T) *redis.Client {
	t.Helper()
	return namedClient(t, "")
}

// namedClient returns a client whose connections carry name, so that a test
// can find them in CLIENT LIST.
func namedClient(t *testing.T, name string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.ClientName = name
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// instance is one application instance: a bus on its own Redis client.
func instance(t *testing.T, channel string) *bus.Bus {
	t.Helper()
	return namedInstance(t, channel, "")
}

func namedInstance(t *testing.T, channel, name string) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr, err := redisbus.New(ctx, namedClient(t, name), redisbus.Options{Keys: testKeys, Channel: channel, PingInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b := bus.New(bus.Options{Transport: tr})
	t.Cleanup(func() { closeBus(t, b) })
	return b
}

func closeBus(t *testing.T, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func channelName(t *testing.T) string {
	return "webos:test:" + t.Name() + ":" + trace.NewID()
}

type Note struct {
	Text string
	N    int
}

type delivery struct {
	sub     string
	id      string
	text    string
	user    string
	traceID string
	when    time.Time
	raw     bool
}

type deliveries struct {
	mu  sync.Mutex
	got []delivery
}

func (l *deliveries) add(d delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, d)
}

func (l *deliveries) snapshot() []delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]delivery(nil), l.got...)
}

func (l *deliveries) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(l.snapshot()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d deliveries, want %d", len(l.snapshot()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTwoInstancesEachSubscriberOnce(t *testing.T) {
	ch := channelName(t)
	a, b := instance(t, ch), instance(t, ch)
	other := instance(t, ch+":other") // another application on the same Redis

	var l deliveries
	subscribe := func(name string, inst *bus.Bus) {
		bus.On(inst, "chat.*", func(ctx context.Context, e bus.Envelope, n Note) error {
			_, raw := e.Payload.(json.RawMessage)
			l.add(delivery{name, e.ID, n.Text, identity.ID(ctx), trace.ID(ctx), e.Time, raw})
			return nil
		})
	}
	subscribe("a1", a)
	subscribe("a2", a)
	subscribe("b1", b)
	subscribe("other", other)

	const perInstance = 20
	traceA, traceB := trace.NewID(), trace.NewID()
	ctxA := identity.With(trace.WithID(context.Background(), traceA), identity.Subject("alice"))
	ctxB := identity.With(trace.WithID(context.Background(), traceB), identity.Subject("bob"))
	start := time.Now()
	for i := range perInstance {
		if err := a.Emit(ctxA, "chat.message", Note{Text: fmt.Sprint("a", i), N: i}); err != nil {
			t.Fatal(err)
		}
		if err := b.Emit(ctxB, "chat.message", Note{Text: fmt.Sprint("b", i), N: i}); err != nil {
			t.Fatal(err)
		}
	}
	l.waitFor(t, 3*2*perInstance)
	// A duplicate would come before a last event that each instance emits
	// now: Redis delivers a channel's messages in the order it received
	// them, and every Emit above has returned, so its publication too.
	// Once each subscriber heard both last events, closing the buses
	// drains whatever was queued before them.
	for _, inst := range []*bus.Bus{a, b} {
		if err := inst.Emit(ctxA, "chat.last", Note{Text: "last"}); err != nil {
			t.Fatal(err)
		}
	}
	l.waitFor(t, 3*2*perInstance+3*2)
	for _, inst := range []*bus.Bus{a, b, other} {
		closeBus(t, inst)
	}

	count := map[string]int{}
	ids := map[string]string{}
	for _, d := range l.snapshot() {
		count[d.sub+" "+d.text]++
		if d.text == "last" {
			continue
		}
		if prev, ok := ids[d.text]; ok && prev != d.id {
			t.Errorf("%s: event id %s, others saw %s", d.text, d.id, prev)
		}
		ids[d.text] = d.id
		fromA := strings.HasPrefix(d.text, "a")
		wantUser, wantTrace := "bob", traceB
		if fromA {
			wantUser, wantTrace = "alice", traceA
		}
		if d.user != wantUser || d.traceID != wantTrace {
			t.Errorf("%s on %s: user %q trace %q, want %q %q", d.text, d.sub, d.user, d.traceID, wantUser, wantTrace)
		}
		local := fromA == strings.HasPrefix(d.sub, "a")
		if d.raw == local {
			t.Errorf("%s on %s: payload raw JSON = %v", d.text, d.sub, d.raw)
		}
		if d.when.Location() != time.UTC || d.when.Before(start.Add(-time.Second)) || time.Since(d.when) > time.Minute {
			t.Errorf("%s on %s: time %v", d.text, d.sub, d.when)
		}
	}
	for _, sub := range []string{"a1", "a2", "b1"} {
		for _, from := range []string{"a", "b"} {
			for i := range perInstance {
				if n := count[fmt.Sprint(sub, " ", from, i)]; n != 1 {
					t.Errorf("%s got %s%d %d times, want once", sub, from, i, n)
				}
			}
		}
	}
	for _, sub := range []string{"a1", "a2", "b1"} {
		if n := count[sub+" last"]; n != 2 {
			t.Errorf("%s got %d last events, want 2", sub, n)
		}
	}
	for k, n := range count {
		if strings.HasPrefix(k, "other ") {
			t.Errorf("another application's bus got %s (%d times)", k, n)
		}
	}
}

func TestResubscribesAfterConnectionLoss(t *testing.T) {
	ch := channelName(t)
	name := "webos-test-" + trace.NewID()
	a, b := namedInstance(t, ch, name), namedInstance(t, ch, name)
	got := make(chan string, 100)
	bus.On(b, "ping", func(ctx context.Context, e bus.Envelope, n Note) error {
		got <- n.Text
		return nil
	})
	if err := a.Emit(context.Background(), "ping", Note{Text: "before"}); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "before" {
		t.Fatalf("got %q", s)
	}

	// Drop the subscriber connections of both instances, as a Redis
	// restart does, leaving other clients of the server alone.
	if n := killConnections(t, name, "P"); n < 2 {
		t.Fatalf("killed %d subscriber connections, want 2", n)
	}
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case s := <-got:
			if strings.HasPrefix(s, "after") {
				return
			}
		case <-tick.C:
			_ = a.Emit(context.Background(), "ping", Note{Text: fmt.Sprint("after ", i)})
		case <-deadline:
			t.Fatal("no event arrived after the subscription was dropped")
		}
	}
}

func TestNewFailsWithoutRedis(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := redisbus.New(ctx, c, redisbus.Options{Keys: testKeys}); err == nil {
		t.Fatal("New succeeded without a Redis server")
	}
}

func TestCloseStopsTransport(t *testing.T) {
	c := client(t)
	ctx := context.Background()
	tr, err := redisbus.New(ctx, c, redisbus.Options{Keys: testKeys, Channel: channelName(t)})
	if err != nil {
		t.Fatal(err)
	}
	tr.Listen(func(bus.Envelope) {})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := tr.Publish(ctx, bus.Envelope{Topic: "x"}); err != redisbus.ErrClosed {
		t.Fatalf("Publish after Close: %v", err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("client closed with the transport: %v", err)
	}
}

// killConnections closes the server side of the connections named name
// whose flags contain flag, and returns how many it closed.
func killConnections(t *testing.T, name, flag string) int {
	t.Helper()
	ctx := context.Background()
	c := client(t)
	list, err := c.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(list, "\n") {
		fields := map[string]string{}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		if fields["name"] != name || !strings.Contains(fields["flags"], flag) {
			continue
		}
		if err := c.ClientKillByFilter(ctx, "ID", fields["id"]).Err(); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestReplacesSilentConnection(t *testing.T) {
	ch := channelName(t)
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newBlackHoleProxy(t, opts.Addr)
	opts.Addr = p.addr()
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	tr, err := redisbus.New(context.Background(), c, redisbus.Options{Keys: testKeys, Channel: ch, PingInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b := bus.New(bus.Options{Transport: tr})
	t.Cleanup(func() { closeBus(t, b) })
	got := make(chan string, 100)
	bus.On(b, "ping", func(ctx context.Context, e bus.Envelope, n Note) error {
		got <- n.Text
		return nil
	})
	a := instance(t, ch)

	// The network swallows everything on the open connections, without
	// closing them: only the missing answer to a ping can tell.
	p.swallowOpenConnections()
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-got:
			return
		case <-tick.C:
			_ = a.Emit(context.Background(), "ping", Note{Text: fmt.Sprint(i)})
		case <-deadline:
			t.Fatal("no event arrived after the connection went silent")
		}
	}
}

// blackHoleProxy forwards TCP connections to a server until told to
// swallow the traffic of the connections open at that moment.
type blackHoleProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	pairs []*proxyPair
}

type proxyPair struct {
	client, server net.Conn
	swallow        atomic.Bool
}

func newBlackHoleProxy(t *testing.T, target string) *blackHoleProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackHoleProxy{ln: ln}
	go func() {
		for {
			cc, err := ln.Accept()
			if err != nil {
				return
			}
			sc, err := net.Dial("tcp", target)
			if err != nil {
				_ = cc.Close()
				continue
			}
			pair := &proxyPair{client: cc, server: sc}
			p.mu.Lock()
			p.pairs = append(p.pairs, pair)
			p.mu.Unlock()
			go pair.pipe(cc, sc)
			go pair.pipe(sc, cc)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, pair := range p.pairs {
			_ = pair.client.Close()
			_ = pair.server.Close()
		}
	})
	return p
}

func (p *blackHoleProxy) addr() string { return p.ln.Addr().String() }

func (p *blackHoleProxy) swallowOpenConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pair := range p.pairs {
		pair.swallow.Store(true)
	}
}

func (pair *proxyPair) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			_ = dst.Close()
			return
		}
		if pair.swallow.Load() {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			_ = src.Close()
			return
		}
	}
}
