package ui

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// Most of a shell page is the same for every request: the <head> with its
// asset links, the header's buttons and icons, the landmarks around the
// slots. The shell renders that once per variant into a pageTemplate —
// the output of [Document] with a marker where each part of the request
// goes — and per request writes the fixed bytes between the parts it
// renders. Likewise, what the menu, the launchpad and the palette show
// depends only on which contributions the user may see, so their HTML is
// kept per visibility (see [Module.visibility]). Both caches live in the
// contributions collected at Start, which also fixes the assets and the
// theme they depend on.

// part names a per-request piece of a page.
type part int

const (
	partTitle part = iota
	partHeader
	partAccount
	partNav
	partSidebar
	partFlashes
	partContent
	partFooter
	partPalette
	numParts
)

// partMarker splits a template. Only the template — fixed content: assets,
// theme, the configured brand — is ever split; per-request text is written
// into its gaps afterwards, so no user input can forge a marker.
const partMarker = "\x00webos-part:"

func partNode(p part) g.Node { return g.Raw(partMarker + strconv.Itoa(int(p)) + "\x00") }

// pageTemplate is a rendered document split at its parts.
type pageTemplate struct {
	segs []segment
	tail string
}

type segment struct {
	fixed string // written before part
	part  part
}

// splitPage renders n and splits the output at the part markers.
func splitPage(n g.Node) *pageTemplate {
	var b strings.Builder
	_ = n.Render(&b) // only fixed nodes and markers: rendering cannot fail
	s := b.String()
	t := &pageTemplate{}
	for {
		i := strings.Index(s, partMarker)
		if i < 0 {
			t.tail = s
			return t
		}
		rest := s[i+len(partMarker):]
		j := strings.IndexByte(rest, 0)
		p, _ := strconv.Atoi(rest[:j])
		t.segs = append(t.segs, segment{fixed: s[:i], part: part(p)})
		s = rest[j+1:]
	}
}

// render writes the page with parts in place of the markers; a nil part
// writes nothing.
func (t *pageTemplate) render(buf *bytes.Buffer, parts *[numParts]g.Node) error {
	for _, sg := range t.segs {
		buf.WriteString(sg.fixed)
		if n := parts[sg.part]; n != nil {
			if err := n.Render(buf); err != nil {
				return err
			}
		}
	}
	buf.WriteString(t.tail)
	return nil
}

// pageKey picks the template: what changes the fixed parts of [Document].
type pageKey struct {
	theme                 string // "", "light" or "dark"
	bare, sidebar, footer bool
}

func (k pageKey) index() int {
	i := 0
	switch k.theme {
	case "light":
		i = 1
	case "dark":
		i = 2
	}
	for _, b := range []bool{k.bare, k.sidebar, k.footer} {
		i *= 2
		if b {
			i++
		}
	}
	return i
}

// maxViews bounds the rendered menus, launchpads and palettes kept per
// visibility; when full, the cache starts over.
const maxViews = 256

// renderCache holds the rendered templates and views. Its zero value is
// ready to use.
type renderCache struct {
	pages [3 * 2 * 2 * 2]atomic.Pointer[pageTemplate]

	mu    sync.RWMutex
	views map[string]*view
}

// view is what a visibility shows: the entries and their rendered HTML.
type view struct {
	apps      []App
	menu      []MenuItem
	launchpad g.Node
	palette   g.Node
	navs      []atomic.Pointer[g.Node] // by active index + 1
}

// nav returns the menu with the entry at index cur (-1 for none) marked
// current.
func (v *view) nav(cur int) g.Node {
	p := &v.navs[cur+1]
	if n := p.Load(); n != nil {
		return *n
	}
	n := rendered(menuAt(v.menu, cur))
	p.Store(&n)
	return n
}

// rendered renders n, which depends on nothing but its arguments, once.
func rendered(n g.Node) g.Node {
	var b strings.Builder
	_ = n.Render(&b)
	return g.Raw(b.String())
}

