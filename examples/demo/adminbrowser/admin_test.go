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
	"github.com/webos-go/webos/internal/browsertest"
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
	admin.SignIn(adminEmail, adminPassword)

	t.Run("role, user, grant, second context sees exactly the granted apps", func(t *testing.T) {
		admin.SetTest(t)
		admin.Visit("/admin/roles")
		admin.Do("fill in the new role",
			chromedp.SendKeys(chromedp.CSS("#role-new-name"), roleName),
			chromedp.SendKeys(chromedp.CSS("#role-new-desc"), "Read the sales figures and keep notes"),
			chromedp.Click(chromedp.CSS("#role-new-dashboard-view")),
			chromedp.Click(chromedp.CSS("#role-new-notes-use")),
			chromedp.Click(chromedp.CSS("#role-new button[type=submit]")))
		admin.WaitFor("the saved role", `document.querySelector("form#role-`+roleName+`") !== null`)
		if !browsertest.Eval[bool](admin, `document.querySelector("#role-`+roleName+`-dashboard-view").checked && document.querySelector("#role-`+roleName+`-notes-use").checked`) {
			t.Fatal("the saved role lacks its permissions")
		}
		admin.Screenshot("roles")

		admin.Visit("/admin/users/new")
		admin.Do("fill in the new user",
			chromedp.SendKeys(chromedp.CSS("#nu-email"), userEmail),
			chromedp.SendKeys(chromedp.CSS("#nu-name"), "Quinn"),
			chromedp.SendKeys(chromedp.CSS("#nu-password"), userPass),
			chromedp.Click(chromedp.CSS("#new-user button[type=submit]")))
		admin.WaitFor("the new user's page", `document.querySelector("#roles-form #role-`+roleName+`") !== null`)
		userURL := browsertest.Eval[string](admin, `document.querySelector("#roles-form").getAttribute("action").replace(/\/roles$/, "")`)

		// The user signs in in a browser context of their own.
		user := newTab(t)
		user.SignIn(userEmail, userPass)
		before := browsertest.Eval[[]string](user, launchpadApps)
		if slices.Contains(before, "dashboard") || slices.Contains(before, "notes") || slices.Contains(before, "admin") {
			t.Fatalf("before the grant the user sees %v", before)
		}

		admin.Visit(userURL)
		admin.Do("grant the role", chromedp.Click(chromedp.CSS("#roles-form #role-"+roleName)),
			chromedp.Click(chromedp.CSS("#roles-form button[type=submit]")))
		admin.WaitFor("the granted role", `document.querySelector("#roles-form #role-`+roleName+`") !== null && document.querySelector("#roles-form #role-`+roleName+`").checked && document.querySelector("main .facts").textContent.includes("`+roleName+`")`)
		admin.Screenshot("user")

		user.Visit("/")
		after := browsertest.Eval[[]string](user, launchpadApps)
		want := slices.Sorted(slices.Values(append(slices.Clone(before), "dashboard", "notes")))
		if !slices.Equal(after, want) {
			t.Fatalf("after the grant the user sees %v, want exactly %v", after, want)
		}
		if browsertest.Eval[bool](user, `document.querySelector('#nav a[href^="/admin"]') !== null`) {
			t.Error("the user's menu links to the console")
		}
		user.Screenshot("granted-user-launchpad")
		if code := browsertest.Eval[int](user, `fetch("/admin/", {headers: {"Accept": "text/html"}}).then(r => r.status)`); code != 403 {
			t.Errorf("the user opens the console: %d", code)
		}
	})

	t.Run("module switched off and on without a restart", func(t *testing.T) {
		admin.SetTest(t)
		present := map[string]string{
			"card":    `document.querySelector("main .launchpad a.app-card[data-app=dashboard]") !== null`,
			"menu":    `document.querySelector('#nav a[href="/dashboard/"]') !== null`,
			"widget":  `document.querySelector("[data-widget=sales-today]") !== null`,
			"palette": `[...document.querySelectorAll("#palette .palette-title")].some(e => e.textContent === "Sales figures by month")`,
		}
		check := func(on bool) {
			t.Helper()
			admin.Visit("/")
			for what, js := range present {
				if got := browsertest.Eval[bool](admin, js); got != on {
					t.Errorf("dashboard module on=%v: its %s present=%v", on, what, got)
				}
			}
			admin.Do("open the palette", ctrlK)
			admin.WaitFor("the palette", `document.getElementById("palette").open === true`)
			admin.Do("search the palette", chromedp.SendKeys(chromedp.CSS("#palette input"), "Sales figures"))
			shown := browsertest.Eval[bool](admin, `[...document.querySelectorAll("#palette [role=option]")].some(o => !o.hidden && o.offsetParent !== null && o.textContent.includes("Sales figures by month"))`)
			if shown != on {
				t.Errorf("dashboard module on=%v: the palette offers its command: %v", on, shown)
			}
			admin.Do("close the palette", chromedp.KeyEvent(kb.Escape))
			code := browsertest.Eval[int](admin, `fetch("/dashboard/", {headers: {"Accept": "application/json"}}).then(r => r.status)`)
			if (code == 404) == on {
				t.Errorf("dashboard module on=%v: GET /dashboard/ is %d", on, code)
			}
		}
		check(true)
		admin.Visit("/admin/modules")
		admin.Do("switch the dashboard off", chromedp.Click(chromedp.CSS("[data-switch=dashboard]")))
		admin.WaitFor("the switched-off row", `document.querySelector("tr[data-module=dashboard]").getAttribute("data-enabled") === "false"`)
		if d := admin.LastDialog(); !strings.Contains(d, "Switch off") || !strings.Contains(d, "404") {
			t.Errorf("the confirmation said %q", d)
		}
		admin.Screenshot("modules-dashboard-off")
		check(false)
		admin.Screenshot("launchpad-dashboard-off")
		admin.Visit("/admin/modules")
		admin.Do("switch the dashboard on", chromedp.Click(chromedp.CSS("[data-switch=dashboard]")))
		admin.WaitFor("the switched-on row", `document.querySelector("tr[data-module=dashboard]").getAttribute("data-enabled") === "true"`)
		check(true)
	})

	t.Run("a module setting changes the module's behaviour", func(t *testing.T) {
		admin.SetTest(t)
		greet := `fetch("/hello/greetings", {method: "POST", headers: {"Content-Type": "application/json", "Accept": "application/json"}, body: JSON.stringify({name: "Ada"})}).then(r => r.json()).then(j => j.message)`
		if got := browsertest.Eval[string](admin, greet); got != "Hello, Ada!" {
			t.Fatalf("before: %q", got)
		}
		admin.Visit("/admin/settings")
		admin.Do("change the salutation",
			setValue("#settings-hello-salutation", ""),
			chromedp.SendKeys(chromedp.CSS("#settings-hello-salutation"), "Ahoy"),
			chromedp.Click(chromedp.CSS("#settings-hello button[type=submit]")))
		admin.WaitFor("the module's new greeting", greet+`.then(m => m === "Ahoy, Ada!")`)
		admin.WaitFor("the shell", browsertest.ShellReady)
		admin.WaitFor("the change in the key's history", reloadUntil(`document.querySelector("#module-hello details").textContent.includes("Ahoy")`))
		// A bad value is named next to its field, and nothing changes.
		admin.Do("clear the salutation", setValue("#settings-hello-salutation", ""),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("#settings-hello-salutation").removeAttribute("required")`),
			chromedp.Click(chromedp.CSS("#settings-hello button[type=submit]")))
		admin.WaitFor("the field's error", `document.querySelector("#settings-hello").textContent.toLowerCase().includes("salutation")`)
		admin.Screenshot("settings-error")
		if got := browsertest.Eval[string](admin, greet); got != "Ahoy, Ada!" {
			t.Fatalf("after a refused change the module says %q", got)
		}

		// The settings explorer: the same setting edited inline in the grid
		// of every module's settings, filtered to the module.
		admin.Visit("/admin/settings/explorer/?f.module=hello")
		cell := `#grid-admin-settings tr[data-id="hello/salutation"] td[data-field="value"]`
		admin.WaitFor("the salutation's row", `document.querySelector('`+cell+`') !== null && document.querySelectorAll("#grid-admin-settings tbody tr[data-id]").length === document.querySelectorAll('#grid-admin-settings tbody tr[data-id^="hello/"]').length`)
		admin.Do("focus the value", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+cell+`').focus()`))
		admin.Do("start editing", chromedp.KeyEvent(kb.Enter))
		admin.WaitFor("the editor", `document.querySelector('`+cell+` input') !== null`)
		admin.Do("type a salutation", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+cell+` input').value = "Howdy"`))
		admin.Do("save", chromedp.KeyEvent(kb.Enter))
		admin.WaitFor("the saved cell", `(() => { const td = document.querySelector('`+cell+`'); return !td.classList.contains("editing") && td.textContent === "Howdy"; })()`)
		admin.WaitFor("the module's new greeting", greet+`.then(m => m === "Howdy, Ada!")`)
		admin.Screenshot("settings-explorer")
	})

	t.Run("log level to debug: debug records in the terminal, with filters and pause", func(t *testing.T) {
		admin.SetTest(t)
		logs := newTab(t)
		logs.SignIn(adminEmail, adminPassword)
		logs.Visit("/admin/logs")
		logs.WaitFor("the live terminal", `document.querySelector(".terminal").getAttribute("data-state") === "live"`)
		log := shared.app.Logger()
		log.Debug("probe hidden at info")
		log.Info("probe info one")
		logs.WaitFor("the info probe", `document.querySelector("[data-log-lines]").textContent.includes("probe info one")`)

		admin.Visit("/admin/config")
		admin.Do("choose debug", chromedp.SetValue(chromedp.CSS("#log-level-select"), "debug"),
			chromedp.Click(chromedp.CSS("#log-level button[type=submit]")))
		admin.WaitFor("the level applied", `document.querySelector("[data-log-level]") !== null && document.querySelector("[data-log-level]").getAttribute("data-log-level") === "debug"`)
		log.Debug("probe debug after the change")
		logs.WaitFor("the debug probe", `document.querySelector("[data-log-lines]").textContent.includes("probe debug after the change")`)
		if browsertest.Eval[bool](logs, `document.querySelector("[data-log-lines]").textContent.includes("probe hidden at info")`) {
			t.Error("a debug record made at level info reached the terminal")
		}
		// The level filter hides debug lines, the text filter the others.
		logs.Do("show warnings and up", setValue("[data-log-level]", "warn"))
		hidden := `(text) => [...document.querySelectorAll("[data-log-lines] .log-line")].filter(l => l.textContent.includes(text)).every(l => l.hidden)`
		if !browsertest.Eval[bool](logs, `(`+hidden+`)("probe debug after the change")`) {
			t.Error("the level filter shows a debug line")
		}
		logs.Do("show every level", setValue("[data-log-level]", "debug"),
			chromedp.SendKeys(chromedp.CSS("[data-log-filter]"), "info one"))
		if !browsertest.Eval[bool](logs, `(`+hidden+`)("probe debug after the change")`) || browsertest.Eval[bool](logs, `(`+hidden+`)("probe info one")`) {
			t.Error("the text filter shows the wrong lines")
		}
		logs.Screenshot("logs-filtered")
		logs.Do("clear the filter", setValue("[data-log-filter]", ""))
		// Paused, new lines wait; on resume they show.
		logs.Do("pause", chromedp.Click(chromedp.CSS("[data-log-pause]")))
		log.Info("probe while paused")
		logs.WaitFor("the held line", `document.querySelector("[data-sse-status]").textContent.includes("new")`)
		if browsertest.Eval[bool](logs, `document.querySelector("[data-log-lines]").textContent.includes("probe while paused")`) {
			t.Error("a line arrived while paused")
		}
		logs.Do("resume", chromedp.Click(chromedp.CSS("[data-log-pause]")))
		logs.WaitFor("the held line after resume", `document.querySelector("[data-log-lines]").textContent.includes("probe while paused")`)
		logs.Screenshot("logs-debug")

		admin.Visit("/admin/config")
		admin.Do("back to info", chromedp.SetValue(chromedp.CSS("#log-level-select"), "info"),
			chromedp.Click(chromedp.CSS("#log-level button[type=submit]")))
		admin.WaitFor("the level applied", `document.querySelector("[data-log-level]") !== null && document.querySelector("[data-log-level]").getAttribute("data-log-level") === "info"`)
	})

	var taskID string
	t.Run("cancel a running task from the monitor", func(t *testing.T) {
		admin.SetTest(t)
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
			admin.Visit("/admin/tasks?state=active")
			// The list and the queue's count are read one after the other:
			// wait until both show the running task.
			if browsertest.Eval[bool](admin, `document.querySelector('#task-list tr[data-task="`+taskID+`"]') !== null &&
				(document.querySelector("#task-queues td[data-count=active] a") || {}).textContent !== "0"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the running task is not in the monitor, or the queue does not count it active")
			}
			time.Sleep(200 * time.Millisecond)
		}
		admin.Screenshot("tasks")
		admin.Do("open the task", chromedp.Click(chromedp.CSS(`#task-list tr[data-task="`+taskID+`"] a`)))
		admin.WaitFor("the task page", `document.querySelector("[data-task-state=running] .progress") !== null`)
		admin.WaitFor("live progress", `parseFloat(document.querySelector(".progress progress").value) > 0`)
		if p := browsertest.Eval[string](admin, `document.querySelector("[data-task-payload]").textContent`); !strings.Contains(p, `"Long"`) {
			t.Errorf("payload %q", p)
		}
		admin.Screenshot("task-running")
		admin.Do("cancel", chromedp.Click(chromedp.CSS("[data-task-action=cancel]")))
		admin.WaitFor("the cancelled task", `document.querySelector("[data-task-state=cancelled]") !== null`)
		if d := admin.LastDialog(); !strings.Contains(d, "Cancel task "+taskID) {
			t.Errorf("the confirmation said %q", d)
		}
		admin.Screenshot("task-cancelled")
	})

	t.Run("the audit grid shows each action", func(t *testing.T) {
		admin.SetTest(t)
		admin.Visit("/admin/audit/")
		text := `document.querySelector("main").textContent`
		for _, want := range []string{"auth.role.save", "auth.user.create", "auth.user.update", "settings.set", "tasks.cancel",
			roleName, userEmail, "disabled_modules", "salutation", "log_level", "task:" + taskID} {
			admin.WaitFor("the trail's "+want, reloadUntil(text+`.includes("`+want+`")`))
		}
		admin.Screenshot("audit")
	})

	t.Run("keyboard", func(t *testing.T) {
		admin.SetTest(t)
		admin.Visit("/admin/")
		tabs := browsertest.Eval[[]string](admin, `[...document.querySelectorAll('nav[aria-label="Admin pages"] a')].map(a => a.getAttribute("href"))`)
		if len(tabs) < 9 {
			t.Fatalf("admin tabs %v", tabs)
		}
		reached := map[string]bool{}
		for range 80 {
			admin.Do("tab", chromedp.KeyEvent(kb.Tab))
			if h := browsertest.Eval[string](admin, `document.activeElement && document.activeElement.closest('nav[aria-label="Admin pages"]') ? document.activeElement.getAttribute("href") : ""`); h != "" {
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
		admin.Do("focus Tasks", chromedp.Focus(chromedp.CSS(`nav[aria-label="Admin pages"] a[href="/admin/tasks"]`)))
		if o := browsertest.Eval[string](admin, `getComputedStyle(document.activeElement).outlineStyle`); o == "none" {
			t.Error("the focused tab shows no outline")
		}
		admin.Do("press Enter", chromedp.KeyEvent(kb.Enter))
		admin.WaitFor("the tasks page", `location.pathname === "/admin/tasks" && document.querySelector("#task-queues") !== null`)
		admin.WaitFor("the shell", browsertest.ShellReady)
		admin.Screenshot("keyboard-tasks")
		// The palette opens the console's pages.
		admin.Do("open the palette", ctrlK)
		admin.WaitFor("the palette", `document.getElementById("palette").open === true`)
		admin.Do("search", chromedp.SendKeys(chromedp.CSS("#palette input"), "Admin: audit"), chromedp.KeyEvent(kb.Enter))
		admin.WaitFor("the audit page", `location.pathname === "/admin/audit/"`)
	})

	t.Run("light, dark and 375 px", func(t *testing.T) {
		admin.SetTest(t)
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
			admin.ColorScheme(scheme)
			for _, n := range names {
				admin.Visit(pages[n])
				if n == "dashboard" {
					if scheme == "light" {
						light = browsertest.Eval[string](admin, bg)
					} else {
						dark = browsertest.Eval[string](admin, bg)
					}
				}
				admin.Screenshot(n + "-" + scheme)
			}
		}
		if light == dark {
			t.Errorf("light and dark have the same background %s", light)
		}
		admin.ColorScheme("light")
		admin.Viewport(375, 800)
		defer admin.Viewport(0, 0)
		for _, n := range names {
			admin.Visit(pages[n])
			// The page itself does not scroll sideways; wide tables scroll
			// inside their own box.
			if w := browsertest.Eval[float64](admin, `document.documentElement.scrollWidth`); w > 376 {
				t.Errorf("%s is %v px wide at 375 px", n, w)
			}
			admin.Screenshot(n + "-375")
		}
	})
}

// reloadUntil is a condition for waitFor that reloads the page while cond
// does not hold (for what the server records a moment later).
func reloadUntil(cond string) string {
	return `(() => { let ok = false; try { ok = document.body.getAttribute("data-shell-ready") === "true" && (` + cond + `); } catch (e) {} if (!ok && document.readyState === "complete") location.reload(); return ok; })()`
}
