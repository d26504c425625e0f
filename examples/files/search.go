package files

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/ui"
)

// Bounds of the palette's file search. Each source's file names are read
// into memory by one walk of at most maxIndexedFiles files (afs's
// recursive listing, 1,000 a page); the index is dropped when any file
// changes (afs's bus events, which reach every instance through a shared
// bus) and after nameIndexTTL, for changes made by other tools. A source
// with more files is searched in the first maxIndexedFiles by key order.
const (
	maxIndexedFiles = 20000
	nameIndexTTL    = 2 * time.Minute
	indexWalkLimit  = 30 * time.Second
)

// SearchSources gives the palette the files of every source by name,
// under the "/" scope. Every source is readable to whoever may read files
// (afs.PermRead, the module's permission), so the index is shared by all
// of them. A result opens the commander on the file's folder.
func (m *Module) SearchSources() []ui.SearchSource {
	return []ui.SearchSource{{Name: "names", Title: "Files", Scope: ui.ScopeFiles, Budget: 500 * time.Millisecond, Search: m.searchNames}}
}

// Subscriptions drop the name index when a file changes.
func (m *Module) Subscriptions() []bus.Subscription {
	return []bus.Subscription{{Pattern: "afs." + bus.AnySegment, Handler: func(context.Context, bus.Envelope) error {
		m.names.invalidate()
		return nil
	}}}
}

func (m *Module) searchNames(ctx context.Context, q ui.SearchQuery) ([]ui.Result, error) {
	type scored struct {
		f     indexedFile
		score int
	}
	var best []scored
	for _, src := range m.fs.Sources() {
		idx, err := m.names.get(ctx, m.fs, src)
		if err != nil {
			return nil, err
		}
		for _, f := range idx.files {
			if s, ok := ui.Match(q.Text, f.name); ok {
				best = append(best, scored{f, s})
			}
		}
	}
	slices.SortStableFunc(best, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	out := make([]ui.Result, 0, min(len(best), q.Limit))
	for _, b := range best[:min(len(best), q.Limit)] {
		dir := b.f.urn.Parent()
		out = append(out, ui.Result{ID: b.f.urn.String(), Title: b.f.name, Detail: dir.String(), Icon: "file",
			Href: "/?left=" + url.QueryEscape(dir.String())})
	}
	return out, nil
}

// nameIndex holds each source's file names.
type nameIndex struct {
	mu       sync.Mutex
	gen      uint64 // counts the changes seen
	bySource map[string]*sourceNames
	cancel   context.CancelFunc // ends the walks; set by the first walk
	ctx      context.Context
	walks    sync.WaitGroup
}

type sourceNames struct {
	gen   uint64
	built time.Time
	ready chan struct{} // closed when the walk is over
	files []indexedFile
	err   error
}

type indexedFile struct {
	urn  afs.URN
	name string
}

func (n *nameIndex) invalidate() {
	n.mu.Lock()
	n.gen++
	n.mu.Unlock()
}

// get returns the names of source, walking it when they are missing or
// stale. The walk belongs to the index, not to the query: a query that
// runs out of time leaves it running for the next one.
func (n *nameIndex) get(ctx context.Context, fsys *afs.FS, source string) (*sourceNames, error) {
	n.mu.Lock()
	if n.ctx == nil {
		n.ctx, n.cancel = context.WithCancel(context.Background())
	}
	s := n.bySource[source]
	if s == nil || s.gen != n.gen || (isClosed(s.ready) && time.Since(s.built) > nameIndexTTL) || (isClosed(s.ready) && s.err != nil) {
		s = &sourceNames{gen: n.gen, ready: make(chan struct{})}
		if n.bySource == nil {
			n.bySource = map[string]*sourceNames{}
		}
		n.bySource[source] = s
		n.walks.Add(1)
		go func(wctx context.Context) {
			defer n.walks.Done()
			defer close(s.ready)
			wctx, cancel := context.WithTimeout(wctx, indexWalkLimit)
			defer cancel()
			s.files, s.err = walkNames(wctx, fsys, source)
			s.built = time.Now()
		}(n.ctx)
	}
	n.mu.Unlock()
	select {
	case <-s.ready:
		return s, s.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close ends the walks and waits for them.
func (n *nameIndex) close() {
	n.mu.Lock()
	if n.cancel != nil {
		n.cancel()
	}
	n.mu.Unlock()
	n.walks.Wait()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// walkNames lists up to maxIndexedFiles files of source.
func walkNames(ctx context.Context, fsys *afs.FS, source string) ([]indexedFile, error) {
	root, err := afs.NewURN(source, "")
	if err != nil {
		return nil, err
	}
	var out []indexedFile
	token := ""
	for len(out) < maxIndexedFiles {
		page, err := fsys.List(ctx, root, &afs.ListOptions{Recursive: true, PageToken: token})
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if !it.Folder && len(out) < maxIndexedFiles {
				out = append(out, indexedFile{urn: it.URN, name: strings.TrimSpace(it.Name)})
			}
		}
		if page.NextPageToken == "" {
			break
		}
		token = page.NextPageToken
	}
	return out, nil
}
