package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/browsertest"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

var ctrlK = chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl))

// TestBrowserLaunchpad signs in and finds the launchpad with the apps, the
// Sales chart in the dashboard slot, one module's sidebar buttons and
// another module's header widget.
func TestBrowserLaunchpad(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)

	apps := browsertest.Eval[[]string](tb, `[...document.querySelectorAll("main .app-grid .app-name")].map(e => e.textContent)`)
	for _, want := range []string{"Hello", "Sales"} {
		if !contains(apps, want) {
			t.Errorf("launchpad apps %q lack %q", apps, want)
		}
	}
	if got := browsertest.Eval[string](tb, `document.querySelector("main .flash-success").textContent`); got != "You are signed in." {
		t.Errorf("flash %q", got)
	}

	// The Sales chart: an SVG with twelve bars, laid out and visible.
	tb.WaitFor("the Sales chart", `document.querySelectorAll("[data-slot=dashboard] [data-widget=sales-chart] svg.chart rect.bar").length === 12`)
	box := browsertest.Eval[map[string]float64](tb, `(() => { const r = document.querySelector("[data-widget=sales-chart] svg.chart").getBoundingClientRect(); return {w: r.width, h: r.height, top: r.top}; })()`)
	if box["w"] < 200 || box["h"] < 80 {
		t.Errorf("chart box %v", box)
	}
	if fill := browsertest.Eval[string](tb, `getComputedStyle(document.querySelector("[data-widget=sales-chart] rect.bar")).fill`); fill == "" || fill == "none" {
		t.Errorf("bars are not painted: fill %q", fill)
	}

	// The hello module's sidebar button, the ui module's and the dashboard
	// module's header widget.
	for _, sel := range []string{
		`#sidebar #nav a[href="/apps/hello"]`,
		`#sidebar #nav a[href="/dashboard/"]`,
		`#sidebar #nav a[href="/ui/logs"]`,
		`header [data-slot=header] [data-widget=sales-today][data-module=dashboard]`,
	} {
		if !browsertest.Eval[bool](tb, visibleJS(sel)) {
			t.Errorf("%s is not visible", sel)
		}
	}
	if got := browsertest.Eval[string](tb, `document.querySelector("[data-widget=sales-today]").textContent`); !strings.Contains(got, "Today $") {
		t.Errorf("header widget %q", got)
	}
	tb.Screenshot("launchpad-admin")
}

// TestBrowserCardOpensAppInShell clicks the Hello card: the app opens in
// the shell's main region without reloading the page.
func TestBrowserCardOpensAppInShell(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	browsertest.Eval[chromedp.Void](tb, `window.__stillTheSamePage = true`)
	tb.Do("click the Hello card", chromedp.Click(chromedp.CSS(`a.app-card[data-app=hello]`)))
	tb.WaitFor("the Hello app", `location.pathname === "/apps/hello" && document.querySelector("main [data-app=hello]") !== null`)
	if !browsertest.Eval[bool](tb, `window.__stillTheSamePage === true`) {
		t.Error("the page was reloaded instead of navigating inside the shell")
	}
	if got := browsertest.Eval[string](tb, `document.title`); got != "Hello · WebOS" {
		t.Errorf("title %q", got)
	}
	tb.WaitFor("the active menu entry", `document.querySelector("#nav a[aria-current=page]").getAttribute("href") === "/apps/hello"`)
	if got := browsertest.Eval[string](tb, `document.querySelector("main h1").textContent`); got != "Hello" {
		t.Errorf("heading %q", got)
	}
	// Back goes back to the launchpad.
	tb.Do("go back", chromedp.NavigateBack())
	tb.WaitFor("the launchpad again", `location.pathname === "/" && document.querySelector("main .launchpad") !== null`)
}

