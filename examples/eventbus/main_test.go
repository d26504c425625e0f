package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestDemonstration runs the program and checks what it prints: the
// order reaches the receipts on its own instance (by a pattern) and the
// shipping on the other with the emitter's user and trace id, a failing
// handler hurts nobody, and shipping's answer comes back to orders.
func TestDemonstration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 3 { // the order of the output does not depend on the bus's workers
		var out bytes.Buffer
		if err := run(ctx, &out); err != nil {
			t.Fatal(err)
		}
		want := `A orders:   placing order 1001 for ada
A receipts: orders.placed for 1001: 2 × keyboard (user ada)
A receipts: the printer is out of paper (this handler fails; nobody else notices)
B shipping: 2 × keyboard to pack for ada, same trace: true
A orders:   order 1001 ships on Tuesday
`
		if out.String() != want {
			t.Fatalf("output:\n%s\nwant:\n%s", out.String(), want)
		}
	}
}
