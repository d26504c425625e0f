package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
)

// Paths of the palette's content search.
const (
	// SearchPath streams a query's results as Server-Sent Events.
	SearchPath = "/ui/search"
	// RecentPath lists (GET) and records (POST) the user's recent items.
	RecentPath = "/ui/search/recent"
)

// SearchSettings are the shell's settings (module "ui") about content
// search. Like every module's settings they are stored, cached and
// announced on the bus by the settings module, so a change reaches every
// instance.
type SearchSettings struct {
	// DisabledSources names the sources ("<module>.<name>") the palette
	// no longer asks.
	DisabledSources []string `json:"disabled_search_sources" validate:"max=200,dive,required,max=100" desc:"Search sources (module.name, e.g. blog.posts) the command palette no longer asks, on every instance"`
}

// KeyDisabledSearchSources is the key of [SearchSettings.DisabledSources].
const KeyDisabledSearchSources = "disabled_search_sources"

var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// searchSource is a [SearchSource] with its module, its full name and who
// may use it.
type searchSource struct {
	module string
	name   string // "<module>.<name>"
	title  string
	icon   string
	prefix string
	v      SearchSource
	acc    webos.Access
}

func (s *searchSource) budget() time.Duration {
	switch b := s.v.Budget; {
	case b <= 0:
		return DefaultSearchBudget
	case b > MaxSearchBudget:
		return MaxSearchBudget
	default:
		return b
	}
}

// resolve makes a path of the source's module absolute; "" when it is not
// a path.
func (s *searchSource) resolve(rel string) string {
	if rel == "" || rel[0] != '/' || strings.HasPrefix(rel, "//") || strings.ContainsAny(rel, "\\\r\n\t") {
		return ""
	}
	return s.prefix + rel
}

// collectSource checks a module's source and adds it to c.
func (m *Module) collectSource(c *contributions, id, prefix string, info webos.ModuleInfo, base webos.Access, s SearchSource) error {
	switch {
	case !sourceName.MatchString(s.Name):
		return fmt.Errorf("ui: module %q: search source name %q must be 1 to 40 lower-case letters, digits, '-' or '_'", id, s.Name)
	case s.Search == nil:
		return fmt.Errorf("ui: module %q: search source %q has no Search func", id, s.Name)
	case s.Scope != "" && s.Scope != ScopePeople && s.Scope != ScopeFiles && s.Scope != ScopePosts:
		return fmt.Errorf("ui: module %q: search source %q: scope %q is none of %q, %q, %q or \"\"", id, s.Name, s.Scope, ScopePeople, ScopeFiles, ScopePosts)
	case s.Path != "" && !strings.HasPrefix(s.Path, "/"):
		return fmt.Errorf("ui: module %q: search source %q: path %q must start with / (it is relative to the module's prefix)", id, s.Name, s.Path)
	}
	name := id + "." + s.Name
	if slices.ContainsFunc(c.sources, func(o searchSource) bool { return o.name == name }) {
		return fmt.Errorf("ui: module %q: two search sources are named %q", id, s.Name)
	}
	acc := base
	if s.Path != "" {
		acc = m.access(base, "GET", prefix+s.Path)
	}
	c.sources = append(c.sources, searchSource{module: id, name: name, title: cmp.Or(s.Title, info.Name, id),
		icon: info.Icon, prefix: prefix, v: s, acc: acc})
	return nil
}

// SplitScope splits a palette query into its scope prefix ([ScopeCommands],
// [ScopePeople], [ScopeFiles], [ScopePosts] or "") and the text after it,
// trimmed.
func SplitScope(query string) (scope, text string) {
	query = strings.TrimSpace(query)
	if query != "" {
		switch p := query[:1]; p {
		case ScopeCommands, ScopePeople, ScopeFiles, ScopePosts:
			return p, strings.TrimSpace(query[1:])
		}
	}
	return "", query
}

// SourceResults is what one source answered to a query, as
// [Module.Search] reports it.
type SourceResults struct {
	// Source is the source's full name, "<module>.<name>".
	Source string `json:"source"`
	// Title heads its results.
	Title string `json:"title"`
	// State is "pending" (asked, no answer yet), "ok", "timeout" (not
	// done within its budget), "error" or "cancelled" (a newer query
	// replaced this one).
	State string `json:"state"`
	// Elapsed is how long the source took, up to its budget.
	Elapsed time.Duration `json:"-"`
	// Results are its results the user may act on, best first.
	Results []Hit `json:"-"`
}

// Hit is a result as the palette shows it: ranked, its links resolved and
// its actions those the user may take.
type Hit struct {
	// ID is "<source>:<result id>", the key of the user's recent items.
	ID     string
	Title  string
	Detail string
	Icon   string
	// Score is the rank: [Match] of the title (or, below it, of the detail
	// and keywords) plus a bonus for items the user opened recently.
	Score int
	// Actions are what the user may do, the default (Enter) first: "open"
	// (a page), "copy" (a link) or "run" (a POST).
	Actions []HitAction
}