// TestBrowserPalette opens the palette with Ctrl+K, types "hel" and
// presses Enter to open the hello app; Esc closes it and gives focus back.
func TestBrowserPalette(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)

	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the open palette", `document.getElementById("palette").open && document.activeElement.id === "palette-input"`)
	tb.Do("type hel", chromedp.KeyEvent("hel"))
	tb.WaitFor("the filtered list", `[...document.querySelectorAll("#palette-list [role=option]")].filter(o => !o.hidden).length >= 1`)
	first := browsertest.Eval[string](tb, `(() => { const o = [...document.querySelectorAll("#palette-list [role=option]")].find(o => !o.hidden); return o.querySelector(".palette-title").textContent + "|" + o.getAttribute("aria-selected") + "|" + (document.getElementById("palette-input").getAttribute("aria-activedescendant") === o.id); })()`)
	if first != "Hello|true|true" {
		t.Errorf("first option %q, want Hello, selected and active", first)
	}
	tb.Screenshot("palette-open")
	tb.Do("press Enter", chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the Hello app", `location.pathname === "/apps/hello" && document.querySelector("main [data-app=hello]") !== null && !document.getElementById("palette").open`)

	// Arrow keys move the selection; Esc closes and returns focus.
	tb.WaitFor("focus on the new page's heading", `document.activeElement === document.querySelector("main h1")`)
	browsertest.Eval[chromedp.Void](tb, `document.getElementById("theme-toggle").focus()`)
	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the open palette", `document.getElementById("palette").open`)
	tb.Do("press Down", chromedp.KeyEvent(kb.ArrowDown))
	if got := browsertest.Eval[string](tb, `document.getElementById("palette-input").getAttribute("aria-activedescendant")`); got == "" || got == browsertest.Eval[string](tb, `document.querySelector("#palette-list [role=option]").id`) {
		t.Errorf("Down did not move the selection: %q", got)
	}
	tb.Do("press Esc", chromedp.KeyEvent(kb.Escape))
	tb.WaitFor("the closed palette", `!document.getElementById("palette").open`)
	if got := browsertest.Eval[string](tb, `document.activeElement.id`); got != "theme-toggle" {
		t.Errorf("focus went to %q, not back to the theme toggle", got)
	}
	// Cmd+K opens it too (macOS), and matching is fuzzy: "hlo" finds Hello.
	tb.Do("press Cmd+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierMeta)))
	tb.WaitFor("the palette opened by Cmd+K", `document.getElementById("palette").open && document.activeElement.id === "palette-input"`)
	tb.Do("type hlo", chromedp.KeyEvent("hlo"))
	tb.WaitFor("a fuzzy match", `(() => { const o = [...document.querySelectorAll("#palette-list [role=option]")].find(o => !o.hidden); return o && o.querySelector(".palette-title").textContent === "Hello"; })()`)
	tb.Do("press Esc", chromedp.KeyEvent(kb.Escape))
	tb.WaitFor("the closed palette", `!document.getElementById("palette").open`)
	// Ctrl+F stays the browser's.
	if browsertest.Eval[bool](tb, `(() => { const e = new KeyboardEvent("keydown", {key: "f", ctrlKey: true, bubbles: true, cancelable: true}); document.body.dispatchEvent(e); return e.defaultPrevented; })()`) {
		t.Error("Ctrl+F was taken from the browser")
	}
}

// TestBrowserDarkMode toggles dark mode: the computed background changes,
// survives a reload, and follows the user even without the cookie.
func TestBrowserDarkMode(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserThemeEmail, browserThemePassword)
	// Start from "no choice" (an earlier run with -count may have chosen).
	tb.WaitFor("no theme chosen", `fetch("/ui/theme", {method: "POST", body: new URLSearchParams({theme: "system"})}).then(r => r.status === 204)`)
	tb.Visit("/")
	bg := `getComputedStyle(document.body).backgroundColor`
	light := browsertest.Eval[string](tb, bg)
	if got := browsertest.Eval[string](tb, `document.documentElement.getAttribute("data-theme") || ""`); got != "" {
		t.Fatalf("the theme is %q before the user chose one", got)
	}
	tb.Screenshot("launchpad-light")

	tb.Do("click the theme toggle", chromedp.Click(chromedp.CSS("#theme-toggle")))
	tb.WaitFor("dark mode", `document.documentElement.getAttribute("data-theme") === "dark" && document.getElementById("theme-toggle").getAttribute("aria-pressed") === "true"`)
	dark := browsertest.Eval[string](tb, bg)
	if dark == light {
		t.Fatalf("background stayed %s", light)
	}
	tb.Screenshot("launchpad-dark")

	// The choice is stored before the reload shows it.
	tb.WaitFor("the stored choice", `fetch("/", {headers: {"Accept": "text/html"}}).then(r => r.text()).then(t => t.includes('data-theme="dark"'))`)
	tb.Do("reload", chromedp.Reload())
	tb.WaitFor("the page after reload", `document.body.getAttribute("data-shell-ready") === "true"`)
	if got := browsertest.Eval[string](tb, bg); got != dark {
		t.Errorf("after reload the background is %s, want %s", got, dark)
	}

	// Without the theme cookie the user's stored choice still applies.
	if _, err := chromedp.Call(tb.Context(), network.DeleteCookies, network.DeleteCookiesParams{Name: "webos_theme", URL: tb.URL("/")}); err != nil {
		t.Fatal(err)
	}
	tb.Do("reload", chromedp.Reload())
	tb.WaitFor("the page after reload", `document.body.getAttribute("data-shell-ready") === "true"`)
	if got := browsertest.Eval[string](tb, bg); got != dark {
		t.Errorf("without the cookie the background is %s, want %s", got, dark)
	}
	tb.Do("click the theme toggle", chromedp.Click(chromedp.CSS("#theme-toggle")))
	tb.WaitFor("light mode", `document.documentElement.getAttribute("data-theme") === "light"`)
	if got := browsertest.Eval[string](tb, bg); got != light {
		t.Errorf("toggled back to %s, want %s", got, light)
	}

	// A user who has not chosen follows the system's preference.
	other := demoTab(t)
	other.ColorScheme("dark")
	other.SignIn(browserPlainEmail, browserPlainPassword)
	if got := browsertest.Eval[string](other, bg); got != dark {
		t.Errorf("system dark: background %s, want %s", got, dark)
	}
	if browsertest.Eval[string](other, `document.getElementById("theme-toggle").getAttribute("aria-pressed")`) != "true" {
		t.Error("the toggle does not show dark mode")
	}
}

