package media

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/store"
)

// PickerOptions configure an asset picker ([Module.Picker]).
type PickerOptions struct {
	// Name is the form field that carries the chosen assets' ids, one
	// value per asset (required).
	Name string
	// Label is the button's text (default "Choose from Media").
	Label string
	// Kinds limits what may be chosen (KindImage, …); empty allows all.
	Kinds []string
	// Multiple lets the user choose several assets.
	Multiple bool
	// InsertMarkdown, when set, is the CSS selector of a textarea into
	// which each chosen asset is also inserted as Markdown at the cursor:
	// an image of its largest size (its afs URN) for images, a link to
	// the original otherwise.
	InsertMarkdown string
}

// Picker returns a "Choose from Media" control for a form: a button that
// opens a dialog over the user's library — search, a type filter,
// infinite scroll, and an upload whose files can be picked as soon as
// they are in — and hidden inputs named opts.Name holding the chosen
// assets' ids. On confirming, the control fires a "media:pick" event
// (it bubbles) whose detail.assets lists each chosen asset as a [Ref]:
// its original and the URL and afs URN of every size of the [Ladder], to
// build a srcset from. On the server, [Module.Picked] reads the field.
//
// The page must be one of the shell's, which loads the library's script.
func (m *Module) Picker(opts PickerOptions) g.Node {
	label := opts.Label
	if label == "" {
		label = "Choose from Media"
	}
	ladder := make([]string, len(Ladder))
	for i, px := range Ladder {
		ladder[i] = strconv.Itoa(px)
	}
	return h.Div(h.Class("mp"), g.Attr("data-media-picker", ""), g.Attr("data-api", m.prefix+"/api"),
		g.Attr("data-name", opts.Name), g.Attr("data-kinds", strings.Join(opts.Kinds, ",")),
		g.Attr("data-ladder", strings.Join(ladder, ",")),
		g.If(opts.Multiple, g.Attr("data-multiple", "")),
		g.If(opts.InsertMarkdown != "", g.Attr("data-insert", opts.InsertMarkdown)),
		h.Button(h.Type("button"), h.Class("button mp-open"), g.Text(label)),
		h.Ul(h.Class("mp-chosen")),
	)
}

// Picked returns the assets a picker named name sent with the form of r:
// each an asset of the user, of one of kinds (empty allows all). A
// missing field is no asset and no error; an unknown id is a validation
// error naming the field.
func (m *Module) Picked(r *http.Request, name string, kinds []string) ([]Ref, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	ids := r.PostForm[name]
	if len(ids) > 100 {
		return nil, webos.Invalid(name, "at most 100 assets")
	}
	out := make([]Ref, 0, len(ids))
	for _, id := range ids {
		a, err := m.get(r.Context(), id)
		if errors.Is(err, webos.ErrNotFound) {
			return nil, webos.Invalid(name, "no such asset in your library")
		}
		if err != nil {
			return nil, err
		}
		if len(kinds) > 0 && kindIndexIn(kinds, a.Kind) < 0 {
			return nil, webos.Invalid(name, a.Label()+" is not of an accepted type")
		}
		out = append(out, m.ref(a))
	}
	return out, nil
}

func kindIndexIn(ks []string, k string) int {
	for i, x := range ks {
		if x == k {
			return i
		}
	}
	return -1
}

// Srcset returns the sizes of the asset whose derivative (or original) is
// the afs file u, smallest first, as the picker gives them; nil when u is
// no file of the library. Apps that serve library files themselves (the
// blog) build an <img srcset> from it. It reads the asset whoever owns
// it: the caller decides who may see the files.
func (m *Module) Srcset(ctx context.Context, u afs.URN) []SizeRef {
	if m.assets == nil || u.Source() != m.root.Source() || !strings.HasPrefix(u.Path(), m.root.Path()+"/") {
		return nil
	}
	rest := strings.TrimPrefix(u.Path(), m.root.Path()+"/")
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != "d" {
		return nil
	}
	id, _, ok := strings.Cut(parts[2], ".w")
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	a, err := m.assets.Unscoped().FindOne(ctx, store.And(store.Eq("_id", id), store.Eq("created_by", parts[0])))
	if err != nil {
		return nil
	}
	return m.ref(a).Sizes
}
