package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// RecentItem is something a user opened from the palette: a command or a
// content result. The palette lists a user's recent items first and ranks
// them higher, the more often and the more lately they were used.
type RecentItem struct {
	// ID is the option's key: "cmd:<path>" for a command, the [Hit]'s ID
	// for a result.
	ID    string `bson:"id" json:"id"`
	Title string `bson:"title" json:"title"`
	Hint  string `bson:"hint" json:"hint"`
	Icon  string `bson:"icon" json:"icon"`
	// Href is the page it opened.
	Href string `bson:"href" json:"href"`
	// Count is how often it was opened; Used when last.
	Count int       `bson:"count" json:"count"`
	Used  time.Time `bson:"used" json:"used"`
}

// Limits of the recent items.
const (
	// MaxRecentItems is how many recent items a user's preferences keep.
	MaxRecentItems = 30
	// recentShown is how many the palette lists while its query is empty.
	recentShown = 5
	// recentHalfLife is how fast an item's use counts less.
	recentHalfLife = 7 * 24 * time.Hour
)

// frecency weighs an item's uses by how long ago it was last used.
func (it RecentItem) frecency(now time.Time) float64 {
	age := max(now.Sub(it.Used), 0)
	return float64(max(it.Count, 1)) * math.Exp2(-float64(age)/float64(recentHalfLife))
}

// recents returns the user's recent items, most frecent first.
func (p *preferences) recents(ctx context.Context, userID string) ([]RecentItem, error) {
	doc, err := p.coll.Get(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	items := doc.Recent
	slices.SortStableFunc(items, func(a, b RecentItem) int { return cmp.Compare(b.frecency(now), a.frecency(now)) })
	return items, nil
}

// use records that the user opened it. Two tabs recording at once both
// count: the list is written only while it is as it was read (its
// RecentVersion), and read again when another write came first.
func (p *preferences) use(ctx context.Context, userID string, it RecentItem) error {
	if _, ok := identity.From(ctx); !ok {
		ctx = identity.With(ctx, identity.Subject(userID))
	}
	it.Used = time.Now().UTC()
	for attempt := range recentWriteAttempts {
		if attempt > 0 {
			// Another write came first: let the racing ones spread out.
			wait := time.NewTimer(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond)))) // #nosec G404 -- jitter, not a secret
			select {
			case <-ctx.Done():
				wait.Stop()
				return ctx.Err()
			case <-wait.C:
			}
		}
		doc, err := p.coll.Get(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			doc := &Preference{Recent: withUse(nil, it)}
			doc.ID = userID
			if err = p.coll.Insert(ctx, doc); errors.Is(err, store.ErrConflict) {
				continue // another tab made the user's preferences first
			}
			return err
		}
		if err != nil {
			return err
		}
		seen := store.Eq("recent_version", doc.RecentVersion)
		if doc.RecentVersion == 0 {
			seen = store.Or(seen, store.Not(store.Exists("recent_version"))) // written before the field was
		}
		_, err = p.coll.UpdateIf(ctx, userID, seen, store.Set("recent", withUse(doc.Recent, it)), store.Inc("recent_version", 1))
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// Changed (or deleted) since it was read: read it again.
	}
	return fmt.Errorf("%w: the recent items changed too often to record this one; try again", webos.ErrConflict)
}

// recentWriteAttempts is how often use reads and writes the recent items
// before it gives up on a list that others keep changing.
const recentWriteAttempts = 20

// withUse returns items with it used once more (it.Count is ignored):
// first in the list, its count one more than before, the least frecent
// dropped beyond [MaxRecentItems].
func withUse(items []RecentItem, it RecentItem) []RecentItem {
	it.Count = 1
	items = slices.Clone(items)
	if i := slices.IndexFunc(items, func(o RecentItem) bool { return o.ID == it.ID }); i >= 0 {
		it.Count = items[i].Count + 1
		items = slices.Delete(items, i, i+1)
	}
	items = append([]RecentItem{it}, items...)
	if len(items) > MaxRecentItems {
		// The least frecent go; the one just used stays first.
		rest := items[1:]
		slices.SortStableFunc(rest, func(a, b RecentItem) int { return cmp.Compare(b.frecency(it.Used), a.frecency(it.Used)) })
		items = items[:MaxRecentItems]
	}
	return items
}

