package ui

import (
	"context"
	"time"

	"github.com/webos-go/webos"
)

// Scopes of the palette: a query that starts with one of these prefixes
// searches only what the prefix names. The palette's footer lists them.
const (
	// ScopeCommands narrows the palette to its apps, pages and commands;
	// no [SearchSource] is asked.
	ScopeCommands = ">"
	// ScopePeople asks only the sources of people (users, authors).
	ScopePeople = "@"
	// ScopeFiles asks only the sources of files.
	ScopeFiles = "/"
	// ScopePosts asks only the sources of posts and tags (blog posts,
	// media tags).
	ScopePosts = "#"
)

// Limits of content search.
const (
	// DefaultSearchBudget is a source's latency budget when it names none.
	DefaultSearchBudget = 400 * time.Millisecond
	// MaxSearchBudget is the longest budget a source may have.
	MaxSearchBudget = 5 * time.Second
	// MinSearchQuery is the fewest characters (after the scope prefix) a
	// query needs before sources are asked; shorter ones search the
	// commands only.
	MinSearchQuery = 2
	// MaxSearchQuery is the longest query, in characters.
	MaxSearchQuery = 200
	// SearchLimit is the most results the palette shows of one source.
	SearchLimit = 8
)

// SearchSource is one source of content results for the command palette:
// a module's blog posts, its files by name, its vault entries by title.
// The shell asks every source the user may use, at the same time, when
// the palette's query changes, and shows each source's results as they
// arrive; a source that is not done within its budget is left out of that
// query, and the next keystroke cancels the previous query's work.
//
// Who may use a source is not written on it, as for every contribution
// (see [App]): the user needs the module's [webos.ModuleInfo.Permission]
// and, when Path is set, the right to open that page. Search gets the
// request's context, which carries the user: owner-scoped collections
// (store.Owned) scope themselves, and a source that reads shared data
// checks what the user may see. An administrator switches a source off for
// every instance with the shell's setting "disabled_search_sources"
// (PATCH /settings/ui {"disabled_search_sources": ["blog.posts"]}).
type SearchSource struct {
	// Name identifies the source within its module, e.g. "posts": lower
	// case letters, digits, '-' and '_'. The shell calls it
	// "<module>.<name>", the name administrators switch it off by.
	Name string
	// Title heads the source's results, e.g. "Blog posts"; "" is the
	// module's name.
	Title string
	// Scope is the prefix that narrows a query to sources of this kind —
	// [ScopePeople], [ScopeFiles] or [ScopePosts] — or "" for a source
	// that only unscoped queries ask.
	Scope string
	// Budget is how long the shell waits for the source's answer:
	// default [DefaultSearchBudget], at most [MaxSearchBudget]. Search's
	// context ends then; results that come later are dropped.
	Budget time.Duration
	// Path, relative to the module's prefix, is the page the results lead
	// to, e.g. "/admin/users": only users who may open it are asked. ""
	// needs only the module's permission.
	Path string
	// Search returns results for q, most relevant first, at most q.Limit.
	// The shell ranks them again by how well their titles match (see
	// [Match]), so a source may match loosely, e.g. by a substring of the
	// title. It must return when ctx ends.
	Search func(ctx context.Context, q SearchQuery) ([]Result, error)
}

// SearchQuery is what a [SearchSource] is asked for.
type SearchQuery struct {
	// Text is the query without its scope prefix, trimmed, at least
	// [MinSearchQuery] characters.
	Text string
	// Scope is the prefix the user typed, or "" for an unscoped query.
	Scope string
	// Limit is the most results the shell shows of the source.
	Limit int
}

// Result is one content result: what the palette lists and what it can do
// with it. Its actions are derived from what the user may do: the shell
// keeps Href and each action only when the user may open (GET) or run
// (POST) the route it leads to, adds "Copy link" beside "Open", and drops
// a result that is left with no action.
type Result struct {
	// ID identifies the result within its source, e.g. a post's id; the
	// palette remembers the results a user opens by it.
	ID string
	// Title is what the palette shows and ranks by.
	Title string
	// Detail is one short line beside the title, e.g. a folder or a
	// user name. It never holds a secret.
	Detail string
	// Icon is a name from the shell's icon set or one emoji; "" is the
	// module's icon.
	Icon string
	// Keywords are more words the ranking matches, below the title.
	Keywords string
	// Href is the page Enter opens, relative to the module's prefix.
	Href string
	// Actions are more things to do with the result, such as running a
	// command on it.
	Actions []Action
}

// Action is something a palette result offers besides opening it. Exactly
// one of Href and Post is set, relative to the module's prefix.
type Action struct {
	// Label names the action, e.g. "Publish".
	Label string
	// Href is a page or file to open.
	Href string
	// Post is a command to run: the palette sends it a POST without a body
	// and shows the outcome.
	Post string
}

// SearchProvider is a module that contributes content results to the
// command palette.
type SearchProvider interface {
	SearchSources() []SearchSource
}

func init() {
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(SearchProvider); ok {
			return "ui.search"
		}
		return ""
	})
}
