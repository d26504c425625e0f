package navaudit

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/ui"
)

// adminTabs is how many tabs the administrator's pages are shared by.
const adminTabs = 2

// narrowWidth is the phone width at which no page may scroll sideways.
const narrowWidth = 375

// The number of Tab presses of the focus check: from the top of the
// document (the skip link, the header), then from the start of <main>.
const (
	tabsFromTop  = 3
	tabsFromMain = 3
)

// TestNavigationAudit visits every page the demo's modules declare, as an
// administrator and as an ordinary user, and checks each against the
// shell's rules. It writes artifacts/browser/navaudit/report.txt.
func TestNavigationAudit(t *testing.T) {
	env(t)
	start := time.Now()
	ctx := context.Background()
	routes := newRouteTable(shared.app.Routes())
	rep := &report{started: start}
	out := artifactDir(t)
	defer func() { rep.write(t, filepath.Join(out, "report.txt")) }()

	adminUser, err := shared.auth.UserByEmail(ctx, adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	plainUser, err := shared.auth.UserByEmail(ctx, plainEmail)
	if err != nil {
		t.Fatal(err)
	}
	adminCtx, plainCtx := auth.WithUser(ctx, adminUser), auth.WithUser(ctx, plainUser)

	// The administrator's pages take longest: two tabs share them.
	var admins []*auditor
	for range adminTabs {
		tb := newTab(t)
		signIn(tb, adminEmail, adminPassword)
		ad := &auditor{tb: tb, role: "admin", routes: routes, rep: rep}
		if len(admins) == 0 {
			ad.links = newLinkChecker(client(tb))
		} else {
			ad.links = admins[0].links
		}
		admins = append(admins, ad)
	}
	a := admins[0]
	plain := newTab(t)
	signIn(plain, plainEmail, plainPassword)
	u := &auditor{tb: plain, role: "user", routes: routes, rep: rep, links: newLinkChecker(client(plain))}

	// The pages: what the modules declare to the shell, the GET routes
	// that answer with a document, what the declared POST commands lead
	// to, then whatever those pages link to.
	seeds, posts := declared(adminCtx)
	rep.declared = len(seeds)
	probed := routePages(routes, a.links)
	for _, p := range probed.pages {
		seeds = appendPage(seeds, p)
	}
	if len(posts) > 0 {
		tb := newTab(t)
		signIn(tb, posterEmail, posterPassword)
		for _, cmd := range posts {
			p, err := runPost(tb, cmd)
			switch {
			case err != nil:
				t.Errorf("palette command %q (POST %s): %v", cmd.Title, cmd.Post, err)
			case p != nil:
				seeds = appendPage(seeds, p)
			}
		}
	}

	// The ordinary user, in a tab of their own, visits each page as soon
	// as the administrator's crawl has found it: the pages the shell
	// offers them must open, those their routes refuse them must answer
	// 403 or 404, the rest may do either.
	userSeeds, _ := declared(plainCtx)
	userDeclared := map[string]bool{}
	for _, p := range userSeeds {
		userDeclared[p.path] = true
	}
	found := make(chan *pageRef, 1024)
	var pages []*pageRef
	var wg sync.WaitGroup
	wg.Go(func() {
		for p := range found {
			acc, _ := shared.app.RouteAccess(http.MethodGet, p.path)
			switch {
			case userDeclared[p.path]:
				u.audit(p, mustOpen)
			case !shared.app.Permits(plainCtx, acc):
				u.audit(p, mustRefuse)
			default:
				u.audit(p, mayOpen)
			}
		}
		for _, p := range userSeeds { // a page only the user is shown
			if !slices.ContainsFunc(pages, func(q *pageRef) bool { return q.path == p.path }) {
				u.audit(p, mustOpen)
			}
		}
		u.finish()
	})
	pages = crawl(admins, seeds, func(p *pageRef) { found <- p })
	for _, ad := range admins {
		ad.finish()
	}
	var nav sync.WaitGroup
	for i, ad := range admins {
		nav.Go(func() { ad.navigateInShell(i, len(admins)) })
	}
	nav.Wait()
	close(found) // after pages is set: the user's goroutine reads it
	wg.Wait()
	rep.pages = pages
	fetched := map[string]linkResult{}
	for _, lc := range []*linkChecker{a.links, u.links} {
		maps.Copy(fetched, lc.seen)
	}
	rep.uncovered = uncovered(routes, rep.results, probed.answers, fetched)
	rep.elapsed = time.Since(start)
	for _, r := range rep.results {
		for _, c := range r.checks {
			if !c.ok {
				t.Errorf("%s %s: %s: %s", r.role, r.path, c.name, c.detail)
			}
		}
	}
}

// pageRef is a page to visit and how it was found.
type pageRef struct {
	path string // path and query
	via  string
}

func appendPage(ps []*pageRef, p *pageRef) []*pageRef {
	if i := slices.IndexFunc(ps, func(q *pageRef) bool { return q.path == p.path }); i >= 0 {
		if !strings.Contains(ps[i].via, p.via) {
			ps[i].via += "; " + p.via
		}
		return ps
	}
	return append(ps, p)
}

// declared returns the pages the shell offers the user in ctx — menu
// entries, launchpad cards and palette commands that open a page — and
// the palette commands that post (other than signing out).
func declared(ctx context.Context) ([]*pageRef, []ui.Command) {
	var ps []*pageRef
	for _, it := range shared.shell.Menu(ctx) {
		ps = appendPage(ps, &pageRef{path: it.Path, via: "menu entry " + it.Name})
	}
	for _, a := range shared.shell.Apps(ctx) {
		p := a.Path
		if p == "" { // the shell's page for the app; see ui.App.Path
			p = "/apps/" + a.ID
		}
		ps = appendPage(ps, &pageRef{path: p, via: "launchpad card " + a.Name})
	}
	var posts []ui.Command
	for _, c := range shared.shell.Commands(ctx) {
		switch {
		case c.Href != "":
			p, _, _ := strings.Cut(c.Href, "#")
			ps = appendPage(ps, &pageRef{path: p, via: "palette command " + c.Title})
		case c.Post != "" && c.Post != ui.LogoutPath:
			posts = append(posts, c)
		}
	}
	return ps, posts
}

// probe is what the GET routes without path parameters answered.
type probe struct {
	pages   []*pageRef
	answers map[string]linkResult // by path
}

// routePages returns the application's GET routes without path
// parameters that answer a browser's navigation with an HTML document —
// a page, or a server error (which the audit then reports) — and what
// every such route answered. A route that refuses a request without its
// query parameters (4xx) is not a page of its own.
func routePages(routes *routeTable, lc *linkChecker) probe {
	var paths []string
	for _, r := range routes.list {
		if r.Method != http.MethodGet {
			continue
		}
		p := strings.TrimSuffix(r.Path, "{$}")
		if strings.Contains(p, "{") {
			continue
		}
		paths = append(paths, p)
	}
	res := lc.checkAll(paths, "a")
	out := probe{answers: res}
	for _, p := range paths {
		r := res[p]
		if !r.document || r.status >= 400 && r.status < 500 {
			continue
		}
		via := "GET route " + p
		if r.final != p {
			via += " (redirects to " + r.final + ")"
		}
		out.pages = append(out.pages, &pageRef{path: r.final, via: via})
	}
	return out
}

// uncovered lists the routes that answer GET of which no page was
// audited, each with the reason.
func uncovered(routes *routeTable, results []*pageResult, answers, fetched map[string]linkResult) []string {
	linked := map[string][]string{} // the URLs of a route's pattern the link checks fetched
	for u := range fetched {
		if rt, ok := routes.lookup(u); ok {
			linked[rt.Pattern()] = append(linked[rt.Pattern()], u)
		}
	}
	audited := map[string]bool{}
	for _, r := range results {
		if rt, ok := routes.lookup(r.final); ok {
			audited[rt.Pattern()] = true
		}
	}
	var out []string
	for _, r := range routes.list {
		if r.Method != http.MethodGet && r.Method != "" || audited[r.Pattern()] {
			continue
		}
		p := strings.TrimSuffix(r.Path, "{$}")
		why := ""
		switch a, probed := answers[p]; {
		case r.Stream:
			why = "a long-lived stream (events or a download)"
		case r.Method == "":
			why = "serves every method: a mounted handler with a UI of its own, outside the shell"
		case probed && a.err != nil:
			why = a.err.Error()
		case probed && a.final != "" && a.final != p:
			why = "redirects to " + a.final
			if rt, ok := routes.lookup(a.final); ok && audited[rt.Pattern()] {
				why += ", audited there"
			}
		case probed && a.status >= 300 && a.status < 400:
			why = fmt.Sprintf("redirects (HTTP %d)", a.status)
		case probed && a.status >= 400:
			why = fmt.Sprintf("HTTP %d without its query parameters (%s)", a.status, cmp.Or(a.ctype, "no content type"))
		case probed:
			why = "not a page: " + cmp.Or(a.ctype, "no content type")
		case len(linked[r.Pattern()]) > 0:
			us := linked[r.Pattern()]
			slices.Sort(us)
			why = fmt.Sprintf("not a page; the link checks fetched %d of its URLs (%s, %s)", len(us), us[0], fetched[us[0]])
		default:
			why = "has path parameters, and no audited page links to one"
		}
		out = append(out, fmt.Sprintf("%-45s %-10s %s", r.Pattern(), r.Module, why))
	}
	return out
}

// routeTable finds the route that serves a path, as the application's
// mux does.
type routeTable struct {
	list      []webos.Route
	mux       *http.ServeMux
	byPattern map[string]webos.Route
}

func newRouteTable(list []webos.Route) *routeTable {
	rt := &routeTable{list: list, mux: http.NewServeMux(), byPattern: map[string]webos.Route{}}
	for _, r := range list {
		p := r.Pattern()
		if _, dup := rt.byPattern[p]; dup {
			continue
		}
		rt.byPattern[p] = r
		rt.mux.Handle(p, http.NotFoundHandler())
	}
	return rt
}

// lookup returns the GET route that serves target (a path and query).
func (rt *routeTable) lookup(target string) (webos.Route, bool) {
	u, err := url.Parse(target)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return webos.Route{}, false
	}
	_, pattern := rt.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: u.Path}, Host: "localhost", Header: http.Header{}})
	r, ok := rt.byPattern[pattern]
	return r, ok
}

