package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
)

// Page is one screen of the shell, rendered by [Module.Render].
type Page struct {
	// Title is the page's title. The document title adds the name of the
	// app the active menu entry belongs to, unless Title names it, and the
	// brand: "Password generator · Vault · WebOS".
	Title string
	// Content goes into <main>.
	Content g.Node
	// Status is the HTTP status (default 200).
	Status int
	// Active is the menu path to highlight (default the request's path).
	Active string
	// Bare leaves out the menu, the palette and the slots, as on the
	// sign-in page.
	Bare bool
}

// ContentSecurityPolicy is the policy of every page of the shell: scripts,
// styles and everything else come from the site itself, with no inline
// script, event handler attribute or style attribute; no plugins; and the
// pages may be framed only by the site. Modules keep to it by putting
// behaviour in data- attributes that the shell's script handles (see
// [ResetOnSuccess]) and looks in classes of a stylesheet.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"

// SetSecurityHeaders sets the headers every HTML response of the shell
// carries: [ContentSecurityPolicy], X-Frame-Options: SAMEORIGIN (for
// browsers without frame-ancestors) and X-Content-Type-Options: nosniff.
// [Module.Render] sets them; a module that writes HTML itself, such as an
// htmx fragment, sets them too.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes p inside the shell: the whole document, or — for an htmx
// navigation inside the shell (see [IsFragment]) — only the title, <main>
// and the menu. The response varies on HX-Request and is not cached. The
// menu, palette and slots show what the request's user may see; use
// [Module.Require] on the route so that the user is known.
//
// Rendering is buffered: when it fails, nothing has been written and the
// error is returned for the caller (or the kernel) to answer.
func (m *Module) Render(w http.ResponseWriter, r *http.Request, p Page) error {
	r, ok := m.authenticate(w, r)
	if !ok {
		return nil
	}
	return m.write(w, r, p)
}

