// Package adminbrowser holds the browser acceptance tests of the admin
// console: the reference server (package demo) on a fresh database of the
// test MongoDB-wire server, driven in headless Chromium through chromedp.
// One server and one browser serve every test of the package; each tab
// has a browser context of its own, so two users can be signed in at once.
// Screenshots go to artifacts/browser/admin/ at the repository root.
//
// The package has no code besides its tests; run them with
//
//	eval "$(bash scripts/services.sh env)"
//	go test ./examples/demo/adminbrowser/
package adminbrowser