// expectation is what a user may do with a page.
type expectation int

const (
	mustOpen   expectation = iota // the shell offers it to the user
	mustRefuse                    // the route refuses the user
	mayOpen                       // the route lets the user in; the page may still refuse
)

// auditor visits pages in one tab, as one user.
type auditor struct {
	tb     *browsertest.Tab
	role   string
	routes *routeTable
	rep    *report
	links  *linkChecker
	last   *pageResult
}

// runPost runs a palette command that posts, as the palette does (a form
// submitted from a page of the shell), and returns the page it leads to,
// or nil when it answers with something other than an HTML document.
func runPost(tb *browsertest.Tab, cmd ui.Command) (*pageRef, error) {
	if _, err := tb.VisitErr("/"); err != nil {
		return nil, err
	}
	js := fmt.Sprintf(`(() => { window.navauditBefore = true; const f = document.createElement("form"); f.method = "post"; f.action = %q; document.body.appendChild(f); f.submit(); return true; })()`, cmd.Post)
	if _, err := browsertest.EvalErr[bool](tb, js); err != nil {
		return nil, err
	}
	if err := tb.WaitErr(`window.navauditBefore === undefined && `+pageReady, 0); err != nil {
		return nil, err
	}
	path, err := browsertest.EvalErr[string](tb, `document.doctype !== null && document.contentType === "text/html" ? location.pathname + location.search : ""`)
	takeEvents(tb)
	if err != nil || path == "" {
		return nil, err
	}
	return &pageRef{path: path, via: "palette command " + cmd.Title + " (POST " + cmd.Post + ")"}, nil
}