// TestBrowserNarrowScreenDrawer checks that at 375 px the sidebar is a
// drawer: hidden until the menu button opens it.
func TestBrowserNarrowScreenDrawer(t *testing.T) {
	tb := demoTab(t)
	tb.Viewport(375, 740)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	sidebarShown := `(() => { const s = document.getElementById("sidebar"); const r = s.getBoundingClientRect(); return getComputedStyle(s).visibility === "visible" && r.right > 0 && r.left >= 0; })()`
	if browsertest.Eval[bool](tb, sidebarShown) {
		t.Fatal("the sidebar shows at 375 px")
	}
	if !browsertest.Eval[bool](tb, visibleJS("[data-action=drawer-toggle]")) {
		t.Fatal("no menu button at 375 px")
	}
	if w := browsertest.Eval[float64](tb, `document.getElementById("main").getBoundingClientRect().width`); w < 300 {
		t.Errorf("main is %v px wide: the sidebar still takes room", w)
	}
	tb.Do("open the drawer", chromedp.Click(chromedp.CSS("[data-action=drawer-toggle]")))
	tb.WaitFor("the open drawer", sidebarShown+` && document.querySelector("[data-action=drawer-toggle]").getAttribute("aria-expanded") === "true"`)
	tb.WaitFor("focus in the menu", `document.getElementById("sidebar").contains(document.activeElement)`)
	tb.Screenshot("drawer-open-375")
	tb.Do("open Hello from the drawer", chromedp.Click(chromedp.CSS(`#sidebar a[href="/apps/hello"]`)))
	tb.WaitFor("the Hello app with the drawer closed", `location.pathname === "/apps/hello" && !document.body.classList.contains("drawer-open") && getComputedStyle(document.getElementById("sidebar")).visibility === "hidden"`)
	tb.Do("open the drawer", chromedp.Click(chromedp.CSS("[data-action=drawer-toggle]")))
	tb.WaitFor("the open drawer", `document.body.classList.contains("drawer-open")`)
	tb.Do("press Esc", chromedp.KeyEvent(kb.Escape))
	tb.WaitFor("the closed drawer", `!document.body.classList.contains("drawer-open")`)
}

