package redisbus_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/trace"
)

// listener is a module that hands every event it hears to a channel.
type listener struct{ got chan bus.Envelope }

func (l *listener) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "listener"} }
func (l *listener) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: "shared.*", Handler: func(_ context.Context, e bus.Envelope) error {
		l.got <- e
		return nil
	}}}
}

func startInstance(t *testing.T, url, channel string) (*webos.App, *listener) {
	t.Helper()
	cfg, err := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{got: make(chan bus.Envelope, 10)}
	app := webos.New(cfg, &redisbus.Module{URL: url, Options: redisbus.Options{Keys: testKeys, Channel: channel}}, l)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := app.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return app, l
}

func TestModuleSharesEventsBetweenApps(t *testing.T) {
	url := testenv.RedisURL(t)
	channel := testenv.DatabaseName("appbus")
	a, la := startInstance(t, url, channel)
	_, lb := startInstance(t, url, channel)

	if err := a.Bus().Emit(context.Background(), "shared.hello", map[string]string{"from": "a"}); err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*listener{"a": la, "b": lb} {
		select {
		case e := <-l.got:
			p, err := bus.PayloadAs[map[string]string](e)
			if err != nil || p["from"] != "a" {
				t.Fatalf("instance %s got %+v (%v)", name, e, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("instance %s never got the event", name)
		}
	}
	rep := a.Health(context.Background())
	if rep.Checks["bus"].Status != "up" {
		t.Fatalf("health: %+v", rep)
	}
}

// TestModuleWhereverListed: listed after a module that takes the bus in
// its Provision, the module still gives every module the shared bus.
func TestModuleWhereverListed(t *testing.T) {
	url := testenv.RedisURL(t)
	channel := testenv.DatabaseName("appbus")
	cfg, _ := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	early := &takesBus{}
	l := &listener{got: make(chan bus.Envelope, 10)}
	rb := &redisbus.Module{URL: url, Options: redisbus.Options{Keys: testKeys, Channel: channel}}
	app := webos.New(cfg, early, l, rb)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	if early.bus == nil || early.bus != rb.Bus() || app.Bus() != rb.Bus() {
		t.Fatal("a module listed first got another bus than the shared one")
	}
	other, _ := startInstance(t, url, channel)
	if err := other.Bus().Emit(context.Background(), "shared.hello", map[string]string{"from": "other"}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-l.got:
		if p, _ := bus.PayloadAs[map[string]string](e); p["from"] != "other" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the event of the other instance never arrived")
	}
}

func TestModuleRedisDown(t *testing.T) {
	testenv.Integration(t)
	cfg, _ := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	app := webos.New(cfg, &redisbus.Module{URL: "redis://127.0.0.1:1/0", Options: redisbus.Options{Keys: testKeys}})
	app.SetLogger(slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Start(ctx); err == nil || webos.StatusOf(err) != 503 {
		t.Fatalf("err = %v", err)
	}
}

type takesBus struct{ bus *bus.Bus }

func (*takesBus) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "early"} }
func (tb *takesBus) Provision(_ context.Context, app *webos.App) error {
	tb.bus = app.Bus()
	return nil
}

var errLater = errors.New("later module: cannot provision")

// failsLater is a module, registered after the bus module, whose Provision
// fails, after noting what the bus module holds at that point.
type failsLater struct {
	conns, goroutines int
	count             func() (conns, goroutines int)
}

func (*failsLater) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "later"} }
func (f *failsLater) Provision(context.Context, *webos.App) error {
	f.conns, f.goroutines = f.count()
	return errLater
}

// busGoroutines counts the goroutines of buses and their transports.
func busGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	s := string(buf)
	return strings.Count(s, "webos/bus/redisbus.(*Transport).receive(") + strings.Count(s, "webos/bus.(*Bus).worker(")
}

// namedConnections counts the connections of the clients named name.
func namedConnections(t *testing.T, name string) int {
	t.Helper()
	list, err := client(t).ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(list, " name="+name+" ")
}

// TestModuleCleansUpWhenALaterModuleFails: what Provision acquired — the
// Redis client's connections, the transport's and the bus's goroutines —
// is released although Start never ran.
func TestModuleCleansUpWhenALaterModuleFails(t *testing.T) {
	name := "webos-test-cleanup-" + trace.NewID()
	u, err := url.Parse(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("client_name", name)
	u.RawQuery = q.Encode()

	before := busGoroutines()
	later := &failsLater{count: func() (int, int) { return namedConnections(t, name), busGoroutines() }}
	cfg, _ := webos.LoadConfig(filepath.Join(t.TempDir(), "none.env"))
	app := webos.New(cfg, &redisbus.Module{URL: u.String(), Options: redisbus.Options{Keys: testKeys, Channel: channelName(t)}}, later)
	app.SetLogger(slog.New(slog.DiscardHandler))
	if err := app.Start(context.Background()); !errors.Is(err, errLater) {
		t.Fatalf("Start: %v", err)
	}
	if later.conns == 0 || later.goroutines <= before {
		t.Fatalf("while provisioned: %d connections, %d bus goroutines (%d before): the test sees nothing to release", later.conns, later.goroutines, before)
	}
	// Close returns once the goroutines have finished their work; Redis
	// drops a closed connection from its list a moment later.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conns, goroutines := namedConnections(t, name), busGoroutines()
		if conns == 0 && goroutines <= before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the failed start: %d connections and %d bus goroutines (%d before) left", conns, goroutines, before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := app.Stop(context.Background()); err != nil {
		t.Fatalf("Stop after the failed start: %v", err)
	}
}
