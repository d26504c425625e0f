package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"
)

// TestPageTemplateMatchesDocument checks that the shell's pre-rendered
// page templates, filled with a request's parts, give byte for byte what
// Document renders for the same layout, in every variant.
func TestPageTemplateMatchesDocument(t *testing.T) {
	m := New(Config{Brand: `Brand <&> "x"`})
	m.assets = builtinAssets(StaticPath, m.theme)
	c := &contributions{}
	name := "Ada \x00webos-part:1\x00 <script>"
	for _, theme := range []string{"", "light", "dark", "sepia"} {
		for _, bare := range []bool{false, true} {
			for _, sidebar := range []bool{false, true} {
				for _, footer := range []bool{false, true} {
					l := m.fixedLayout()
					l.Title = "Title </title>\x00"
					l.Theme = theme
					l.Flashes = []Flash{{Kind: "success", Text: "Saved <b>"}}
					l.Content = h.P(g.Text("content & more"))
					if !bare {
						l.Header = []g.Node{h.Span(g.Text("clock"))}
						l.Account = accountOf(name)
						l.Nav = Menu([]MenuItem{{Name: "Launchpad", Path: "/"}, {Name: "Notes <1>", Path: "/notes"}}, "/notes/x")
						l.Palette = Palette([]Command{{Title: "New", Href: "/new"}, {Title: "Out", Post: LogoutPath}})
						if sidebar {
							l.Sidebar = []g.Node{h.P(g.Text("tip"))}
						}
						if footer {
							l.Footer = []g.Node{h.Small(g.Text("©"))}
						}
					}
					var want strings.Builder
					if err := Document(l).Render(&want); err != nil {
						t.Fatal(err)
					}

					k := pageKey{bare: l.Nav == nil, sidebar: len(l.Sidebar) > 0, footer: len(l.Footer) > 0}
					if theme == "light" || theme == "dark" {
						k.theme = theme
					}
					parts := [numParts]g.Node{
						partTitle: g.Text(l.docTitle()), partHeader: g.Group(l.Header), partAccount: l.Account,
						partNav: l.Nav, partSidebar: g.Group(l.Sidebar), partFlashes: flashesNode(l.Flashes),
						partContent: l.Content, partFooter: g.Group(l.Footer), partPalette: l.Palette,
					}
					var got bytes.Buffer
					if err := m.page(c, k).render(&got, &parts); err != nil {
						t.Fatal(err)
					}
					if got.String() != want.String() {
						t.Errorf("theme %q bare %v sidebar %v footer %v:\n got %s\nwant %s", theme, bare, sidebar, footer, got.String(), want.String())
					}
				}
			}
		}
	}
}

func TestRenderedPiecesMatchComponents(t *testing.T) {
	render := func(n g.Node) string {
		var b strings.Builder
		if err := n.Render(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, name := range []string{"Ada", "<b>&amp;</b>", "\x00webos-part:2\x00"} {
		if got, want := render(accountOf(name)), render(accountFor(g.Text(name), LogoutPath)); got != want {
			t.Errorf("account %q:\n got %s\nwant %s", name, got, want)
		}
	}
	if accountOf("") != nil {
		t.Error("account of nobody is not empty")
	}
	if got, want := render(flashesNode(nil)), render(Flashes(nil)); got != want {
		t.Errorf("no flashes: got %s, want %s", got, want)
	}
	greeting := "Welcome, <Ada>. \x00"
	if got, want := render(g.Group{homeHTML[0], g.Text(greeting), homeHTML[1]}), render(PageHeader("grid", "Launchpad", greeting)); got != want {
		t.Errorf("home header:\n got %s\nwant %s", got, want)
	}
	if got, want := widgetFrame("m<", `w"1`)+"</div>", render(h.Div(h.Class("widget"), g.Attr("data-widget", `w"1`), g.Attr("data-module", "m<"))); got != want {
		t.Errorf("widget frame: got %s, want %s", got, want)
	}
}

// TestWidgetNodeDropsPartialOutput checks that a widget failing halfway
// leaves none of its output, whether it renders into the page's buffer or
// into another writer.
func TestWidgetNodeDropsPartialOutput(t *testing.T) {
	m := New(Config{})
	wd := Widget{ID: "bad", Slot: SlotSidebar, Render: func(context.Context) g.Node {
		return g.NodeFunc(func(w io.Writer) error {
			_, _ = io.WriteString(w, "partial")
			return errors.New("boom")
		})
	}}
	n := &widgetNode{m: m, ctx: context.Background(), module: "mod", wd: &wd, frame: widgetFrame("mod", "bad")}
	want := `before<div class="widget" data-widget="bad" data-module="mod"><p class="widget-error muted">This widget is not available right now.</p></div>`
	var buf bytes.Buffer
	buf.WriteString("before")
	if err := n.Render(&buf); err != nil || buf.String() != want {
		t.Errorf("into a buffer: %q, %v", buf.String(), err)
	}
	var sb strings.Builder
	sb.WriteString("before")
	if err := n.Render(&sb); err != nil || sb.String() != want {
		t.Errorf("into a writer: %q, %v", sb.String(), err)
	}
}
