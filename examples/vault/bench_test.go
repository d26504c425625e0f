package vault_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/store"
)

// plainEntry is the baseline: the same entry with its secrets in the
// clear, in a plain collection of the same database.
type plainEntry struct {
	store.Doc `bson:",inline"`
	Title     string   `bson:"title"`
	Username  string   `bson:"username"`
	URLs      []string `bson:"urls"`
	Folder    string   `bson:"folder"`
	Tags      []string `bson:"tags"`
	Password  string   `bson:"password"`
	Notes     string   `bson:"notes"`
	TOTP      string   `bson:"totp"`
	Search    string   `bson:"search"`
	// The fields a vault entry has besides its secrets.
	Fields            []vault.Field `bson:"fields"`
	PasswordChangedAt time.Time     `bson:"password_changed_at"`
}

type benchEnv struct {
	v      *vault.Module
	plain  *store.Collection[plainEntry]
	owned  *store.Owned[plainEntry]
	ctx    context.Context
	first  string // an entry id
	plain1 string
	owned1 string
}

// benchVault fills a vault and the baseline collection with n entries on
// the embedded SQLite store (FerretDB sorts in memory, so speed is
// measured on SQLite; see DESIGN.md).
func benchVault(b *testing.B, n int) *benchEnv {
	e := start(b, sqliteBackend(b))
	ctx, _ := e.user("bench@example.com")
	plain := store.NewCollection[plainEntry](e.db, "plain_entries", store.Index{Keys: []string{"title"}})
	if err := plain.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	owned := store.NewOwned[plainEntry](e.db, "plain_owned_entries", store.Index{Keys: []string{"created_by", "title"}})
	if err := owned.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	be := &benchEnv{v: e.vault, plain: plain, owned: owned, ctx: ctx}
	for i := range n {
		in := knownInput(fmt.Sprintf("Entry %04d", i))
		en, err := e.vault.Create(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		p := &plainEntry{Title: in.Title, Username: in.Username, URLs: in.URLs, Folder: in.Folder, Tags: in.Tags,
			Password: *in.Password, Notes: *in.Notes, TOTP: *in.TOTP, Search: en.Search,
			Fields: []vault.Field{{Name: "question", Value: knownField, Secret: true}, {Name: "plan", Value: "gold"}}, PasswordChangedAt: en.PasswordChangedAt}
		if err := plain.Insert(ctx, p); err != nil {
			b.Fatal(err)
		}
		o := *p
		o.Doc = store.Doc{}
		if err := owned.Insert(ctx, &o); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			be.first, be.plain1, be.owned1 = en.ID, p.ID, o.ID
		}
	}
	return be
}

// BenchmarkOpenEntry reads one entry and opens its password (the data
// key cached, as it is between a user's requests).
func BenchmarkOpenEntry(b *testing.B) {
	be := benchVault(b, 100)
	b.Run("vault", func(b *testing.B) {
		for b.Loop() {
			if _, err := be.v.Reveal(be.ctx, be.first, vault.FieldPassword); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-owned", func(b *testing.B) {
		for b.Loop() {
			if _, err := be.owned.Get(be.ctx, be.owned1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if _, err := be.plain.Get(be.ctx, be.plain1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkList1000 lists 1,000 entries by title: the vault's list (the
// secrets stay sealed), the export (the same list with all four secrets
// of every entry opened, written as CSV), and the baseline collection.
func BenchmarkList1000(b *testing.B) {
	be := benchVault(b, 1000)
	b.Run("vault", func(b *testing.B) {
		for b.Loop() {
			p, err := be.v.List(be.ctx, vault.ListOptions{Limit: 1000})
			if err != nil || len(p.Items) != 1000 {
				b.Fatal(len(p.Items), err)
			}
		}
	})
	b.Run("vault-open-all", func(b *testing.B) {
		for b.Loop() {
			if n, err := be.v.Export(be.ctx, io.Discard, nil); err != nil || n != 1000 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("plain-owned", func(b *testing.B) {
		for b.Loop() {
			p, err := be.owned.Page(be.ctx, store.Query{Sort: []string{"title"}, Limit: 1000})
			if err != nil || len(p.Items) != 1000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			p, err := be.plain.Page(be.ctx, store.Query{Sort: []string{"title"}, Limit: 1000})
			if err != nil || len(p.Items) != 1000 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInterleaved runs the vault's operation and its baselines one
// after the other in every iteration and reports each one's mean time and
// the ratios, so that a machine whose load changes during the run (these
// share two cores) slows all of them alike.
func BenchmarkInterleaved(b *testing.B) {
	be := benchVault(b, 1000)
	type op struct {
		name string
		fn   func() error
		d    time.Duration
	}
	run := func(b *testing.B, ops []*op) {
		for b.Loop() {
			for _, o := range ops {
				t0 := time.Now()
				if err := o.fn(); err != nil {
					b.Fatal(err)
				}
				o.d += time.Since(t0)
			}
		}
		for _, o := range ops {
			b.ReportMetric(float64(o.d.Microseconds())/float64(b.N), o.name+"-µs/op")
		}
		for _, o := range ops[1:] {
			b.ReportMetric(float64(ops[0].d)/float64(o.d), "x-"+o.name)
		}
		b.ReportMetric(0, "ns/op")
	}
	b.Run("open", func(b *testing.B) {
		run(b, []*op{
			{name: "vault", fn: func() error { _, err := be.v.Reveal(be.ctx, be.first, vault.FieldPassword); return err }},
			{name: "plain-owned", fn: func() error { _, err := be.owned.Get(be.ctx, be.owned1); return err }},
			{name: "plain", fn: func() error { _, err := be.plain.Get(be.ctx, be.plain1); return err }},
		})
	})
	b.Run("list1000", func(b *testing.B) {
		run(b, []*op{
			{name: "vault", fn: func() error { _, err := be.v.List(be.ctx, vault.ListOptions{Limit: 1000}); return err }},
			{name: "plain-owned", fn: func() error {
				_, err := be.owned.Page(be.ctx, store.Query{Sort: []string{"title"}, Limit: 1000})
				return err
			}},
			{name: "plain", fn: func() error {
				_, err := be.plain.Page(be.ctx, store.Query{Sort: []string{"title"}, Limit: 1000})
				return err
			}},
		})
	})
}