// HitAction is one action of a [Hit].
type HitAction struct {
	// Kind is "open", "copy" or "run".
	Kind  string
	Label string
	// URL is the page to open, the link to copy or the command to run.
	URL string
}

// Search runs query against every source the user in ctx may use whose
// scope the query names, at once, each within its budget, and calls each
// with every source's state: first "pending" for each (in the sources'
// order of registration), then one final state per source as it answers.
// It returns when every source answered or ran out of budget, or when
// ctx ends; a source that ignores its context is left running without
// holding the query up. A query of the commands scope, or shorter than
// [MinSearchQuery] after its prefix, asks no source.
func (m *Module) Search(ctx context.Context, query string, each func(SourceResults) error) error {
	if utf8.RuneCountInString(query) > MaxSearchQuery {
		return webos.Invalid("q", fmt.Sprintf("must be at most %d characters", MaxSearchQuery))
	}
	scope, text := SplitScope(query)
	srcs := m.sourcesFor(ctx, scope, text)
	if len(srcs) == 0 {
		return nil
	}
	for _, s := range srcs {
		if err := each(SourceResults{Source: s.name, Title: s.title, State: "pending"}); err != nil {
			return err
		}
	}
	q := SearchQuery{Text: text, Scope: scope, Limit: SearchLimit}
	bonus := m.recentBonus(ctx)
	type outcome struct {
		i   int
		res SourceResults
		raw []Result
	}
	ch := make(chan outcome, len(srcs))
	for i := range srcs {
		m.searches.Add(1)
		go func() {
			defer m.searches.Done()
			res, raw := m.ask(ctx, &srcs[i], q)
			ch <- outcome{i, res, raw}
		}()
	}
	for range srcs {
		select {
		case o := <-ch:
			if o.res.State == "ok" {
				o.res.Results = m.hits(ctx, &srcs[o.i], o.raw, text, bonus)
			}
			if err := each(o.res); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// sourcesFor returns the sources the user in ctx may use for a query of
// scope and text.
func (m *Module) sourcesFor(ctx context.Context, scope, text string) []searchSource {
	if scope == ScopeCommands || utf8.RuneCountInString(text) < MinSearchQuery {
		return nil
	}
	var off []string
	if m.searchCfg != nil {
		off = m.searchCfg.Get(ctx).DisabledSources
	}
	var out []searchSource
	for _, s := range m.contributions().sources {
		if (scope != "" && s.v.Scope != scope) || slices.Contains(off, s.name) || !m.enabled(s.module) || !m.can(ctx, s.acc) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// ask runs one source within its budget.
func (m *Module) ask(ctx context.Context, s *searchSource, q SearchQuery) (SourceResults, []Result) {
	out := SourceResults{Source: s.name, Title: s.title}
	sctx, cancel := context.WithTimeout(ctx, s.budget())
	defer cancel()
	start := time.Now()
	type answer struct {
		res []Result
		err error
	}
	done := make(chan answer, 1) // the source may answer after we stopped waiting
	m.searches.Add(1)
	go func() {
		defer m.searches.Done()
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: fmt.Errorf("ui: search source %s panicked: %v", s.name, p)}
			}
		}()
		res, err := s.v.Search(sctx, q)
		done <- answer{res, err}
	}()
	var a answer
	select {
	case a = <-done:
	case <-sctx.Done():
		a.err = sctx.Err()
	}
	out.Elapsed = time.Since(start)
	switch {
	case ctx.Err() != nil:
		out.State = "cancelled"
	case a.err == nil:
		out.State = "ok"
		return out, a.res
	case errors.Is(a.err, context.DeadlineExceeded) || sctx.Err() != nil:
		out.State = "timeout"
	default:
		out.State = "error"
		if m.log != nil {
			m.log.WarnContext(ctx, "search source failed", "source", s.name, "err", a.err)
		}
	}
	return out, nil
}

// hits ranks a source's results and keeps the actions the user may take.
func (m *Module) hits(ctx context.Context, s *searchSource, res []Result, text string, bonus map[string]int) []Hit {
	if len(res) > 4*SearchLimit {
		res = res[:4*SearchLimit]
	}
	out := make([]Hit, 0, len(res))
	for _, r := range res {
		if r.Title == "" {
			continue
		}
		hit := Hit{ID: s.name + ":" + r.ID, Title: truncateRunes(r.Title, 200), Detail: truncateRunes(r.Detail, 200), Icon: cmp.Or(r.Icon, s.icon)}
		if open := s.resolve(r.Href); open != "" && m.may(ctx, "GET", open) {
			hit.Actions = append(hit.Actions, HitAction{"open", "Open", open}, HitAction{"copy", "Copy link", open})
		}
		for _, a := range r.Actions {
			if a.Label == "" {
				continue
			}
			if u := s.resolve(a.Href); u != "" && a.Post == "" && m.may(ctx, "GET", u) {
				hit.Actions = append(hit.Actions, HitAction{"open", truncateRunes(a.Label, 40), u})
			} else if u := s.resolve(a.Post); u != "" && a.Href == "" && m.may(ctx, "POST", u) {
				hit.Actions = append(hit.Actions, HitAction{"run", truncateRunes(a.Label, 40), u})
			}
		}
		if len(hit.Actions) == 0 {
			continue
		}
		if sc, ok := Match(text, r.Title); ok {
			hit.Score = 1000 + sc
		} else if sc, ok := Match(text, r.Detail+" "+r.Keywords); ok {
			hit.Score = 500 + sc/2
		}
		hit.Score += bonus[hit.ID]
		out = append(out, hit)
	}
	slices.SortStableFunc(out, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	if len(out) > SearchLimit {
		out = out[:SearchLimit]
	}
	return out
}

// may reports whether the user in ctx may use the route serving method
// and path.
func (m *Module) may(ctx context.Context, method, path string) bool {
	if m.app == nil {
		return true
	}
	acc, ok := m.app.RouteAccess(method, path)
	return ok && m.app.Permits(ctx, acc)
}

var paletteID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// handleSearch streams the results of ?q= as Server-Sent Events: a
// "source" event for each source's state (data: JSON with source, title,
// state, ms and, when ok, html — the rendered options), then "done". A
// new query with the same ?palette= id from the same user cancels the
// previous one.
func (m *Module) handleSearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	q, palette := v.Get("q"), v.Get("palette")
	if utf8.RuneCountInString(q) > MaxSearchQuery {
		return webos.Invalid("q", fmt.Sprintf("must be at most %d characters", MaxSearchQuery))
	}
	if !paletteID.MatchString(palette) {
		return webos.Invalid("palette", "must be 1 to 64 letters, digits, '-' or '_'")
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer m.inflight.start(identity.ID(ctx)+"\x00"+palette, cancel)()
	stream, err := NewEventStream(w)
	if err != nil {
		return nil // the client is gone
	}
	start := time.Now()
	err = m.Search(ctx, q, func(sr SourceResults) error {
		ev := map[string]any{"source": sr.Source, "title": sr.Title, "state": sr.State, "ms": sr.Elapsed.Milliseconds()}
		if sr.State == "ok" {
			var b strings.Builder
			if err := g.Group(g.Map(sr.Results, func(hit Hit) g.Node { return resultOption(hit, sr.Title) })).Render(&b); err != nil {
				return err
			}
			ev["html"], ev["count"] = b.String(), len(sr.Results)
		}
		return stream.SendJSON("source", "", ev)
	})
	if err != nil {
		return nil // cancelled, or the client left: the stream's status is sent
	}
	_ = stream.SendJSON("done", "", map[string]any{"ms": time.Since(start).Milliseconds()})
	return nil
}

// resultOption renders a hit as an option of the palette's list box.
func resultOption(hit Hit, group string) g.Node {
	first := hit.Actions[0]
	return h.Li(h.Class("palette-option palette-result"), h.Role("option"), g.Attr("aria-selected", "false"),
		g.Attr("data-recent-id", hit.ID), g.Attr("data-icon", hit.Icon), g.Attr("data-hint", group),
		g.Attr("data-detail", hit.Detail),
		actionNode(first, g.Group{Icon(hit.Icon), h.Span(h.Class("palette-title"), g.Text(hit.Title)),
			g.If(hit.Detail != "", h.Span(h.Class("palette-detail muted"), g.Text(hit.Detail)))}),
		g.If(len(hit.Actions) > 1, h.Span(h.Class("palette-actions"),
			g.Group(g.Map(hit.Actions[1:], func(a HitAction) g.Node { return actionNode(a, g.Text(a.Label)) })))),
	)
}

func actionNode(a HitAction, body g.Node) g.Node {
	attrs := g.Group{g.Attr("data-palette-action", a.Kind), g.Attr("data-label", a.Label), h.TabIndex("-1")}
	if a.Kind == "open" {
		return h.A(h.Href(a.URL), attrs, body)
	}
	return h.Button(h.Type("button"), h.Class("palette-action"), g.Attr("data-url", a.URL), attrs, body)
}

// inflight remembers the cancel func of each palette's running query.
type inflight struct {
	mu      sync.Mutex
	running map[string]*context.CancelFunc
}

// start cancels the query running under key, if any, and makes cancel the
// one to cancel next; the returned func forgets it.
func (f *inflight) start(key string, cancel context.CancelFunc) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.running[key]; old != nil {
		(*old)()
	}
	if f.running == nil {
		f.running = map[string]*context.CancelFunc{}
	}
	p := &cancel
	f.running[key] = p
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.running[key] == p {
			delete(f.running, key)
		}
	}
}