// TestBrowserPermissionHidesMenuAndCommand signs in a user without
// "dashboard.view": neither the Sales menu entry nor its palette commands
// show, and the page itself is refused inside the shell.
func TestBrowserPermissionHidesMenuAndCommand(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserPlainEmail, browserPlainPassword)
	if browsertest.Eval[bool](tb, `document.querySelector('#nav a[href="/dashboard/"]') !== null`) {
		t.Error("the Sales menu entry shows without the permission")
	}
	if !browsertest.Eval[bool](tb, visibleJS(`#nav a[href="/apps/hello"]`)) {
		t.Error("the Hello entry is missing")
	}
	for _, sel := range []string{"[data-widget=sales-chart]", "[data-widget=sales-today]", `a.app-card[href="/dashboard/"]`, `#nav a[href="/ui/logs"]`} {
		if browsertest.Eval[bool](tb, fmt.Sprintf(`document.querySelector(%q) !== null`, sel)) {
			t.Errorf("%s shows without the permission", sel)
		}
	}
	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the open palette", `document.getElementById("palette").open`)
	tb.Do("type sales", chromedp.KeyEvent("sales"))
	tb.WaitFor("no match", `!document.querySelector("#palette .palette-empty").hidden`)
	if n := browsertest.Eval[int](tb, `[...document.querySelectorAll("#palette-list [role=option]")].filter(o => /sales/i.test(o.textContent)).length`); n != 0 {
		t.Errorf("%d Sales commands in the palette", n)
	}
	tb.Do("press Esc", chromedp.KeyEvent(kb.Escape))

	tb.Visit("/dashboard/")
	if got := browsertest.Eval[string](tb, `document.querySelector("main h1").textContent`); got != "403 · Forbidden" {
		t.Errorf("Sales page without the permission: %q", got)
	}
	if !browsertest.Eval[bool](tb, visibleJS("#sidebar #nav")) {
		t.Error("the error page is not inside the shell")
	}
	tb.Screenshot("error-403")

	// A palette command that runs an action: signing out.
	tb.Do("press Ctrl+K", ctrlK)
	tb.WaitFor("the open palette", `document.getElementById("palette").open`)
	tb.Do("type sign out", chromedp.KeyEvent("sign out"), chromedp.KeyEvent(kb.Enter))
	tb.WaitFor("the sign-in page", `location.pathname === "/login" && document.body.textContent.includes("You are signed out.")`)
	tb.Visit("/")
	tb.WaitFor("the sign-in page again", `location.pathname === "/login"`)
}

// TestBrowserLogTerminal shows the live log to an administrator.
func TestBrowserLogTerminal(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	tb.Do("open the system log", chromedp.Click(chromedp.CSS(`#nav a[href="/ui/logs"]`)))
	tb.WaitFor("the live terminal", `document.querySelector(".terminal[data-state=live]") !== null`)
	tb.WaitFor("log lines", `[...document.querySelectorAll(".terminal .log-line")].some(l => l.textContent.includes("http request"))`)
	// A new request shows up live.
	browsertest.Eval[chromedp.Void](tb, `fetch("/health")`)
	tb.WaitFor("the new request", `[...document.querySelectorAll(".terminal .log-line")].some(l => l.textContent.includes("path=/health"))`)
}

// TestBrowserTaskProgress binds a progress bar to a task status stream
// shaped like the tasks module's and watches it reach 100 %.
func TestBrowserTaskProgress(t *testing.T) {
	testStream := &progressDemo{}
	tb := openChromeTab(t, startShellApp(t, testStream))
	tb.Visit("/progress/job-7")
	tb.WaitFor("the finished task", `document.querySelector(".progress").getAttribute("data-state") === "succeeded"`)
	if got := browsertest.Eval[float64](tb, `document.querySelector(".progress progress").value`); got != 100 {
		t.Errorf("progress %v, want 100", got)
	}
	if got := browsertest.Eval[string](tb, `document.querySelector(".progress [data-progress-label]").textContent`); !strings.HasPrefix(got, "100 %") {
		t.Errorf("label %q", got)
	}
}

// progressDemo serves a page with a progress bar and, at the tasks
// module's URL, a stream of task events.
type progressDemo struct{ shell *ui.Module }

func (*progressDemo) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "progressdemo", Prefix: "/"}
}

func (p *progressDemo) Provision(_ context.Context, app *webos.App) error {
	p.shell, _ = registry.Get[*ui.Module](app.Registry())
	return nil
}

