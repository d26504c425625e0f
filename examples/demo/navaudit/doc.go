// Package navaudit holds the navigation audit of the reference server
// (package demo): a browser test that visits every page of every module
// the demo composes, as an administrator and as an ordinary user, and
// checks each against the shell's rules — the frame is there, exactly one
// menu entry is active and it is the module's, the title names the app, no
// console error or Content-Security-Policy violation, no broken internal
// link or image, keyboard focus is visible, nothing scrolls sideways at
// 375 px, and the main text stays readable in dark mode.
//
// The pages are found from what the modules declare — the shell's menu
// entries, launchpad cards and palette commands, the application's GET
// routes (App.Routes) that answer with a page, and the links those pages
// carry — never from a list in the test, so a module added to the demo is
// audited without a change here.
//
// The server runs as `make run` does (the embedded store in a fresh data
// folder), in headless Chromium driven by chromedp; one server and one
// browser serve the package. The report and screenshots go to
// artifacts/browser/navaudit/ at the repository root.
//
// The package has no code besides its tests; run them with
//
//	eval "$(bash scripts/services.sh env)"
//	go test ./examples/demo/navaudit/
package navaudit