// crawl audits the seeds, then each page they link to whose route has no
// page audited yet, with each of the auditors (one tab each) taking the
// next page as it is free. It calls found with each page it audited, and
// returns them all.
func crawl(auditors []*auditor, seeds []*pageRef, found func(*pageRef)) []*pageRef {
	var mu sync.Mutex
	idle := sync.NewCond(&mu)
	queue := slices.Clone(seeds)
	busy := 0
	seenPath := map[string]bool{}
	seenRoute := map[string]bool{}
	var done []*pageRef
	var wg sync.WaitGroup
	for _, a := range auditors {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			for {
				for len(queue) == 0 && busy > 0 {
					idle.Wait()
				}
				if len(queue) == 0 {
					return
				}
				p := queue[0]
				queue = queue[1:]
				if seenPath[p.path] {
					continue
				}
				seenPath[p.path] = true
				busy++
				mu.Unlock()
				res := a.audit(p, mustOpen)
				mu.Lock()
				busy--
				idle.Broadcast()
				if res == nil {
					continue
				}
				done = append(done, p)
				found(p)
				seenPath[res.final] = true
				if r, ok := a.routes.lookup(res.final); ok {
					seenRoute[r.Pattern()] = true
				}
				for _, l := range res.pageLinks {
					r, ok := a.routes.lookup(l)
					if !ok || r.Stream || r.Method == "" || seenRoute[r.Pattern()] || seenPath[l] {
						continue
					}
					seenRoute[r.Pattern()] = true
					queue = append(queue, &pageRef{path: l, via: "link on " + res.final})
				}
			}
		})
	}
	wg.Wait()
	return done
}

