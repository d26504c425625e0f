package browsertest_test

import (
	"fmt"
	"path/filepath"

	"github.com/webos-go/webos/internal/browsertest"
)

// A package's tests keep one Browser and open a Tab per test; the tab's
// screenshots go to artifacts/browser/<Options.Dir>/ at the repository
// root. Nothing starts until the first tab, so closing a browser no test
// used does nothing.
func Example() {
	var browser browsertest.Browser // the package's one Chromium, 1280×860
	defer browser.Close()           // from TestMain, after m.Run

	opts := browsertest.Options{Base: "http://127.0.0.1:8080", Dir: "admin"}
	// In a test: tb := browser.NewTab(t, opts); tb.SignIn(...); tb.Screenshot("users")

	dir, err := browsertest.ArtifactDir(opts.Dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	root, err := browsertest.RepoRoot()
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(root, filepath.Join(dir, "users.png"))
	fmt.Println(filepath.ToSlash(rel))
	fmt.Println("failed-" + browsertest.Sanitize("TestAdmin/users page") + ".png")
	// Output:
	// artifacts/browser/admin/users.png
	// failed-TestAdmin-users-page.png
}