// recentFor returns the recent items of the user in ctx that lead to
// pages the user may still open.
func (m *Module) recentFor(ctx context.Context) []RecentItem {
	u, ok := auth.UserFrom(ctx)
	if !ok || m.prefs == nil {
		return nil
	}
	items, err := m.prefs.recents(ctx, u.ID)
	if err != nil {
		if m.log != nil {
			m.log.WarnContext(ctx, "reading the recent palette items failed", "err", err)
		}
		return nil
	}
	out := items[:0]
	for _, it := range items {
		if m.may(ctx, "GET", it.Href) {
			out = append(out, it)
		}
	}
	return out
}

// recentBonus is the rank a result gains from having been opened: up to
// 400 for the user's most frecent item.
func (m *Module) recentBonus(ctx context.Context) map[string]int {
	items := m.recentFor(ctx)
	if len(items) == 0 {
		return nil
	}
	now := time.Now()
	top := items[0].frecency(now)
	out := make(map[string]int, len(items))
	for _, it := range items {
		out[it.ID] = 100 + int(300*it.frecency(now)/top)
	}
	return out
}

// handleRecent answers the palette's recent items as HTML options, most
// frecent first, each with its rank bonus in data-recent-bonus.
func (m *Module) handleRecent(w http.ResponseWriter, r *http.Request) error {
	items := m.recentFor(r.Context())
	bonus := m.recentBonus(r.Context())
	shown := items[:min(len(items), recentShown)]
	var b strings.Builder
	err := g.Group{
		g.Group(g.Map(shown, func(it RecentItem) g.Node {
			return h.Li(h.Class("palette-option palette-recent"), h.Role("option"), g.Attr("aria-selected", "false"),
				g.Attr("data-recent-id", it.ID), g.Attr("data-icon", it.Icon), g.Attr("data-hint", it.Hint),
				actionNode(HitAction{"open", "Open", it.Href}, g.Group{Icon(it.Icon), h.Span(h.Class("palette-title"), g.Text(it.Title)),
					g.If(it.Hint != "", h.Span(h.Class("palette-hint"), g.Text(it.Hint)))}),
			)
		})),
		// The bonuses of every remembered item, for ranking commands.
		h.Template(h.Class("palette-recent-bonus"), g.Group(g.Map(items, func(it RecentItem) g.Node {
			return g.El("data", h.Value(it.ID), g.Attr("data-bonus", fmt.Sprint(bonus[it.ID])))
		}))),
	}.Render(&b)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	SetSecurityHeaders(hd)
	_, _ = w.Write([]byte(b.String()))
	return nil
}

// handleUse records an item the user opened from the palette: form
// fields id, title, href, and optionally hint and icon. 204 on success.
func (m *Module) handleUse(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	f := r.PostForm
	it := RecentItem{ID: f.Get("id"), Title: strings.TrimSpace(f.Get("title")), Href: f.Get("href"), Hint: f.Get("hint"), Icon: f.Get("icon")}
	for _, c := range []struct {
		field, v string
		max      int
	}{{"id", it.ID, 300}, {"title", it.Title, 200}, {"href", it.Href, 2048}, {"hint", it.Hint, 80}, {"icon", it.Icon, 40}} {
		if utf8.RuneCountInString(c.v) > c.max {
			return webos.Invalid(c.field, fmt.Sprintf("must be at most %d characters", c.max))
		}
	}
	switch {
	case it.ID == "":
		return webos.Invalid("id", "is required")
	case it.Title == "":
		return webos.Invalid("title", "is required")
	case safeNext(it.Href) != it.Href || it.Href == "":
		return webos.Invalid("href", "must be a path on this site")
	case !m.may(r.Context(), "GET", it.Href):
		return webos.Invalid("href", "is no page you may open")
	}
	u, ok := auth.UserFrom(r.Context())
	if !ok || m.prefs == nil {
		w.WriteHeader(http.StatusNoContent) // nobody to remember it for
		return nil
	}
	if err := m.prefs.use(r.Context(), u.ID, it); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