// navigateInShell follows every menu entry from the launchpad as a user
// does — htmx swaps <main>, the title and the menu — and checks that the
// title and the active entry are those of the page loaded whole. Of n
// auditors sharing the work, the i-th takes every n-th entry.
func (a *auditor) navigateInShell(i, n int) {
	tb := a.tb
	whole := map[string]*pageResult{}
	for _, r := range a.rep.snapshot() {
		if r.role == a.role && r.title != "" && !r.refused && whole[r.final] == nil {
			whole[r.final] = r
		}
	}
	res := &pageResult{role: a.role, path: fmt.Sprintf("/ (menu, part %d of %d)", i+1, n), via: "the menu's entries, followed inside the shell"}
	a.rep.add(res)
	a.last = res
	if _, err := tb.VisitErr("/"); err != nil {
		res.add("in-shell navigation", false, "%v", err)
		return
	}
	menu, err := browsertest.EvalErr[[]string](tb, `[...document.querySelectorAll("#nav a[href]")].map(a => a.getAttribute("href"))`)
	if err != nil {
		res.add("in-shell navigation", false, "%v", err)
		return
	}
	for j, href := range menu {
		if j%n != i {
			continue
		}
		w := whole[href]
		if w == nil {
			res.add("in-shell navigation", false, "%s: no page audited there to compare with", href)
			continue
		}
		js := fmt.Sprintf(`(() => { window.navauditPage = true; document.querySelector('#nav a[href=%q]').click(); return true; })()`, href)
		if _, err := browsertest.EvalErr[bool](tb, js); err != nil {
			res.add("in-shell navigation", false, "%s: click: %v", href, err)
			continue
		}
		want := fmt.Sprintf(`window.navauditPage === true && location.pathname + location.search === %q && document.title === %q &&
			document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") === null`, w.final, w.title)
		if err := tb.WaitErr(want, 0); err != nil {
			got, _ := browsertest.EvalErr[string](tb, `location.pathname + location.search + " titled " + JSON.stringify(document.title) + (window.navauditPage === true ? "" : " (a whole page load)")`)
			res.add("in-shell navigation", false, "%s: want %s titled %q, got %s", href, w.final, w.title, got)
			continue
		}
		active, err := browsertest.EvalErr[[]string](tb, `[...document.querySelectorAll('#nav a[aria-current="page"]')].map(a => a.getAttribute("href"))`)
		if err == nil && !slices.Equal(active, w.active) {
			res.add("in-shell navigation", false, "%s: active entries %v, but %v on the whole page", href, active, w.active)
			continue
		}
		res.add("in-shell navigation", true, "%s: title %q and active entry %v as on the whole page", href, w.title, w.active)
	}
	a.finish()
}

// check is one check of one page.
type check struct {
	name   string
	ok     bool
	detail string
}

// pageResult is the audit of one page as one user.
type pageResult struct {
	role, path, final, via, module string
	status                         int
	title                          string   // the document title on a full load
	active                         []string // the active menu entries on a full load
	refused                        bool
	checks                         []check
	shots                          []string
	took                           []string // how long each step took
	pageLinks                      []string // same-origin <a> links that answer with a document
}

// step records how long a step took since *since, and restarts it.
func (r *pageResult) step(name string, since *time.Time) {
	now := time.Now()
	r.took = append(r.took, fmt.Sprintf("%s %dms", name, now.Sub(*since).Milliseconds()))
	*since = now
}

func (r *pageResult) add(name string, ok bool, format string, args ...any) {
	r.checks = append(r.checks, check{name: name, ok: ok, detail: fmt.Sprintf(format, args...)})
}

