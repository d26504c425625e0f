package media

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// BenchmarkGalleryPage reads the gallery's first page (60 tiles, newest
// first) on the embedded SQLite engine at 100 assets and at 10,000 of
// one user (with another user's 10,000 beside them): the ratio of the two
// is the cost of a large library. Run: go test -run '^$' -bench GalleryPage ./examples/media
func BenchmarkGalleryPage(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("assets=%d", n), func(b *testing.B) {
			db, err := store.OpenSQLite(filepath.Join(b.TempDir(), "media.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close(context.Background())
			m := &Module{prefix: "/media"}
			m.assets = store.NewOwned[Asset](db, "media_assets", assetIndexes...)
			ctx := context.Background()
			if err := m.assets.EnsureIndexes(ctx); err != nil {
				b.Fatal(err)
			}
			base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, owner := range []string{"u-1", "u-2"} {
				uctx := identity.With(ctx, identity.Subject(owner))
				for i := range n {
					a := Asset{Name: fmt.Sprintf("p%d.jpg", i), Type: "image/jpeg", Kind: KindImage, SHA256: fmt.Sprintf("%s-%064d", owner, i),
						Date: base.Add(time.Duration(i) * time.Hour), Thumbs: ThumbsReady, Tags: []string{"t"}, Albums: []string{},
						Derivatives: []Derivative{{Size: 256, URN: "fs://local/media/x.w256.jpg", Width: 256, Height: 192}}}
					if err := m.assets.Insert(uctx, &a); err != nil {
						b.Fatal(err)
					}
				}
			}
			uctx := identity.With(ctx, identity.Subject("u-1"))
			b.ResetTimer()
			for b.Loop() {
				pg, err := m.page(uctx, query{}, pageSize)
				if err != nil || len(pg.Items) != min(pageSize, n) {
					b.Fatal(err)
				}
				_ = m.tiles(pg.Items, "", query{}, pg.Next).Render(discard{})
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
