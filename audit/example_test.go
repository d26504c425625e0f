package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/store"
)

// A module announces a change; the trail records it from the bus and
// verifies the chain.
func ExampleEmit() {
	dir, _ := os.MkdirTemp("", "audit")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, _ := store.OpenSQLite(filepath.Join(dir, "app.db"))
	defer db.Close(ctx)
	trail, _ := audit.NewTrail(ctx, db)

	b := bus.New(bus.Options{})
	recorded := make(chan error, 1)
	b.Subscribe(audit.Topic, func(ctx context.Context, e bus.Envelope) error {
		err := trail.Record(ctx, e)
		recorded <- err
		return err
	})

	_ = audit.Emit(audit.WithClient(ctx, "192.0.2.1"), b, audit.Change{
		Action: "settings.set", Target: "setting:notes.page_size", Before: 20, After: 50})
	select {
	case err := <-recorded:
		fmt.Println("recorded:", err == nil)
	case <-time.After(5 * time.Second):
		fmt.Println("not recorded")
	}
	es, _ := trail.Entries().Find(ctx, store.Query{Sort: []string{"seq"}})
	fmt.Println(es[0].Seq, es[0].Action, es[0].Target, es[0].Before, "→", es[0].After, es[0].Client)
	n, err := trail.Verify(ctx)
	fmt.Println(n, err)
	_ = b.Close(ctx)
	// Output:
	// recorded: true
	// 1 settings.set setting:notes.page_size 20 → 50 192.0.2.1
	// 1 <nil>
}
