package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// themeCookie remembers the theme choice in the browser: for anonymous
// pages and as a fallback when the database is not reachable.
const themeCookie = "webos_theme"

// PreferencesCollection stores each signed-in user's shell preferences,
// one document per user with the user's id as its id.
const PreferencesCollection = "ui_preferences"

// Preference is a user's shell preferences.
type Preference struct {
	store.Doc `bson:",inline"`
	// Theme is "light", "dark" or "" (follow the system).
	Theme string `bson:"theme" json:"theme"`
	// Recent are the items the user opened from the palette (see
	// [RecentItem]), at most [MaxRecentItems].
	Recent []RecentItem `bson:"recent" json:"recent"`
	// RecentVersion counts the writes of Recent: a write of Recent is
	// made only while RecentVersion is the one read, and increments it in
	// the same update, so that two tabs recording a use at once both
	// count. Code that writes Recent otherwise loses such uses again.
	RecentVersion int64 `bson:"recent_version" json:"-"`
}

// prefTTL is how long a user's preference is cached in memory; another
// instance's change is seen after at most this long.
const prefTTL = 10 * time.Second

type cachedPref struct {
	theme string
	found bool
	at    time.Time
}

// preferences keeps users' preferences in the store module's database.
type preferences struct {
	coll *store.Collection[Preference]

	mu    sync.Mutex
	cache map[string]cachedPref
}

func newPreferences(db *store.DB) *preferences {
	return &preferences{coll: store.NewCollection[Preference](db, PreferencesCollection), cache: map[string]cachedPref{}}
}

// collection returns the collection.
func (p *preferences) collection() *store.Collection[Preference] { return p.coll }

// theme returns the user's stored theme choice ("" to follow the system)
// and whether the user has chosen at all.
func (p *preferences) theme(ctx context.Context, userID string) (theme string, found bool, err error) {
	p.mu.Lock()
	c, ok := p.cache[userID]
	p.mu.Unlock()
	if ok && time.Since(c.at) < prefTTL {
		return c.theme, c.found, nil
	}
	coll := p.collection()
	if coll == nil {
		return "", false, fmt.Errorf("ui: %w: database not connected", webos.ErrUnavailable)
	}
	doc, err := coll.Get(ctx, userID)
	switch {
	case err == nil:
		theme, found = doc.Theme, true
	case !errors.Is(err, store.ErrNotFound):
		return "", false, err
	}
	p.remember(userID, theme, found)
	return theme, found, nil
}

func (p *preferences) remember(userID, theme string, found bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cache) > 10000 {
		clear(p.cache)
	}
	p.cache[userID] = cachedPref{theme: theme, found: found, at: time.Now()}
}

// setTheme stores the user's theme choice.
func (p *preferences) setTheme(ctx context.Context, userID, theme string) error {
	coll := p.collection()
	if coll == nil {
		return fmt.Errorf("ui: %w: database not connected", webos.ErrUnavailable)
	}
	if _, ok := identity.From(ctx); !ok {
		ctx = identity.With(ctx, identity.Subject(userID))
	}
	_, err := coll.Update(ctx, userID, store.Set("theme", theme))
	if errors.Is(err, store.ErrNotFound) {
		doc := &Preference{Theme: theme}
		doc.ID = userID
		err = coll.Insert(ctx, doc)
		if errors.Is(err, store.ErrConflict) { // created meanwhile
			_, err = coll.Update(ctx, userID, store.Set("theme", theme))
		}
	}
	if err != nil {
		return err
	}
	p.remember(userID, theme, true)
	return nil
}

// themeFor returns the theme the page starts in: the signed-in user's
// stored choice, else the browser's cookie, else "" (follow the system).
func (m *Module) themeFor(r *http.Request) string {
	if u, ok := auth.UserFrom(r.Context()); ok && m.prefs != nil {
		t, found, err := m.prefs.theme(r.Context(), u.ID)
		if err == nil && found {
			return t
		}
		if err != nil && m.log != nil {
			m.log.WarnContext(r.Context(), "reading the theme preference failed", "err", err)
		}
	}
	if c, err := r.Cookie(themeCookie); err == nil && (c.Value == "light" || c.Value == "dark") {
		return c.Value
	}
	return ""
}

// handleTheme stores theme=light|dark|system in a cookie and, for a
// signed-in user, in the database. Script requests get 204; a plain form
// post is redirected back.
func (m *Module) handleTheme(w http.ResponseWriter, r *http.Request) error {
	r, ok := m.authenticate(w, r)
	if !ok {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("%w: %v", webos.ErrBadRequest, err)
	}
	theme := r.PostForm.Get("theme")
	switch theme {
	case "light", "dark":
	case "system", "":
		theme = ""
	default:
		return webos.Invalid("theme", `must be "light", "dark" or "system"`)
	}
	c := &http.Cookie{Name: themeCookie, Value: theme, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode}
	if theme == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
	if u, ok := auth.UserFrom(r.Context()); ok && m.prefs != nil {
		if err := m.prefs.setTheme(r.Context(), u.ID, theme); err != nil {
			m.log.WarnContext(r.Context(), "storing the theme preference failed; the cookie keeps it", "err", err)
		}
	}
	if wantsHTML(r) {
		back := "/"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			back = safeNext(ref.RequestURI())
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
