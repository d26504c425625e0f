package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// headerFlags collects repeated -H 'Name: value' flags.
type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

func runSeed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	url := fs.String("url", "", "URL to POST to")
	n := fs.Int("n", 10000, "number of records")
	conc := fs.Int("c", 16, "parallel requests")
	body := fs.String("body", `{"name":"record %d"}`, "JSON body; %d is the record's number, from 1")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	var headers headerFlags
	fs.Var(&headers, "H", "request header 'Name: value' (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *n < 1 || *conc < 1 {
		return errors.New("seed: -url, -n >= 1 and -c >= 1 are required")
	}
	hdr := http.Header{"Content-Type": {"application/json"}}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("seed: header %q: want 'Name: value'", h)
		}
		hdr.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	client := &http.Client{
		Timeout:   *timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc},
	}
	var (
		next     atomic.Int64
		failed   atomic.Int64
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		failed.Add(1)
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	start := time.Now()
	for range *conc {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(*n) || failed.Load() > 100 {
					return
				}
				b := strings.ReplaceAll(*body, "%d", fmt.Sprint(i))
				req, err := http.NewRequest(http.MethodPost, *url, bytes.NewReader([]byte(b)))
				if err != nil {
					fail(err)
					return
				}
				req.Header = hdr.Clone()
				resp, err := client.Do(req)
				if err != nil {
					fail(err)
					continue
				}
				msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					fail(fmt.Errorf("record %d: %s: %s", i, resp.Status, bytes.TrimSpace(msg)))
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("seed %s: %d requests failed; first: %w", *url, f, firstErr)
	}
	fmt.Fprintf(os.Stdout, "seeded %d records in %.2fs (%.0f/s)\n", *n, took.Seconds(), float64(*n)/took.Seconds())
	return nil
}
