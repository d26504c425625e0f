package blog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/examples/media"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// When the media library (package media) is composed, the editor offers
// its asset picker next to the image field: the chosen image goes into
// the body as Markdown with the afs URN of its largest size, and the
// renderer gives every image that shows a size of a library asset a
// srcset of all the sizes, each served by the blog's media route like any
// image of a post. The library asks the blog where its assets are used
// ([Module.AssetUses]) before it deletes one.

// srcCandidate is one size of an image for a srcset.
type srcCandidate struct {
	urn   afs.URN
	width int
}

// library returns the media library when it is composed and enabled.
func (m *Module) library() (*media.Module, bool) {
	if m.app == nil || !m.app.ModuleEnabled(media.ModuleID) {
		return nil, false
	}
	mm, err := registry.Get[*media.Module](m.app.Registry())
	return mm, err == nil
}

// assetPicker is the editor's "Choose from Media" control, or nothing
// without the library.
func (m *Module) assetPicker() g.Node {
	mm, ok := m.library()
	if !ok {
		return nil
	}
	return h.FieldSet(h.ID("asset-picker"), h.Class("image-picker"),
		h.Legend(g.Text("Media library")),
		mm.Picker(media.PickerOptions{Name: "asset", Label: "Insert from Media", Kinds: []string{media.KindImage}, InsertMarkdown: "#body"}))
}

// assetSrcset returns the sizes of the library image u, or nil.
func (m *Module) assetSrcset(u afs.URN) []srcCandidate {
	mm, ok := m.library()
	if !ok {
		return nil
	}
	var out []srcCandidate
	for _, s := range mm.Srcset(context.Background(), u) {
		if su, err := afs.Parse(s.URN); err == nil {
			out = append(out, srcCandidate{urn: su, width: s.Width})
		}
	}
	return out
}

// srcsetOf returns the srcset and sizes of the image dest when it shows a
// size of a library asset (for every other image, ""), and records each
// size with add as shown by the post, so that the media route serves it.
func (r *Renderer) srcsetOf(dest string, add func(string)) (string, string) {
	if r.srcset == nil || !strings.HasPrefix(dest, "fs://") {
		return "", ""
	}
	u, err := afs.Parse(dest)
	if err != nil {
		return "", ""
	}
	sizes := r.srcset(u)
	if len(sizes) < 2 {
		return "", ""
	}
	parts := make([]string, 0, len(sizes))
	for _, s := range sizes {
		parts = append(parts, r.MediaURL(s.urn.String())+" "+strconv.Itoa(s.width)+"w")
		add(s.urn.String())
	}
	widest := sizes[len(sizes)-1].width
	return strings.Join(parts, ", "), fmt.Sprintf("(max-width: %dpx) 100vw, %dpx", widest, widest)
}

// AssetUses names the posts that show any of the files urns, for the
// media library's warning before it deletes an asset.
func (m *Module) AssetUses(ctx context.Context, urns []string) ([]string, error) {
	ps, err := m.posts.Find(ctx, store.Query{Where: store.In("images", urns...), Limit: 20, Fields: []string{"title", "status"}})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, fmt.Sprintf("blog post “%s” (%s)", p.Title, p.Status))
	}
	return out, nil
}

var _ media.Referrer = (*Module)(nil)