// audit visits p and checks it. It returns nil when the page could not be
// loaded at all (recorded as a failure).
func (a *auditor) audit(p *pageRef, want expectation) *pageResult {
	tb := a.tb
	res := &pageResult{role: a.role, path: p.path, via: p.via}
	a.rep.add(res)
	if a.last != nil {
		a.addEvents(a.last, takeEvents(tb), true)
	}
	a.last = res

	clock := time.Now()
	status, err := tb.VisitErr(p.path)
	res.step("load", &clock)
	res.status = status
	if err != nil {
		res.add("load", false, "%v", err)
		return nil
	}
	facts, err := browsertest.EvalErr[pageFacts](tb, jsFacts)
	if err != nil {
		res.add("load", false, "read the page: %v", err)
		return nil
	}
	res.final, res.title, res.active = facts.Path, facts.Title, facts.Active
	route, routeOK := a.routes.lookup(facts.Path)
	res.module = route.Module
	shot := sanitize(a.role + p.path)

	// The status: what the user may open opens; what they may not is
	// refused with 403 or 404 — never a server error.
	res.refused = status == http.StatusForbidden || status == http.StatusNotFound
	switch {
	case status >= 500:
		res.add("status", false, "HTTP %d", status)
	case want == mustOpen && status >= 400:
		res.add("status", false, "HTTP %d, but the shell offers the page to %s", status, a.role)
	case want == mustRefuse && !res.refused:
		res.add("status", false, "HTTP %d, but the route refuses %s: want 403 or 404", status, a.role)
	case want == mayOpen && status >= 400 && !res.refused:
		res.add("status", false, "HTTP %d: want a page, or 403 or 404", status)
	default:
		res.add("status", true, "HTTP %d", status)
	}
	res.add("document", facts.Doctype, "an HTML document with <!doctype html>")

	inShell := routeOK && route.SignedIn || facts.Frame.Nav
	if inShell {
		f := facts.Frame
		ok := f.Shell && f.Header && f.Nav && f.Main && f.Palette
		res.add("shell frame", ok, "body.shell %v, header %v, menu %v, main %v, palette %v", f.Shell, f.Header, f.Nav, f.Main, f.Palette)
	}
	if res.refused {
		a.checkTitle(res, facts, route, inShell, true)
		if s, err := tb.ScreenshotErr(shot); err == nil {
			res.shots = append(res.shots, filepath.Base(s))
		}
		return res
	}
	if inShell {
		a.checkActive(res, facts, route)
	}
	a.checkTitle(res, facts, route, inShell, false)
	res.step("facts", &clock)
	a.checkLinks(res, facts)
	res.step("links", &clock)
	a.checkFocus(res)
	res.step("focus", &clock)
	if s, err := tb.ScreenshotErr(shot); err == nil {
		res.shots = append(res.shots, filepath.Base(s))
	} else {
		res.add("screenshot", false, "%v", err)
	}
	res.step("screenshot", &clock)
	a.checkNarrowDark(res, shot)
	res.step("375px and dark", &clock)
	return res
}

// finish gives the last page's scripts a moment, then records what the
// tab saw.
func (a *auditor) finish() {
	time.Sleep(200 * time.Millisecond)
	if a.last != nil {
		a.addEvents(a.last, takeEvents(a.tb), true)
		a.last = nil
	}
}

// addEvents turns what the tab recorded into the page's console check.
// late marks events that arrived after the page's checks.
func (a *auditor) addEvents(res *pageResult, events []string, late bool) {
	var bad []string
	for _, e := range events {
		// The browser logs the refused document itself; the status
		// check judges it.
		if res.refused && strings.Contains(e, "Failed to load resource") && (strings.HasSuffix(e, res.final+"]") || strings.HasSuffix(e, res.path+"]")) {
			continue
		}
		bad = append(bad, e)
	}
	if len(bad) == 0 && late {
		if !slices.ContainsFunc(res.checks, func(c check) bool { return c.name == "console" }) {
			res.add("console", true, "no error, exception or policy violation")
		}
		return
	}
	if len(bad) > 0 {
		res.checks = slices.DeleteFunc(res.checks, func(c check) bool { return c.name == "console" && c.ok })
		res.add("console", false, "%s", strings.Join(bad, " | "))
	}
}

// checkActive: exactly one menu entry is active, it belongs to the page's
// module, and it is the entry for this very page when there is one.
func (a *auditor) checkActive(res *pageResult, facts pageFacts, route webos.Route) {
	if len(facts.Active) != 1 {
		res.add("active menu entry", false, "%d active entries %v, want exactly one", len(facts.Active), facts.Active)
		return
	}
	active := facts.Active[0]
	ar, _ := a.routes.lookup(active)
	switch {
	case slices.Contains(facts.Menu, facts.Path) && active != facts.Path:
		res.add("active menu entry", false, "%s is active, but the menu has an entry for this page", active)
	case ar.Module != route.Module:
		res.add("active menu entry", false, "%s (module %q) is active on a page of module %q", active, ar.Module, route.Module)
	default:
		res.add("active menu entry", true, "%s (module %q)", active, ar.Module)
	}
}

// checkTitle: the document title names the app the page belongs to (and,
// inside the shell, ends with the brand).
func (a *auditor) checkTitle(res *pageResult, facts pageFacts, route webos.Route, inShell, refused bool) {
	title := facts.Title
	var missing []string
	if inShell && facts.Brand != "" && !strings.HasSuffix(title, facts.Brand) {
		missing = append(missing, "the brand "+facts.Brand)
	}
	name := ""
	if !refused {
		name = appName(facts.Path, route, a.routes)
	}
	if name != "" && !strings.Contains(strings.ToLower(title), strings.ToLower(name)) {
		missing = append(missing, "the app's name "+name)
	}
	if strings.TrimSpace(title) == "" {
		missing = append(missing, "any text")
	}
	res.add("title", len(missing) == 0, "%q lacks %s", title, strings.Join(missing, " and "))
	if len(missing) == 0 {
		res.checks[len(res.checks)-1].detail = fmt.Sprintf("%q", title)
	}
}