// page returns the template for k.
func (m *Module) page(c *contributions, k pageKey) *pageTemplate {
	p := &c.pages.pages[k.index()]
	if t := p.Load(); t != nil {
		return t
	}
	l := m.fixedLayout()
	l.Theme = k.theme
	l.Account = partNode(partAccount)
	if !k.bare {
		l.Header = []g.Node{partNode(partHeader)}
		l.Nav = partNode(partNav)
		l.Palette = partNode(partPalette)
		if k.sidebar {
			l.Sidebar = []g.Node{partNode(partSidebar)}
		}
		if k.footer {
			l.Footer = []g.Node{partNode(partFooter)}
		}
	}
	t := splitPage(document(l, partNode(partTitle), partNode(partFlashes), partNode(partContent)))
	p.Store(t)
	return t
}

// fixedLayout returns the parts of the layout that are the same on every
// page.
func (m *Module) fixedLayout() Layout {
	l := Layout{Brand: m.cfg.Brand, ThemeURL: ThemePath}
	if m.assets != nil {
		l.Styles = []string{m.assets.URL("theme.css"), m.assets.URL("webos.css")}
		l.Scripts = []string{m.assets.URL("htmx.min.js"), m.assets.URL("webos.js")}
		l.Head = []g.Node{h.Link(h.Rel("icon"), h.Type("image/svg+xml"), h.Href(m.assets.URL("favicon.svg")))}
		m.mu.Lock()
		for _, name := range m.included {
			if strings.HasSuffix(name, ".css") {
				l.Styles = append(l.Styles, m.assets.URL(name))
			} else {
				l.Scripts = append(l.Scripts, m.assets.URL(name))
			}
		}
		m.mu.Unlock()
	}
	return l
}

// view returns what the user in ctx sees of c.
func (m *Module) view(ctx context.Context, c *contributions) *view {
	var stack [64]byte
	vis := m.visibility(ctx, c, stack[:0])
	rc := &c.pages
	rc.mu.RLock()
	v := rc.views[string(vis)]
	rc.mu.RUnlock()
	if v != nil {
		return v
	}
	v = &view{apps: c.appsFor(vis), menu: c.menuFor(vis)}
	v.launchpad = rendered(Launchpad(v.apps))
	v.palette = rendered(Palette(c.commandsFor(vis)))
	v.navs = make([]atomic.Pointer[g.Node], len(v.menu)+1)
	rc.mu.Lock()
	if rc.views == nil || len(rc.views) >= maxViews {
		rc.views = map[string]*view{}
	}
	rc.views[string(vis)] = v
	rc.mu.Unlock()
	return v
}

// widgetFrame returns the opening tag of a widget's frame.
func widgetFrame(module, id string) string {
	var b strings.Builder
	_ = h.Div(h.Class("widget"), g.Attr("data-widget", id), g.Attr("data-module", module)).Render(&b)
	return strings.TrimSuffix(b.String(), "</div>")
}

// widgetError replaces the content of a widget that failed.
var widgetError = rendered(h.P(h.Class("widget-error muted"), g.Text("This widget is not available right now.")))

// noFlashes is [Flashes] of none.
var noFlashes = rendered(Flashes(nil))

func flashesNode(fs []Flash) g.Node {
	if len(fs) == 0 {
		return noFlashes
	}
	return Flashes(fs)
}

// splitAt renders n and splits the output at its one part marker, or at
// partMarker escaped as text.
func splitAt(n g.Node) [2]g.Node {
	var b strings.Builder
	_ = n.Render(&b)
	s := b.String()
	i := strings.Index(s, partMarker)
	if i < 0 { // a marker given as text and escaped
		esc := strings.Replace(partMarker, "\x00", "\uFFFD", 1)
		before, after, _ := strings.Cut(s, esc)
		return [2]g.Node{g.Raw(before), g.Raw(after)}
	}
	j := strings.IndexByte(s[i+len(partMarker):], 0)
	return [2]g.Node{g.Raw(s[:i]), g.Raw(s[i+len(partMarker)+j+1:])}
}

// accountHTML is the account area split around the user's name.
var accountHTML = splitAt(accountFor(partNode(partAccount), LogoutPath))

// accountOf is account(name, LogoutPath) from its rendered halves.
func accountOf(name string) g.Node {
	if name == "" {
		return nil
	}
	return g.Group{accountHTML[0], g.Text(name), accountHTML[1]}
}
