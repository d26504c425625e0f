package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// Order is the payload of "orders.placed".
type Order struct {
	ID   string `json:"id"`
	Item string `json:"item"`
	Qty  int    `json:"qty"`
}

// Scheduled is the payload of "shipping.scheduled".
type Scheduled struct {
	OrderID string `json:"order_id"`
	Day     string `json:"day"`
}

// journal collects what the services saw, so that the program prints it
// in a stable order however the bus's workers interleave.
type journal struct {
	mu    sync.Mutex
	lines []string
	want  int
	done  chan struct{}
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
	if len(j.lines) == j.want {
		close(j.done)
	}
}

// linked is the bus of one instance: its events reach the other instances
// on the same hub, as redisbus.Module does over Redis.
type linked struct {
	hub *bus.Hub
	b   *bus.Bus
}

func (l *linked) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "bus.hub", Name: "Linked bus"}
}
func (l *linked) Provision(ctx context.Context, app *webos.App) error {
	l.b = bus.New(bus.Options{Transport: l.hub.Transport(), Logger: app.Logger()})
	return nil
}
func (l *linked) Bus() *bus.Bus { return l.b }
func (l *linked) Cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.b.Close(ctx)
}

// orders emits "orders.placed" and hears "shipping.scheduled".
type orders struct {
	bus *bus.Bus
	j   *journal
}

func (o *orders) ModuleInfo() webos.ModuleInfo { return webos.ModuleInfo{ID: "orders", Name: "Orders"} }
func (o *orders) Provision(ctx context.Context, app *webos.App) error {
	o.bus = app.Bus()
	return nil
}
func (o *orders) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: "shipping.scheduled", Handler: bus.Typed(func(ctx context.Context, e bus.Envelope, s Scheduled) error {
		o.j.add("A orders:   order %s ships on %s", s.OrderID, s.Day)
		return nil
	})}}
}

// Place emits the order as the user in ctx.
func (o *orders) Place(ctx context.Context, ord Order) error {
	return o.bus.Emit(ctx, "orders.placed", ord)
}

// receipts reacts on the same instance, with a pattern.
type receipts struct{ j *journal }

func (r *receipts) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "receipts", Name: "Receipts"}
}
func (r *receipts) Subscriptions() []bus.Subscription {
	return []bus.Subscription{
		{Pattern: "orders.*", Handler: bus.Typed(func(ctx context.Context, e bus.Envelope, o Order) error {
			r.j.add("A receipts: %s for %s: %d × %s (user %s)", e.Topic, o.ID, o.Qty, o.Item, identity.ID(ctx))
			return nil
		})},
		// A failing handler is logged; the other handlers run all the same.
		{Pattern: "orders.placed", Handler: func(ctx context.Context, e bus.Envelope) error {
			r.j.add("A receipts: the printer is out of paper (this handler fails; nobody else notices)")
			return errors.New("printer: out of paper")
		}},
	}
}

// shipping reacts on the other instance and answers with its own event.
type shipping struct {
	bus     *bus.Bus
	j       *journal
	traceOf func(string) bool
}

func (s *shipping) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "shipping", Name: "Shipping"}
}
func (s *shipping) Provision(ctx context.Context, app *webos.App) error {
	s.bus = app.Bus()
	return nil
}
func (s *shipping) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: "orders.placed", Handler: bus.Typed(func(ctx context.Context, e bus.Envelope, o Order) error {
		s.j.add("B shipping: %d × %s to pack for %s, same trace: %v", o.Qty, o.Item, identity.ID(ctx), s.traceOf(trace.ID(ctx)))
		return s.bus.Emit(ctx, "shipping.scheduled", Scheduled{OrderID: o.ID, Day: "Tuesday"})
	})}}
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "eventbus:", err)
		os.Exit(1)
	}
}

// run starts the two instances, places one order and prints what the
// services saw.
func run(ctx context.Context, out io.Writer) error {
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		return err
	}
	hub := bus.NewHub()
	j := &journal{want: 4, done: make(chan struct{})}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	ord := &orders{j: j}
	a := webos.New(cfg, &linked{hub: hub}, ord, &receipts{j: j})
	b := webos.New(cfg, &linked{hub: hub}, &shipping{j: j, traceOf: func(id string) bool { return id == traceID }})
	quiet := slog.New(slog.DiscardHandler) // the failing handler's log line would interleave with the output
	for _, app := range []*webos.App{a, b} {
		app.SetLogger(quiet)
		if err := app.Start(ctx); err != nil {
			return err
		}
		defer app.Stop(context.WithoutCancel(ctx))
	}
	// What a request handler's context carries: the signed-in user and
	// the request's trace id.
	reqCtx := trace.WithID(identity.With(ctx, identity.Subject("ada")), traceID)
	fmt.Fprintln(out, "A orders:   placing order 1001 for ada")
	if err := ord.Place(reqCtx, Order{ID: "1001", Item: "keyboard", Qty: 2}); err != nil {
		return err
	}
	select {
	case <-j.done:
	case <-time.After(10 * time.Second):
		j.mu.Lock()
		defer j.mu.Unlock()
		return fmt.Errorf("the services did not all react within 10 s; they saw:\n%s", strings.Join(j.lines, "\n"))
	}
	j.mu.Lock()
	lines := append([]string(nil), j.lines...)
	j.mu.Unlock()
	// The handlers ran concurrently; print them in a stable order: each
	// instance's lines, the answer last.
	var first, last []string
	for _, l := range lines {
		if strings.Contains(l, "ships on") {
			last = append(last, l)
		} else {
			first = append(first, l)
		}
	}
	slices.Sort(first)
	for _, l := range append(first, last...) {
		fmt.Fprintln(out, l)
	}
	return nil
}
