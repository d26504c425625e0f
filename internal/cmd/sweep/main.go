package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/demo"
)

func main() {
	verbose := flag.Bool("v", false, "print every request with its status")
	logFile := flag.String("log", "", "also write the server's log to this file")
	keep := flag.Bool("keep", false, "keep the data folder")
	listOnly := flag.Bool("list", false, "only check that the route list holds every route the server mounts")
	flag.Parse()
	os.Exit(run(*verbose, *logFile, *keep, *listOnly))
}

func run(verbose bool, logFile string, keep, listOnly bool) int {
	start := time.Now()
	dir, err := os.MkdirTemp("", "webos-sweep-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		return 2
	}
	dir, _ = filepath.EvalSymlinks(dir)
	if keep {
		fmt.Println("data folder:", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	// Everything the server writes — its log and whatever reaches standard
	// error — is scanned for panics.
	sink := &logSink{}
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sweep:", err)
			return 2
		}
		defer f.Close()
		sink.copy = f
	}
	realStderr := os.Stderr
	restore, err := captureStderr(sink)
	if err != nil {
		fmt.Fprintln(realStderr, "sweep:", err)
		return 2
	}
	defer restore()
	fail := func(format string, args ...any) int {
		restore()
		fmt.Fprintf(realStderr, "sweep: "+format+"\n", args...)
		return 2
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail("%v", err)
	}
	host := ln.Addr().String()
	adminEmail, adminPassword := "admin@sweep.test", "admin-"+randomHex(12)
	env := map[string]string{
		"WEBOS_DATA_DIR":       dir,
		"WEBOS_ADDR":           host, // the address served, so that BaseURL is the server's own
		"WEBOS_ADMIN_EMAIL":    adminEmail,
		"WEBOS_ADMIN_PASSWORD": adminPassword,
	}
	for k, v := range env {
		os.Setenv(k, v)
	}
	for _, k := range []string{"WEBOS_MONGO_URL", "WEBOS_REDIS_URL", "WEBOS_AFS_SOURCES", "WEBOS_ENV"} {
		os.Unsetenv(k)
	}
	// No .env file of the working directory: the demo's defaults only.
	if err := os.Chdir(dir); err != nil {
		return fail("%v", err)
	}
	cfg, err := webos.LoadConfig()
	if err != nil {
		return fail("config: %v", err)
	}
	webos.SetDefaultLogger(webos.NewLogger(cfg, sink))
	app, err := demo.NewApp(cfg)
	if err != nil {
		return fail("demo: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startCtx, startCancel := context.WithTimeout(ctx, time.Minute)
	err = app.Start(startCtx)
	startCancel()
	if err != nil {
		return fail("start: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- app.ServeListener(ctx, ln) }()
	defer func() {
		cancel()
		<-served
		stopCtx, stopCancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer stopCancel()
		_ = app.Stop(stopCtx)
	}()

	s := newSweeper(host, dir, sink, verbose)
	s.checkList(app.Routes())
	if listOnly {
		restore()
		for _, f := range s.findings {
			fmt.Printf("%s: %s (%s)\n", f.kind, f.req, f.detail)
		}
		fmt.Printf("%d routes mounted, %d missing from the list\n", len(app.Routes()), len(s.findings))
		if len(s.findings) > 0 {
			return 1
		}
		return 0
	}
	if err := s.signIn(adminEmail, adminPassword); err != nil {
		return fail("setting up the credentials: %v", err)
	}
	setup := time.Since(start)
	s.sweep()
	probes := s.rawProbes()
	elapsed := time.Since(start)

	restore()
	return s.report(realStderr, probes, setup, elapsed)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// logSink keeps the server's log lines that matter to the sweep.
type logSink struct {
	mu      sync.Mutex
	partial []byte
	lines   int
	panics  []string
	errs    []string // level=ERROR lines, to explain a 5xx
	copy    io.Writer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.copy != nil {
		_, _ = l.copy.Write(p)
	}
	l.partial = append(l.partial, p...)
	for {
		i := strings.IndexByte(string(l.partial), '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logSink) line(s string) {
	l.lines++
	if strings.Contains(strings.ToLower(s), "panic") {
		l.panics = append(l.panics, s)
	}
	if strings.Contains(s, "level=ERROR") || strings.Contains(s, `"level":"ERROR"`) {
		l.errs = append(l.errs, s)
	}
}

// errorsFor returns the ERROR lines of the log that carry the trace id.
func (l *logSink) errorsFor(traceID string) []string {
	if traceID == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.errs {
		if strings.Contains(s, traceID) {
			out = append(out, s)
		}
	}
	return out
}

func (l *logSink) snapshot() (lines int, panics []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines, append([]string(nil), l.panics...)
}

// captureStderr sends what is written to os.Stderr (by the server's
// libraries, by the runtime's log) to sink until restore is called.
func captureStderr(sink io.Writer) (restore func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	orig := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			fmt.Fprintf(sink, "stderr: %s\n", sc.Text())
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			os.Stderr = orig
			_ = w.Close()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
			}
		})
	}, nil
}
