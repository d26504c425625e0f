package bus_test

import (
	"context"
	"testing"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// BenchmarkEmitDeliver measures the time from emitting an event to its one
// subscriber having it, one event at a time, through the bus ("bus") and
// through the least a Go program can do: a buffered channel handed to a
// waiting goroutine ("chan"). The ratio of the two is the price of the
// bus's topic check and matching, envelope and handler context, and
// bounded pool. The emitter's context is a request's: it has a trace id
// and a user.
func BenchmarkEmitDeliver(b *testing.B) {
	b.Run("bus", func(b *testing.B) {
		bs := bus.New(bus.Options{})
		delivered := make(chan struct{})
		bs.Subscribe("bench.event", func(context.Context, bus.Envelope) error {
			delivered <- struct{}{}
			return nil
		})
		ctx := identity.With(trace.WithID(context.Background(), trace.NewID()), identity.Subject("u-1"))
		b.ReportAllocs()
		for b.Loop() {
			if err := bs.Emit(ctx, "bench.event", 1); err != nil {
				b.Fatal(err)
			}
			<-delivered
		}
		b.StopTimer()
		if err := bs.Close(ctx); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("chan", func(b *testing.B) {
		events := make(chan any, bus.DefaultQueueSize)
		delivered := make(chan struct{})
		go func() {
			for range events {
				delivered <- struct{}{}
			}
		}()
		b.ReportAllocs()
		for b.Loop() {
			events <- 1
			<-delivered
		}
		b.StopTimer()
		close(events)
	})
}