// appName is the name of the app a page belongs to: the launchpad card
// that leads to it, else the card of its module, else the module's name.
// The shell's own pages are named by the brand alone.
func appName(path string, route webos.Route, routes *routeTable) string {
	admin := adminContext()
	apps := shared.shell.Apps(admin)
	for _, c := range apps {
		if c.Path == path || c.Path == "" && "/apps/"+c.ID == path {
			return c.Name
		}
	}
	if route.Module == "" || route.Module == ui.ModuleID {
		return ""
	}
	for _, c := range apps {
		if c.Path == "" {
			continue
		}
		if r, ok := routes.lookup(c.Path); ok && r.Module == route.Module {
			return c.Name
		}
	}
	if m, ok := shared.app.Module(route.Module); ok {
		return m.ModuleInfo().Name
	}
	return ""
}

var adminCtxOnce = sync.OnceValue(func() context.Context {
	u, err := shared.auth.UserByEmail(context.Background(), adminEmail)
	if err != nil {
		panic(err)
	}
	return auth.WithUser(context.Background(), u)
})

func adminContext() context.Context { return adminCtxOnce() }

// checkLinks fetches every same-origin URL the page refers to.
func (a *auditor) checkLinks(res *pageResult, facts pageFacts) {
	var urls []string
	kind := map[string]string{}
	for _, l := range facts.Links {
		urls = append(urls, l.URL)
		kind[l.URL] = l.Tag
	}
	got := a.links.checkLinks(facts.Links)
	var broken []string
	for _, u := range urls {
		r := got[u]
		if r.err != nil || r.status >= 400 {
			broken = append(broken, fmt.Sprintf("<%s> %s: %s", kind[u], u, r))
		}
		if kind[u] == "a" && r.document && r.status < 400 {
			res.pageLinks = append(res.pageLinks, u)
		}
	}
	res.add("links", len(broken) == 0, "%d same-origin URLs; broken: %s", len(urls), strings.Join(broken, ", "))
	if len(broken) == 0 {
		res.checks[len(res.checks)-1].detail = fmt.Sprintf("%d same-origin URLs, all < 400", len(urls))
	}
}

// checkFocus presses Tab from the top of the page and from the start of
// <main>, and checks that each element that takes the focus shows it.
func (a *auditor) checkFocus(res *pageResult) {
	tb := a.tb
	var seen, hidden []string
	press := func(n int) error {
		for range n {
			if err := tb.DoErr(chromedp.KeyEvent(kb.Tab)); err != nil {
				return err
			}
			st, err := browsertest.EvalErr[focusState](tb, jsFocus)
			if err != nil {
				return err
			}
			if st.None {
				continue
			}
			seen = append(seen, st.El)
			if !st.Visible {
				hidden = append(hidden, st.El+": "+st.Why)
			}
		}
		return nil
	}
	if err := press(tabsFromTop); err != nil {
		res.add("focus visible", false, "%v", err)
		return
	}
	if ok, err := browsertest.EvalErr[bool](tb, jsFocusMain); err == nil && ok {
		if err := press(tabsFromMain); err != nil {
			res.add("focus visible", false, "%v", err)
			return
		}
	}
	switch {
	case len(seen) == 0:
		res.add("focus visible", false, "Tab focused nothing")
	case len(hidden) > 0:
		res.add("focus visible", false, "%s", strings.Join(hidden, "; "))
	default:
		res.add("focus visible", true, "%d elements reached by Tab, each with an outline or box-shadow", len(seen))
	}
	_, _ = browsertest.EvalErr[bool](tb, `(document.activeElement && document.activeElement.blur(), scrollTo(0, 0), true)`)
}

