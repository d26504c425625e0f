// Package browsertest is the harness of the repository's browser tests:
// headless Chromium (Debian's chromium, path in WEBOS_TEST_CHROMIUM)
// driven through chromedp.
//
// A test package keeps one [Browser], started by the first test that asks
// for a tab and closed from TestMain, and gives each test a [Tab] of its
// own: a tab in a browser context of its own (its own cookies), with a
// deadline, the light colour scheme, and a watch on the pages' Content-
// Security-Policy that fails the test on any violation it did not take
// with [Tab.TakeCSP]. Dialogs (hx-confirm) are accepted and their text
// kept; console errors and uncaught exceptions are kept and logged.
// Screenshots go to artifacts/browser/<dir>/ at the repository root
// (git-ignored), and a tab saves one of the page when it fails a test.
//
// Each method that fails the test on error has a twin whose name ends in
// Err and returns the error instead, for tests that record failures
// rather than stop at the first (the navigation audit, say).
//
// What belongs to one package — its server, its users, helpers for its
// own pages — stays in that package; this package knows only the browser
// and the shell's sign-in form. It is for tests: nothing else imports it.
//
//	var browser browsertest.Browser
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		browser.Close()
//		os.Exit(code)
//	}
//
//	func TestLaunchpad(t *testing.T) {
//		tb := browser.NewTab(t, browsertest.Options{Base: srv.URL})
//		tb.SignIn("admin@example.com", "admin-password-1")
//		tb.WaitFor("the cards", `document.querySelectorAll("a.app-card").length > 0`)
//		tb.Screenshot("launchpad")
//	}
package browsertest
