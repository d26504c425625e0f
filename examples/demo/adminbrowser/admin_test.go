package adminbrowser

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/identity"
)

const (
	roleName  = "analysts"
	userEmail = "quinn@example.com"
	userPass  = "quinn-password-1234"
)

var ctrlK = chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl))

// launchpadApps lists the data-app of every card of the launchpad.
const launchpadApps = `[...document.querySelectorAll("main .launchpad a.app-card")].map(e => e.getAttribute("data-app")).sort()`

// TestAdminConsole walks the console's acceptance in order, on one
// server: each step builds on the one before, and the last finds every
// step in the audit trail.
func TestAdminConsole(t *testing.T) {
	admin := newTab(t)
	admin.signIn(adminEmail, adminPassword)

	t.Run("role, user, grant, second context sees exactly the granted apps", func(t *testing.T) {
		admin.t = t
		admin.visit("/admin/roles")
		admin.do("fill in the new role",
			chromedp.SendKeys(chromedp.CSS("#role-new-name"), roleName),
			chromedp.SendKeys(chromedp.CSS("#role-new-desc"), "Read the sales figures and keep notes"),
			chromedp.Click(chromedp.CSS("#role-new-dashboard-view")),
			chromedp.Click(chromedp.CSS("#role-new-notes-use")),
			chromedp.Click(chromedp.CSS("#role-new button[type=submit]")))
		admin.waitFor("the saved role", `document.querySelector("form#role-`+roleName+`") !== null`)
		if !eval[bool](admin, `document.querySelector("#role-`+roleName+`-dashboard-view").checked && document.querySelector("#role-`+roleName+`-notes-use").checked`) {
			t.Fatal("the saved role lacks its permissions")
		}
		admin.screenshot("roles")

		admin.visit("/admin/users/new")
		admin.do("fill in the new user",
			chromedp.SendKeys(chromedp.CSS("#nu-email"), userEmail),
			chromedp.SendKeys(chromedp.CSS("#nu-name"), "Quinn"),
			chromedp.SendKeys(chromedp.CSS("#nu-password"), userPass),
			chromedp.Click(chromedp.CSS("#new-user button[type=submit]")))
		admin.waitFor("the new user's page", `document.querySelector("#roles-form #role-`+roleName+`") !== null`)
		userURL := eval[string](admin, `document.querySelector("#roles-form").getAttribute("action").replace(/\/roles$/, "")`)

		// The user signs in in a browser context of their own.
		user := newTab(t)
		user.signIn(userEmail, userPass)
		before := eval[[]string](user, launchpadApps)
		if slices.Contains(before, "dashboard") || slices.Contains(before, "notes") || slices.Contains(before, "admin") {
			t.Fatalf("before the grant the user sees %v", before)
		}

		admin.visit(userURL)
		admin.do("grant the role", chromedp.Click(chromedp.CSS("#roles-form #role-"+roleName)),
			chromedp.Click(chromedp.CSS("#roles-form button[type=submit]")))
		admin.waitFor("the granted role", `document.querySelector("#roles-form #role-`+roleName+`") !== null && document.querySelector("#roles-form #role-`+roleName+`").checked && document.querySelector("main .facts").textContent.includes("`+roleName+`")`)
		admin.screenshot("user")

		user.visit("/")
		after := eval[[]string](user, launchpadApps)
		want := slices.Sorted(slices.Values(append(slices.Clone(before), "dashboard", "notes")))
		if !slices.Equal(after, want) {
			t.Fatalf("after the grant the user sees %v, want exactly %v", after, want)
		}
		if eval[bool](user, `document.querySelector('#nav a[href^="/admin"]') !== null`) {
			t.Error("the user's menu links to the console")
		}
		user.screenshot("granted-user-launchpad")
		if code := eval[int](user, `fetch("/admin/", {headers: {"Accept": "text/html"}}).then(r => r.status)`); code != 403 {
			t.Errorf("the user opens the console: %d", code)
		}
	})

	t.Run("module switched off and on without a restart", func(t *testing.T) {
		admin.t = t
		present := map[string]string{
			"card":    `document.querySelector("main .launchpad a.app-card[data-app=dashboard]") !== null`,
			"menu":    `document.querySelector('#nav a[href="/dashboard/"]') !== null`,
			"widget":  `document.querySelector("[data-widget=sales-today]") !== null`,
			"palette": `[...document.querySelectorAll("#palette .palette-title")].some(e => e.textContent === "Sales figures by month")`,
		}
		check := func(on bool) {
			t.Helper()
			admin.visit("/")
			for what, js := range present {
				if got := eval[bool](admin, js); got != on {
					t.Errorf("dashboard module on=%v: its %s present=%v", on, what, got)
				}
			}
			admin.do("open the palette", ctrlK)
			admin.waitFor("the palette", `document.getElementById("palette").open === true`)
			admin.do("search the palette", chromedp.SendKeys(chromedp.CSS("#palette input"), "Sales figures"))
			shown := eval[bool](admin, `[...document.querySelectorAll("#palette [role=option]")].some(o => !o.hidden && o.offsetParent !== null && o.textContent.includes("Sales figures by month"))`)
			if shown != on {
				t.Errorf("dashboard module on=%v: the palette offers its command: %v", on, shown)
			}
			admin.do("close the palette", chromedp.KeyEvent(kb.Escape))
			code := eval[int](admin, `fetch("/dashboard/", {headers: {"Accept": "application/json"}}).then(r => r.status)`)
			if (code == 404) == on {
				t.Errorf("dashboard module on=%v: GET /dashboard/ is %d", on, code)
			}
		}
		check(true)
		admin.visit("/admin/modules")
		admin.do("switch the dashboard off", chromedp.Click(chromedp.CSS("[data-switch=dashboard]")))
		admin.waitFor("the switched-off row", `document.querySelector("tr[data-module=dashboard]").getAttribute("data-enabled") === "false"`)
		if d := admin.lastDialog(); !strings.Contains(d, "Switch off") || !strings.Contains(d, "404") {
			t.Errorf("the confirmation said %q", d)
		}
		admin.screenshot("modules-dashboard-off")
		check(false)
		admin.screenshot("launchpad-dashboard-off")
		admin.visit("/admin/modules")
		admin.do("switch the dashboard on", chromedp.Click(chromedp.CSS("[data-switch=dashboard]")))
		admin.waitFor("the switched-on row", `document.querySelector("tr[data-module=dashboard]").getAttribute("data-enabled") === "true"`)
		check(true)
	})

	t.Run("a module setting changes the module's behaviour", func(t *testing.T) {
		admin.t = t
		greet := `fetch("/hello/greetings", {method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"}, body: JSON.stringify({name: "Ada"})}).then(r => r.json()).then(j => j.message)`
		if got := eval[string](admin, greet); got != "Hello, Ada!" {
			t.Fatalf("before: %q", got)
		}
		admin.visit("/admin/settings")
		admin.do("change the salutation",
			setValue("#settings-hello-salutation", ""),
			chromedp.SendKeys(chromedp.CSS("#settings-hello-salutation"), "Ahoy"),
			chromedp.Click(chromedp.CSS("#settings-hello button[type=submit]")))
		admin.waitFor("the module's new greeting", greet+`.then(m => m === "Ahoy, Ada!")`)
		admin.ready()
		admin.waitFor("the change in the key's history", reloadUntil(`document.querySelector("#module-hello details").textContent.includes("Ahoy")`))
		// A bad value is named next to its field, and nothing changes.
		admin.do("clear the salutation", setValue("#settings-hello-salutation", ""),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("#settings-hello-salutation").removeAttribute("required")`),
			chromedp.Click(chromedp.CSS("#settings-hello button[type=submit]")))
		admin.waitFor("the field's error", `document.querySelector("#settings-hello").textContent.toLowerCase().includes("salutation")`)
		admin.screenshot("settings-error")
		if got := eval[string](admin, greet); got != "Ahoy, Ada!" {
			t.Fatalf("after a refused change the module says %q", got)
		}

		// The settings explorer: the same setting edited inline in the grid
		// of every module's settings, filtered to the module.
		admin.visit("/admin/settings/explorer/?f.module=hello")
		cell := `#grid-admin-settings tr[data-id="hello/salutation"] td[data-field="value"]`
		admin.waitFor("the salutation's row", `document.querySelector('`+cell+`') !== null && document.querySelectorAll("#grid-admin-settings tbody tr[data-id]").length === document.querySelectorAll('#grid-admin-settings tbody tr[data-id^="hello/"]').length`)
		admin.do("focus the value", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+cell+`').focus()`))
		admin.do("start editing", chromedp.KeyEvent(kb.Enter))
		admin.waitFor("the editor", `document.querySelector('`+cell+` input') !== null`)
		admin.do("type a salutation", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+cell+` input').value = "Howdy"`))
		admin.do("save", chromedp.KeyEvent(kb.Enter))
		admin.waitFor("the saved cell", `(() => { const td = document.querySelector('`+cell+`'); return !td.classList.contains("editing") && td.textContent === "Howdy"; })()`)
		admin.waitFor("the module's new greeting", greet+`.then(m => m === "Howdy, Ada!")`)
		admin.screenshot("settings-explorer")
	})

	t.Run("log level to debug: debug records in the terminal, with filters and pause", func(t *testing.T) {
		admin.t = t
		logs := newTab(t)
		logs.signIn(adminEmail, adminPassword)
		logs.visit("/admin/logs")
		logs.waitFor("the live terminal", `document.querySelector(".terminal").getAttribute("data-state") === "live"`)
		log := shared.app.Logger()
		log.Debug("probe hidden at info")
		log.Info("probe info one")
		logs.waitFor("the info probe", `document.querySelector("[data-log-lines]").textContent.includes("probe info one")`)

		admin.visit("/admin/config")
		admin.do("choose debug", chromedp.SetValue(chromedp.CSS("#log-level-select"), "debug"),
			chromedp.Click(chromedp.CSS("#log-level button[type=submit]")))
		admin.waitFor("the level applied", `document.querySelector("[data-log-level]") !== null && document.querySelector("[data-log-level]").getAttribute("data-log-level") === "debug"`)
		log.Debug("probe debug after the change")
		logs.waitFor("the debug probe", `document.querySelector("[data-log-lines]").textContent.includes("probe debug after the change")`)
		if eval[bool](logs, `document.querySelector("[data-log-lines]").textContent.includes("probe hidden at info")`) {
			t.Error("a debug record made at level info reached the terminal")
		}
		// The level filter hides debug lines, the text filter the others.
		logs.do("show warnings and up", setValue("[data-log-level]", "warn"))
		hidden := `(text) => [...document.querySelectorAll("[data-log-lines] .log-line")].filter(l => l.textContent.includes(text)).every(l => l.hidden)`
		if !eval[bool](logs, `(`+hidden+`)("probe debug after the change")`) {
			t.Error("the level filter shows a debug line")
		}
		logs.do("show every level", setValue("[data-log-level]", "debug"),
			chromedp.SendKeys(chromedp.CSS("[data-log-filter]"), "info one"))
		if !eval[bool](logs, `(`+hidden+`)("probe debug after the change")`) || eval[bool](logs, `(`+hidden+`)("probe info one")`) {
			t.Error("the text filter shows the wrong lines")
		}
		logs.screenshot("logs-filtered")
		logs.do("clear the filter", setValue("[data-log-filter]", ""))
		// Paused, new lines wait; on resume they show.
		logs.do("pause", chromedp.Click(chromedp.CSS("[data-log-pause]")))
		log.Info("probe while paused")
		logs.waitFor("the held line", `document.querySelector("[data-sse-status]").textContent.includes("new")`)
		if eval[bool](logs, `document.querySelector("[data-log-lines]").textContent.includes("probe while paused")`) {
			t.Error("a line arrived while paused")
		}
		logs.do("resume", chromedp.Click(chromedp.CSS("[data-log-pause]")))
		logs.waitFor("the held line after resume", `document.querySelector("[data-log-lines]").textContent.includes("probe while paused")`)
		logs.screenshot("logs-debug")

		admin.visit("/admin/config")
		admin.do("back to info", chromedp.SetValue(chromedp.CSS("#log-level-select"), "info"),
			chromedp.Click(chromedp.CSS("#log-level button[type=submit]")))
		admin.waitFor("the level applied", `document.querySelector("[data-log-level]") !== null && document.querySelector("[data-log-level]").getAttribute("data-log-level") === "info"`)
	})

	var taskID string
	t.Run("cancel a running task from the monitor", func(t *testing.T) {
		admin.t = t
		mod, ok := shared.app.Module("report")
		if !ok {
			t.Fatal("the demo has no report module")
		}
		pat, err := shared.auth.UserByEmail(context.Background(), plainEmail)
		if err != nil {
			t.Fatal(err)
		}
		// Another user's long report: the administrator's cancel is an
		// administrative change.
		taskID, err = mod.(*report.Module).Generate(identity.With(context.Background(), identity.Subject(pat.ID)),
			report.Params{Title: "Long", Steps: 100, StepMS: 400})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			admin.visit("/admin/tasks?state=active")
			// The list and the queue's count are read one after the other:
			// wait until both show the running task.
			if eval[bool](admin, `document.querySelector('#task-list tr[data-task="`+taskID+`"]') !== null &&
				(document.querySelector("#task-queues td[data-count=active] a") || {}).textContent !== "0"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the running task is not in the monitor, or the queue does not count it active")
			}
			time.Sleep(200 * time.Millisecond)
		}
		admin.screenshot("tasks")
		admin.do("open the task", chromedp.Click(chromedp.CSS(`#task-list tr[data-task="`+taskID+`"] a`)))
		admin.waitFor("the task page", `document.querySelector("[data-task-state=running] .progress") !== null`)
		admin.waitFor("live progress", `parseFloat(document.querySelector(".progress progress").value) > 0`)
		if p := eval[string](admin, `document.querySelector("[data-task-payload]").textContent`); !strings.Contains(p, `"Long"`) {
			t.Errorf("payload %q", p)
		}
		admin.screenshot("task-running")
		admin.do("cancel", chromedp.Click(chromedp.CSS("[data-task-action=cancel]")))
		admin.waitFor("the cancelled task", `document.querySelector("[data-task-state=cancelled]") !== null`)
		if d := admin.lastDialog(); !strings.Contains(d, "Cancel task "+taskID) {
			t.Errorf("the confirmation said %q", d)
		}
		admin.screenshot("task-cancelled")
	})

	t.Run("the audit grid shows each action", func(t *testing.T) {
		admin.t = t
		admin.visit("/admin/audit/")
		text := `document.querySelector("main").textContent`
		for _, want := range []string{"auth.role.save", "auth.user.create", "auth.user.update", "settings.set", "tasks.cancel",
			roleName, userEmail, "disabled_modules", "salutation", "log_level", "task:" + taskID} {
			admin.waitFor("the trail's "+want, reloadUntil(text+`.includes("`+want+`")`))
		}
		admin.screenshot("audit")
	})

	t.Run("keyboard", func(t *testing.T) {
		admin.t = t
		admin.visit("/admin/")
		tabs := eval[[]string](admin, `[...document.querySelectorAll('nav[aria-label="Admin pages"] a')].map(a => a.getAttribute("href"))`)
		if len(tabs) < 9 {
			t.Fatalf("admin tabs %v", tabs)
		}
		reached := map[string]bool{}
		for range 80 {
			admin.do("tab", chromedp.KeyEvent(kb.Tab))
			if h := eval[string](admin, `document.activeElement && document.activeElement.closest('nav[aria-label="Admin pages"]') ? document.activeElement.getAttribute("href") : ""`); h != "" {
				reached[h] = true
			}
			if len(reached) == len(tabs) {
				break
			}
		}
		for _, h := range tabs {
			if !reached[h] {
				t.Errorf("Tab does not reach %s", h)
			}
		}
		// Enter on a focused tab opens its page; the focus is visible.
		admin.do("focus Tasks", chromedp.Focus(chromedp.CSS(`nav[aria-label="Admin pages"] a[href="/admin/tasks"]`)))
		if o := eval[string](admin, `getComputedStyle(document.activeElement).outlineStyle`); o == "none" {
			t.Error("the focused tab shows no outline")
		}
		admin.do("press Enter", chromedp.KeyEvent(kb.Enter))
		admin.waitFor("the tasks page", `location.pathname === "/admin/tasks" && document.querySelector("#task-queues") !== null`)
		admin.ready()
		admin.screenshot("keyboard-tasks")
		// The palette opens the console's pages.
		admin.do("open the palette", ctrlK)
		admin.waitFor("the palette", `document.getElementById("palette").open === true`)
		admin.do("search", chromedp.SendKeys(chromedp.CSS("#palette input"), "Admin: audit"), chromedp.KeyEvent(kb.Enter))
		admin.waitFor("the audit page", `location.pathname === "/admin/audit/"`)
	})

	t.Run("light, dark and 375 px", func(t *testing.T) {
		admin.t = t
		pages := map[string]string{"dashboard": "/admin/", "users": "/admin/users/", "roles": "/admin/roles", "modules": "/admin/modules",
			"settings": "/admin/settings", "config": "/admin/config", "logs": "/admin/logs", "tasks": "/admin/tasks", "audit": "/admin/audit/"}
		names := make([]string, 0, len(pages))
		for n := range pages {
			names = append(names, n)
		}
		slices.Sort(names)
		bg := `getComputedStyle(document.body).backgroundColor`
		var light, dark string
		for _, scheme := range []string{"light", "dark"} {
			admin.scheme(scheme)
			for _, n := range names {
				admin.visit(pages[n])
				if n == "dashboard" {
					if scheme == "light" {
						light = eval[string](admin, bg)
					} else {
						dark = eval[string](admin, bg)
					}
				}
				admin.screenshot(n + "-" + scheme)
			}
		}
		if light == dark {
			t.Errorf("light and dark have the same background %s", light)
		}
		admin.scheme("light")
		admin.width(375)
		defer admin.width(0)
		for _, n := range names {
			admin.visit(pages[n])
			// The page itself does not scroll sideways; wide tables scroll
			// inside their own box.
			if w := eval[float64](admin, `document.documentElement.scrollWidth`); w > 376 {
				t.Errorf("%s is %v px wide at 375 px", n, w)
			}
			admin.screenshot(n + "-375")
		}
	})
}

// reloadUntil is a condition for waitFor that reloads the page while cond
// does not hold (for what the server records a moment later).
func reloadUntil(cond string) string {
	return `(() => { let ok = false; try { ok = document.body.getAttribute("data-shell-ready") === "true" && (` + cond + `); } catch (e) {} if (!ok && document.readyState === "complete") location.reload(); return ok; })()`
}