// checkNarrowDark narrows the viewport to a phone's width and switches
// the system to dark, without reloading: nothing may scroll sideways, and
// the main text must keep its contrast.
func (a *auditor) checkNarrowDark(res *pageResult, shot string) {
	tb := a.tb
	defer func() {
		_ = tb.ViewportErr(0, 0)
		_ = tb.ColorSchemeErr("light")
	}()
	if err := tb.ViewportErr(narrowWidth, 800); err != nil {
		res.add("no sideways scroll at 375px", false, "%v", err)
		return
	}
	if err := tb.ColorSchemeErr("dark"); err != nil {
		res.add("dark mode contrast", false, "%v", err)
		return
	}
	n, err := browsertest.EvalErr[narrowState](tb, jsNarrow)
	switch {
	case err != nil:
		res.add("no sideways scroll at 375px", false, "%v", err)
	case n.Over:
		res.add("no sideways scroll at 375px", false, "document %dpx wide in a %dpx viewport; sticking out: %s", n.ScrollWidth, n.ClientWidth, strings.Join(n.Offenders, ", "))
	default:
		res.add("no sideways scroll at 375px", true, "document %dpx wide", n.ScrollWidth)
	}
	c, err := browsertest.EvalErr[contrastState](tb, jsContrast)
	switch {
	case err != nil:
		res.add("dark mode contrast", false, "%v", err)
	case !c.Dark:
		res.add("dark mode contrast", false, "the page does not follow the system's dark preference")
	case c.NFails > 0 || c.Main.Ratio < 4.5:
		var fs []string
		for _, f := range c.Fails {
			fs = append(fs, fmt.Sprintf("%s %q %s on %s = %.2f (needs %.1f)", f.El, f.Text, f.FG, f.BG, f.Ratio, f.Need))
		}
		res.add("dark mode contrast", false, "main text %s on %s = %.2f; %d of %d texts too faint: %s", c.Main.FG, c.Main.BG, c.Main.Ratio, c.NFails, c.Checked, strings.Join(fs, "; "))
	default:
		res.add("dark mode contrast", true, "main text %s on %s = %.2f; %d texts checked, lowest %.2f", c.Main.FG, c.Main.BG, c.Main.Ratio, c.Checked, c.Min)
	}
	if s, err := tb.ScreenshotErr(shot + "-dark-375"); err == nil {
		res.shots = append(res.shots, filepath.Base(s))
	}
}

// linkChecker fetches same-origin URLs with a user's cookies, once each,
// a few at a time.
type linkChecker struct {
	client *http.Client
	mu     sync.Mutex
	seen   map[string]linkResult
}

type linkResult struct {
	final    string // the path after redirects
	status   int
	ctype    string
	document bool // an HTML document (<!doctype html>)
	err      error
}

func (r linkResult) String() string {
	if r.err != nil {
		return r.err.Error()
	}
	return fmt.Sprintf("HTTP %d", r.status)
}

func newLinkChecker(c *http.Client) *linkChecker {
	return &linkChecker{client: c, seen: map[string]linkResult{}}
}

func (lc *linkChecker) checkLinks(links []link) map[string]linkResult {
	byTag := map[string][]string{}
	for _, l := range links {
		byTag[l.Tag] = append(byTag[l.Tag], l.URL)
	}
	out := map[string]linkResult{}
	for tag, urls := range byTag {
		for u, r := range lc.checkAll(urls, tag) {
			out[u] = r
		}
	}
	return out
}

// checkAll fetches the URLs: with GET, as a navigation for links (<a>),
// as a subresource otherwise; only the first bytes of a body are read.
func (lc *linkChecker) checkAll(urls []string, tag string) map[string]linkResult {
	out := map[string]linkResult{}
	var todo []string
	lc.mu.Lock()
	for _, u := range urls {
		if r, ok := lc.seen[u]; ok {
			out[u] = r
		} else if !slices.Contains(todo, u) {
			todo = append(todo, u)
		}
	}
	lc.mu.Unlock()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	for _, u := range todo {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			r := lc.fetch(u, tag == "a")
			mu.Lock()
			out[u] = r
			mu.Unlock()
		})
	}
	wg.Wait()
	lc.mu.Lock()
	for _, u := range todo {
		lc.seen[u] = out[u]
	}
	lc.mu.Unlock()
	return out
}

// fetch GETs u once more when the first attempt got no answer at all: a
// page that is slow to build the first time (on a loaded machine, under
// the race detector) is slow, not broken.
func (lc *linkChecker) fetch(u string, navigation bool) linkResult {
	r := lc.fetchOnce(u, navigation)
	if r.err != nil {
		r = lc.fetchOnce(u, navigation)
	}
	return r
}