func (p *progressDemo) Routes(r *webos.Router) {
	r.HandleFunc("GET /progress/{id}", func(w http.ResponseWriter, r *http.Request) error {
		return p.shell.Render(w, r, ui.Page{Title: "Progress", Content: ui.Card("Report", ui.TaskProgress(r.PathValue("id")))})
	})
	r.HandleFunc("GET /tasks/{id}/events", func(w http.ResponseWriter, r *http.Request) error {
		s, err := ui.NewEventStream(w)
		if err != nil {
			return nil
		}
		id := r.PathValue("id")
		steps := []struct {
			kind, state string
			pct         int
			msg         string
		}{
			{"started", "running", 0, "starting"}, {"progress", "running", 30, "reading"},
			{"progress", "running", 70, "writing"}, {"succeeded", "succeeded", 100, "done"},
		}
		for _, st := range steps {
			time.Sleep(150 * time.Millisecond)
			ev := map[string]any{"kind": st.kind, "id": id, "state": st.state, "percent": st.pct, "message": st.msg}
			if s.SendJSON(st.kind, "", ev) != nil {
				return nil
			}
		}
		return nil
	}, webos.Stream())
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// visibleJS is a JavaScript expression that is true when the element sel
// finds is rendered with a size and not hidden.
func visibleJS(sel string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; })()`, sel)
}

// TestBrowserTaskProgressWithTasks follows a real task — the report demo
// on the tasks module over the test Redis server — with the shell's
// progress bar, from its first steps to 100 %.
func TestBrowserTaskProgressWithTasks(t *testing.T) {
	redisURL := testenv.RedisURL(t)
	tm := tasks.New(tasks.Options{RedisURL: redisURL, Namespace: testenv.DatabaseName("uiprogress"), PollInterval: 50 * time.Millisecond})
	reports := report.New()
	page := &reportPage{reports: reports}
	tb := openChromeTab(t, startShellApp(t, tm, reports, page))
	tb.Visit("/report")
	tb.WaitFor("a step under way", `(() => { const v = document.querySelector(".progress progress").value; return v > 0 && v < 100; })()`)
	tb.WaitFor("the finished report", `document.querySelector(".progress").getAttribute("data-state") === "succeeded"`)
	if got := browsertest.Eval[float64](tb, `document.querySelector(".progress progress").value`); got != 100 {
		t.Errorf("progress %v, want 100", got)
	}
	if got := browsertest.Eval[string](tb, `document.querySelector(".progress [data-progress-label]").textContent`); !strings.HasPrefix(got, "100 %") {
		t.Errorf("label %q", got)
	}
}

// reportPage starts a report for the user "ada" and shows its progress.
type reportPage struct {
	reports *report.Module
	shell   *ui.Module
}

func (*reportPage) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "reportpage", Prefix: "/"}
}

func (p *reportPage) Provision(_ context.Context, app *webos.App) error {
	p.shell, _ = registry.Get[*ui.Module](app.Registry())
	return nil
}

// Authorizer makes the page the application's authorizer: every request
// acts as "ada", whom the tasks module needs, and she may do everything.
func (p *reportPage) Authorizer() webos.Authorizer { return p }

func (*reportPage) Identify(_ http.ResponseWriter, r *http.Request) (*http.Request, error) {
	return r.WithContext(identity.With(r.Context(), identity.Subject("ada"))), nil
}

func (*reportPage) Authorize(context.Context, string) error { return nil }

func (p *reportPage) Routes(r *webos.Router) {
	r.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) error {
		id, err := p.reports.Generate(r.Context(), report.Params{Title: "Squares", Steps: 6, StepMS: 250})
		if err != nil {
			return err
		}
		return p.shell.Render(w, r, ui.Page{Title: "Report", Content: ui.Card("Squares", ui.TaskProgress(id))})
	})
}

// TestBrowserReportApp opens the Reports app from the launchpad, submits
// its form and watches the real task's progress bar reach 100 %.
func TestBrowserReportApp(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	tb.Do("click the Reports card", chromedp.Click(chromedp.CSS(`a.app-card[data-app=report]`)))
	tb.WaitFor("the report form", `document.querySelector("main form.report-form") !== null`)
	browsertest.Eval[chromedp.Void](tb, `document.getElementById("report-steps").value = "5"`)
	tb.Do("submit the form", chromedp.Click(chromedp.CSS(`main form.report-form button[type=submit]`)))
	tb.WaitFor("a progress bar for the new task", `document.querySelector("#report-runs .report-run .progress") !== null`)
	tb.WaitFor("the finished report", `document.querySelector("#report-runs .progress").getAttribute("data-state") === "succeeded"`)
	if got := browsertest.Eval[float64](tb, `document.querySelector("#report-runs .progress progress").value`); got != 100 {
		t.Errorf("progress %v, want 100", got)
	}
	tb.Screenshot("report-done")
}

// TestBrowserHelloForm greets someone from the hello app's page: a blank
// name shows the field's error in the form, a good one appears at the top
// of the list without a page load.
func TestBrowserHelloForm(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	tb.Visit("/apps/hello")
	tb.WaitFor("the greeting form", `document.getElementById("hello-name") !== null`)
	browsertest.Eval[chromedp.Void](tb, `window.__samePage = true`)
	// Invalid input: the same handler that answers API clients with 422
	// JSON puts the field's message into the form.
	before := browsertest.Eval[float64](tb, `document.querySelectorAll("#hello-greetings li").length`)
	tb.Do("type a blank name", chromedp.SendKeys("#hello-name", "   "))
	tb.Do("submit it", chromedp.Click(chromedp.CSS(`[data-widget=hello-greet] button[type=submit]`)))
	tb.WaitFor("the field error", `(document.querySelector("#hello-form-errors [data-field=name]") || {}).textContent === "name is required"`)
	tb.Screenshot("hello-form-error")
	if n := browsertest.Eval[float64](tb, `document.querySelectorAll("#hello-greetings li").length`); n != before {
		t.Errorf("the invalid name added %v greetings", n-before)
	}
	browsertest.Eval[chromedp.Void](tb, `document.getElementById("hello-name").value = ""`)
	tb.Do("type a name", chromedp.SendKeys("#hello-name", "Zed"))
	tb.Do("submit", chromedp.Click(chromedp.CSS(`[data-widget=hello-greet] button[type=submit]`)))
	tb.WaitFor("the new greeting", `(document.querySelector("#hello-greetings li") || {}).textContent === "Hello, Zed!"`)
	tb.Screenshot("hello-app")
	if !browsertest.Eval[bool](tb, `window.__samePage === true && document.getElementById("hello-name").value === ""`) {
		t.Error("the page reloaded or the form was not reset")
	}
}

// startShellApp serves a small application of the ui shell and mods for a
// browser test and returns its URL.
func startShellApp(t *testing.T, mods ...webos.Module) string {
	t.Helper()
	authz := slices.ContainsFunc(mods, func(m webos.Module) bool { _, ok := m.(webos.AuthorizerProvider); return ok })
	if !authz {
		mods = append(mods, webos.AllowAll()) // a single-user shell
	}
	app := webos.New(webos.Config{RequestTimeout: 10 * time.Second, MaxBodyBytes: 1 << 20},
		append([]webos.Module{ui.New(ui.Config{})}, mods...)...)
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		_ = app.Stop(context.Background())
	})
	return srv.URL
}

// TestBrowserNotesForm adds a note from the notes app's page: a blank
// title shows the field's error in the form (the handler that answers API
// clients with 422 JSON), a good one appears in the list without a page
// load and the form is cleared.
func TestBrowserNotesForm(t *testing.T) {
	tb := demoTab(t)
	tb.SignIn(browserAdminEmail, browserAdminPassword)
	tb.Visit("/notes/")
	tb.WaitFor("the note form", `document.getElementById("note-title") !== null`)
	browsertest.Eval[chromedp.Void](tb, `window.__samePage = true`)
	tb.Do("submit without a title", chromedp.Click(chromedp.CSS(`#note-form button[type=submit]`)))
	tb.WaitFor("the field error", `(document.querySelector("#note-form-errors [data-field=title]") || {}).textContent === "title is required"`)
	tb.Screenshot("notes-form-error")
	tb.Do("type a title", chromedp.SendKeys("#note-title", "Water the plants"))
	tb.Do("submit", chromedp.Click(chromedp.CSS(`#note-form button[type=submit]`)))
	tb.WaitFor("the new note", `(document.querySelector("#notes li") || {}).textContent === "Water the plants"`)
	tb.Screenshot("notes-added")
	if !browsertest.Eval[bool](tb, `window.__samePage === true && document.getElementById("note-title").value === ""`) {
		t.Error("the page reloaded or the form was not reset")
	}
}
