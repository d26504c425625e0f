package store_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos/store"
)

// BenchmarkGet compares Collection.Get with the driver call it wraps, on the
// same document of the same server. The store sub-benchmark reports its
// speed relative to raw as "x-raw" (1.0 = as fast as the driver), against
// the fastest raw run so far, so -count N cannot flatter it.
func BenchmarkGet(b *testing.B) {
	db := newDB(b)
	notes := store.NewCollection[Note](db, "notes")
	ctx := context.Background()
	n := &Note{Title: "benchmark", Body: "a body of some length to decode", N: 42, Tags: []string{"a", "b", "c"}}
	if err := notes.Insert(ctx, n); err != nil {
		b.Fatal(err)
	}
	raw := notes.Raw()
	var rawNs float64
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			var v Note
			if err := raw.FindOne(ctx, bson.D{{Key: "_id", Value: n.ID}}).Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
		if ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N); rawNs == 0 || ns < rawNs {
			rawNs = ns
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := notes.Get(ctx, n.ID); err != nil {
				b.Fatal(err)
			}
		}
		if rawNs > 0 {
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(rawNs/ns, "x-raw")
		}
	})
}
