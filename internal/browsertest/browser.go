package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/internal/testenv"
)

// The window size of a Browser whose Width and Height are zero.
const (
	DefaultWidth  = 1280
	DefaultHeight = 860
)

// Browser is one headless Chromium shared by the tests of a package. It
// starts when the first test asks for a tab and runs until Close, which
// TestMain calls after the tests. The zero value is a browser with a
// window of DefaultWidth × DefaultHeight.
type Browser struct {
	// Width and Height are the window's size in CSS pixels; zero means
	// DefaultWidth and DefaultHeight. Set them before the first tab.
	Width, Height int

	once  sync.Once
	ctx   context.Context
	err   error
	mu    sync.Mutex
	stops []func()
}

// Context returns the browser's context, starting Chromium on the first
// call. It skips the test when Chromium is not configured (and under
// -short) and fails it when Chromium does not start.
func (b *Browser) Context(t testing.TB) context.Context {
	t.Helper()
	path := testenv.Chromium(t)
	b.once.Do(func() { b.ctx, b.err = b.start(path) })
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.ctx
}

// flags are the options every browser of the tests starts with, besides
// its window size and a fresh profile folder.
func flags(path string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
	}
}

func (b *Browser) start(path string) (context.Context, error) {
	dir, err := os.MkdirTemp("", "webos-chromium-")
	if err != nil {
		return nil, err
	}
	b.onClose(func() { _ = os.RemoveAll(dir) })
	w, h := b.Width, b.Height
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	opts := append(flags(path), chromedp.WindowSize(w, h), chromedp.UserDataDir(dir))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b.onClose(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	b.onClose(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return browser, nil
}

func (b *Browser) onClose(f func()) {
	b.mu.Lock()
	b.stops = append(b.stops, f)
	b.mu.Unlock()
}

// Close stops Chromium and removes its profile folder. It does nothing
// when the browser never started.
func (b *Browser) Close() {
	b.mu.Lock()
	stops := b.stops
	b.stops = nil
	b.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
}

// RepoRoot returns the repository's root: the nearest folder above the
// working directory that holds a go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ArtifactDir returns artifacts/browser/sub at the repository root (sub
// may be empty), where the screenshots of a package's tests go. It does
// not create the folder.
func ArtifactDir(sub string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "artifacts", "browser", filepath.FromSlash(sub)), nil
}

// Sanitize turns s (a test's name, say) into a file name of letters,
// digits and dashes.
func Sanitize(s string) string {
	out := []rune(s)
	for i, r := range out {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			out[i] = '-'
		}
	}
	return string(out)
}
