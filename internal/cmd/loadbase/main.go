package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18090", "address to serve on")
	body := flag.String("body", `{"status":"ok"}`, "the JSON response body")
	page := flag.String("page", "", "file whose bytes GET /page answers as HTML")
	file := flag.String("file", "", "file GET /download serves with http.ServeFile")
	flag.Parse()

	mux := http.NewServeMux()
	mux.Handle("/", fixed("application/json; charset=utf-8", []byte(*body+"\n")))
	if *page != "" {
		b, err := os.ReadFile(*page)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbase:", err)
			os.Exit(1)
		}
		mux.Handle("GET /page", fixed("text/html; charset=utf-8", b))
	}
	if *file != "" {
		name := *file
		mux.HandleFunc("GET /download", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, name) })
	}
	srv := &http.Server{Addr: *listen, ReadHeaderTimeout: 10 * time.Second, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	fmt.Println("loadbase: listening on", *listen)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "loadbase:", err)
		os.Exit(1)
	}
}

// fixed answers every request with b.
func fixed(contentType string, b []byte) http.Handler {
	n := strconv.Itoa(len(b))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", n)
		_, _ = w.Write(b)
	})
}