func (lc *linkChecker) fetchOnce(u string, navigation bool) linkResult {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, shared.srv.URL+u, nil)
	if err != nil {
		return linkResult{err: err}
	}
	if navigation {
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Sec-Fetch-Dest", "document")
	} else {
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Sec-Fetch-Mode", "no-cors")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := lc.client.Do(req)
	if err != nil {
		return linkResult{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	ct := resp.Header.Get("Content-Type")
	doc := strings.HasPrefix(ct, "text/html") && bytes.HasPrefix(bytes.ToLower(bytes.TrimSpace(head)), []byte("<!doctype html"))
	final := resp.Request.URL.EscapedPath()
	if q := resp.Request.URL.RawQuery; q != "" {
		final += "?" + q
	}
	return linkResult{final: final, status: resp.StatusCode, ctype: ct, document: doc}
}

func sanitize(s string) string {
	out := []rune(strings.Trim(s, "/"))
	for i, r := range out {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			out[i] = '-'
		}
	}
	return strings.TrimRight(string(out), "-")
}

// checkLegend says what each check of the report means.
const checkLegend = `the checks:
  status                  what the shell offers the user opens (< 400); what the route refuses answers 403 or 404; never >= 500
  document                the answer is an HTML document (<!doctype html>)
  shell frame             on a page that needs sign-in (or shows the menu): body.shell, the header, the menu, <main>, the palette
  active menu entry       exactly one entry has aria-current=page, it belongs to the page's module, and it is the page's own entry when it has one
  title                   the document title names the app (its launchpad card, else its module) and ends with the brand
  console                 no console error, uncaught exception, failed load or Content-Security-Policy violation
  links                   every same-origin href, src and srcset of the page answers GET with a status < 400
  focus visible           Tab from the top (3 presses) and from the start of <main> (3): each focused element has an outline or box-shadow and is on screen
  no sideways scroll      at 375 px wide (phone), the document is no wider than the viewport
  in-shell navigation     each menu entry, clicked on the launchpad (htmx swaps the page in), gives the title and active entry of the page loaded whole
  dark mode contrast      with the system in dark mode, <main>'s text and every visible text in it reach 4.5:1 (3:1 when large), from the computed colours
`

// report is what the audit writes to report.txt.
type report struct {
	mu       sync.Mutex
	started  time.Time
	elapsed  time.Duration
	declared int
	pages    []*pageRef
	// uncovered are the GET routes of which no page was audited, with
	// the reason.
	uncovered []string
	results   []*pageResult
}

// snapshot returns the results so far.
func (rp *report) snapshot() []*pageResult {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return slices.Clone(rp.results)
}

func (rp *report) add(r *pageResult) {
	rp.mu.Lock()
	rp.results = append(rp.results, r)
	rp.mu.Unlock()
}

func (rp *report) write(t *testing.T, path string) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	slices.SortStableFunc(rp.results, func(a, b *pageResult) int { return cmp.Compare(a.role, b.role) })
	var b strings.Builder
	checks, failed := 0, 0
	byName := map[string][2]int{}
	for _, r := range rp.results {
		for _, c := range r.checks {
			checks++
			n := byName[c.name]
			n[0]++
			if !c.ok {
				failed++
				n[1]++
			}
			byName[c.name] = n
		}
	}
	roles := map[string]int{}
	for _, r := range rp.results {
		roles[r.role]++
	}
	fmt.Fprintf(&b, "Navigation audit of the reference server (examples/demo), %s\n", rp.started.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "pages found: %d (%d declared to the shell for the administrator; the rest from GET routes, POST commands and links)\n", len(rp.pages), rp.declared)
	fmt.Fprintf(&b, "page visits: %d (admin %d, user %d); checks run: %d; failed: %d; time: %s\n\n", len(rp.results), roles["admin"], roles["user"], checks, failed, rp.elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(&b, "%s\n", checkLegend)
	fmt.Fprintf(&b, "checks by kind (run / failed):\n")
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-28s %4d / %d\n", n, byName[n][0], byName[n][1])
	}
	fmt.Fprintf(&b, "\nfailures:\n")
	if failed == 0 {
		fmt.Fprintf(&b, "  none\n")
	}
	for _, r := range rp.results {
		for _, c := range r.checks {
			if !c.ok {
				fmt.Fprintf(&b, "  %-5s %-40s %s: %s\n", r.role, r.path, c.name, c.detail)
			}
		}
	}
	fmt.Fprintf(&b, "\nGET routes without an audited page (%d of %d routes):\n", len(rp.uncovered), len(shared.app.Routes()))
	for _, u := range rp.uncovered {
		fmt.Fprintf(&b, "  %s\n", u)
	}
	fmt.Fprintf(&b, "\npages:\n")
	for _, r := range rp.results {
		outcome := "opened"
		if r.refused {
			outcome = "refused"
		}
		fail := 0
		for _, c := range r.checks {
			if !c.ok {
				fail++
			}
		}
		fmt.Fprintf(&b, "\n%s %s -> %s (HTTP %d, %s, module %q, %d checks, %d failed)\n  found by: %s\n", r.role, r.path, cmp.Or(r.final, "?"), r.status, outcome, r.module, len(r.checks), fail, r.via)
		for _, c := range r.checks {
			mark := "ok  "
			if !c.ok {
				mark = "FAIL"
			}
			fmt.Fprintf(&b, "  %s %-28s %s\n", mark, c.name, c.detail)
		}
		if len(r.shots) > 0 {
			fmt.Fprintf(&b, "  screenshots: %s\n", strings.Join(r.shots, ", "))
		}
		fmt.Fprintf(&b, "  time: %s\n", strings.Join(r.took, ", "))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("report: %s (%d pages, %d visits, %d checks, %d failed)", path, len(rp.pages), len(rp.results), checks, failed)
}
