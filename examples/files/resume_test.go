package files_test

import (
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/webos-go/webos/internal/browsertest"
)

// cutProxy is a TCP proxy in front of the demo server that counts the
// bytes browsers send and, once, drops every connection when the count
// passes a mark: a connection lost in the middle of an upload.
type cutProxy struct {
	ln    net.Listener
	sent  atomic.Int64
	cutAt atomic.Int64 // 0: never
	cut   atomic.Bool

	mu    sync.Mutex
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	t.Cleanup(func() { _ = ln.Close(); p.dropAll() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target)
		}
	}()
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) serve(c net.Conn, target string) {
	s, err := net.Dial("tcp", target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			total := p.sent.Add(int64(n))
			if at := p.cutAt.Load(); at > 0 && total >= at && p.cut.CompareAndSwap(false, true) {
				// Forward up to the mark, then drop the connection.
				keep := n - int(total-at)
				_, _ = s.Write(buf[:max(keep, 0)])
				p.sent.Add(-int64(n - max(keep, 0)))
				_ = c.Close()
				_ = s.Close()
				return
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = s.Close()
}

// pattern is the content the page makes for a file of size bytes.
func pattern(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte((i*31 + 7) & 255)
	}
	return b
}

// TestBrowserResumableUpload uploads 64 MiB through a proxy that drops
// the connection after 20 MiB: the upload resumes from what the server
// has, sends nothing twice, and the stored file is the one sent.
func TestBrowserResumableUpload(t *testing.T) {
	tb := newTab(t)
	if err := tb.srv.fs.Mkdir(t.Context(), mustURN("fs://local/big")); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	proxy := newCutProxy(t, tb.srv.Listener.Addr().String())
	tb.Do("open the commander through the proxy", chromedp.Navigate(proxy.URL()+"/files/?left=fs://local/big&right=fs://s3"))
	tb.waitForPanels()
	const size = 64 << 20
	before := proxy.sent.Load()
	proxy.cutAt.Store(before + 20<<20)
	start := time.Now()
	tb.dropFiles("left", map[string]int{"big.bin": size})
	tb.WaitWithin("the upload done", `(document.querySelector(".fc-job[data-upload]") || {dataset: {}}).dataset.state === "succeeded"`, 90*time.Second)
	took := time.Since(start)
	if !proxy.cut.Load() {
		t.Fatal("the proxy never dropped the connection")
	}
	// The page resumed where the server stood: at the bytes that had
	// passed the proxy when it cut (20 MiB less the requests' headers),
	// not at the start of the chunk that was cut (16 MiB) nor at 0.
	resumed, _ := strconv.Atoi(browsertest.Eval[string](tb.Tab, `document.querySelector(".fc-job[data-upload]").dataset.resumedAt || "0"`))
	if resumed < 20<<20-64<<10 || resumed > 20<<20 {
		t.Errorf("the upload resumed at byte %d, want where the connection dropped (just under %d)", resumed, 20<<20)
	}
	sent := proxy.sent.Load() - before
	overhead := sent - size
	t.Logf("64 MiB upload with one dropped connection: %d bytes sent through the proxy (%d more than the file: request headers and the start of the request the browser retried by itself, which the server refused unread), resumed at %d, %s", sent, overhead, resumed, took.Round(time.Millisecond))
	// Nothing the server had was sent again by the page. The browser
	// itself retries the request the drop cut off, from that request's
	// start; the server refuses it without reading it, but what was in
	// the sockets' buffers by then went over the wire: less than a chunk.
	if overhead < 0 || overhead > 8<<20 {
		t.Errorf("sent %d bytes for a %d-byte file: what arrived was sent again", sent, size)
	}
	f, err := tb.srv.fs.Open(t.Context(), mustURN("fs://local/big/big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(pattern(size))
	if string(h.Sum(nil)) != string(want[:]) {
		t.Error("the stored file differs from the one sent")
	}
}

// TestBrowserUploadFallsBackToPost: behind a proxy that refuses PATCH,
// the page sends the file in one plain POST instead.
func TestBrowserUploadFallsBackToPost(t *testing.T) {
	tb := newTab(t)
	if err := tb.srv.fs.Mkdir(t.Context(), mustURN("fs://local/fallback")); err != nil {
		t.Fatal(err)
	}
	tb.signIn()
	target, _ := url.Parse(tb.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			http.Error(w, "PATCH is not allowed here", http.StatusMethodNotAllowed)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	tb.Do("open the commander through the proxy", chromedp.Navigate(proxy.URL+"/files/?left=fs://local/fallback&right=fs://s3"))
	tb.waitForPanels()
	tb.dropFiles("left", map[string]int{"plain.bin": 2 << 20})
	tb.WaitWithin("the upload done", `(document.querySelector(".fc-job[data-upload]") || {dataset: {}}).dataset.state === "succeeded"`, 30*time.Second)
	if mode := browsertest.Eval[string](tb.Tab, `document.querySelector(".fc-job[data-upload]").dataset.mode || ""`); mode != "post" {
		t.Errorf("upload mode %q, want the plain POST", mode)
	}
	info, err := tb.srv.fs.Stat(t.Context(), mustURN("fs://local/fallback/plain.bin"))
	if err != nil || info.Size != 2<<20 {
		t.Errorf("plain.bin: %v, %d bytes", err, info.Size)
	}
}