// write renders p for r, whose user is known.
func (m *Module) write(w http.ResponseWriter, r *http.Request, p Page) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	c := m.contributions()
	var err error
	if IsFragment(r) && !p.Bare {
		err = Fragment(m.layout(w, r, c, p, true)).Render(buf)
	} else {
		l := m.layout(w, r, c, p, false)
		k := pageKey{bare: l.Nav == nil, sidebar: len(l.Sidebar) > 0, footer: len(l.Footer) > 0}
		if l.Theme == "light" || l.Theme == "dark" {
			k.theme = l.Theme
		}
		parts := [numParts]g.Node{
			partTitle:   g.Text(l.docTitle()),
			partHeader:  g.Group(l.Header),
			partAccount: l.Account,
			partNav:     l.Nav,
			partSidebar: g.Group(l.Sidebar),
			partFlashes: flashesNode(l.Flashes),
			partContent: l.Content,
			partFooter:  g.Group(l.Footer),
			partPalette: l.Palette,
		}
		err = m.page(c, k).render(buf, &parts)
	}
	if err != nil {
		return fmt.Errorf("ui: render %q: %w", p.Title, err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Add("Vary", "HX-Request")
	hd.Set("Cache-Control", "no-store")
	SetSecurityHeaders(hd)
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

// layout fills the per-request parts of the layout; the fixed ones are in
// the page template (see [Module.page]). A fragment needs only the title,
// flashes, content and menu.
func (m *Module) layout(w http.ResponseWriter, r *http.Request, c *contributions, p Page, fragment bool) Layout {
	ctx := r.Context()
	l := Layout{
		Title:   p.Title,
		Brand:   m.cfg.Brand,
		Flashes: takeFlashes(w, r),
		Content: p.Content,
	}
	var v *view
	if !p.Bare {
		active := p.Active
		if active == "" {
			active = r.URL.Path
		}
		v = m.view(ctx, c)
		cur := activeIndex(v.menu, active)
		l.Nav = v.nav(cur)
		if cur >= 0 {
			l.App = c.appNames[v.menu[cur].module]
		}
	}
	if fragment {
		return l
	}
	l.Theme = m.themeFor(r)
	if p.Bare {
		return l
	}
	l.Header = m.slotWidgets(ctx, c, SlotHeader)
	l.Sidebar = m.slotWidgets(ctx, c, SlotSidebar)
	l.Footer = m.slotWidgets(ctx, c, SlotFooter)
	l.Palette = v.palette
	if u, ok := auth.UserFrom(ctx); ok {
		name := u.DisplayName
		if name == "" {
			name = u.Email
		}
		l.Account = accountOf(name)
	}
	return l
}

// Slot renders the widgets of the named slot that the user in ctx may see,
// highest priority first, in a container marked data-slot=name. Pages use
// it for slots of their own; the layout renders the standard ones.
func (m *Module) Slot(ctx context.Context, name string) g.Node {
	return h.Div(h.Class("slot slot-"+name), g.Attr("data-slot", name), g.Group(m.slotNodes(ctx, name)))
}

func (m *Module) slotNodes(ctx context.Context, name string) []g.Node {
	return m.slotWidgets(ctx, m.contributions(), name)
}

func (m *Module) slotWidgets(ctx context.Context, c *contributions, name string) []g.Node {
	var out []g.Node
	for i, wd := range c.widgets {
		if wd.v.Slot == name && m.enabled(wd.module) && m.can(ctx, wd.acc) {
			out = append(out, &widgetNode{m: m, ctx: ctx, module: wd.module, wd: &c.widgets[i].v, frame: c.frames[i]})
		}
	}
	return out
}

// widgetNode renders one widget into its frame. A widget that panics or
// fails is replaced by a notice and logged; the rest of the page still
// renders.
type widgetNode struct {
	m      *Module
	ctx    context.Context
	module string
	wd     *Widget
	frame  string // the frame's opening tag
}

func (n *widgetNode) Render(w io.Writer) error {
	out, direct := w.(*bytes.Buffer)
	if !direct {
		out = bufPool.Get().(*bytes.Buffer)
		out.Reset()
		defer bufPool.Put(out)
	}
	mark := out.Len()
	out.WriteString(n.frame)
	if err := renderSafely(n.ctx, *n.wd, out); err != nil {
		out.Truncate(mark + len(n.frame))
		if n.m.log != nil {
			n.m.log.ErrorContext(n.ctx, "widget failed", "widget", n.wd.ID, "widget_module", n.module, "err", err)
		}
		_ = widgetError.Render(out)
	}
	out.WriteString("</div>")
	if direct {
		return nil
	}
	_, err := w.Write(out.Bytes())
	return err
}

func renderSafely(ctx context.Context, wd Widget, buf *bytes.Buffer) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	n := wd.Render(ctx)
	if n == nil {
		return nil
	}
	return n.Render(buf)
}

// authenticate puts the request's user into its context through the
// application's authorizer, unless one is there already. It returns false
// when it answered the request (an invalid token, a cross-origin request).
func (m *Module) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if _, ok := auth.UserFrom(r.Context()); ok || m.app == nil {
		return r, true
	}
	r2, err := m.app.Authorizer().Identify(w, r)
	if err != nil {
		m.Error(w, r, err)
		return r, false
	}
	return r2, true
}

// toLogin sends the client to the sign-in page, to come back afterwards.
func (m *Module) toLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if IsHTMX(r) {
		if cur := r.Header.Get("HX-Current-URL"); cur != "" && !IsFragment(r) {
			if u, err := url.Parse(cur); err == nil {
				next = u.RequestURI()
			}
		}
	}
	loc := LoginPath
	if next != "/" && next != "" {
		loc += "?next=" + url.QueryEscape(next)
	}
	switch {
	case IsHTMX(r):
		w.Header().Set("HX-Redirect", loc)
		w.WriteHeader(http.StatusUnauthorized)
	case wantsHTML(r):
		SetSecurityHeaders(w.Header()) // the redirect has a little HTML body
		http.Redirect(w, r, loc, http.StatusSeeOther)
	default:
		webos.WriteError(w, r, auth.ErrUnauthenticated)
	}
}
