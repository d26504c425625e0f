package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the demo's address")
	token := flag.String("token", "", "a bearer token of a user holding blog.write")
	n := flag.Int("n", 10000, "posts to create and publish")
	c := flag.Int("c", 16, "concurrent requests")
	flag.Parse()
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path, body string) (map[string]any, error) {
		req, err := http.NewRequest(method, *base+path, bytes.NewBufferString(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+*token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		var v map[string]any
		return v, json.Unmarshal(b, &v)
	}
	var next, failed atomic.Int64
	var last atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range *c {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(*n) {
					return
				}
				body := fmt.Sprintf(`{"title":"Post %d","excerpt":"The summary of post %d.","tags":["t%d"],"body":"Post **%d** says hello."}`, i, i, i%10, i)
				p, err := call("POST", "/blog/admin/posts", body)
				if err == nil {
					p, err = call("POST", fmt.Sprintf("/blog/admin/posts/%v/publish", p["id"]), "")
				}
				if err != nil {
					failed.Add(1)
					fmt.Fprintln(os.Stderr, err)
					continue
				}
				last.Store(p["slug"])
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "%d posts in %s, %d failed\n", *n, time.Since(start).Round(time.Millisecond), failed.Load())
	fmt.Println(last.Load())
	if failed.Load() > 0 {
		os.Exit(1)
	}
}
