package vault

import (
	"context"
	"crypto/sha1" //nolint:gosec // the range protocol
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rangeServer implements the Have I Been Pwned range protocol for the
// given breached passwords: GET /range/{5 hex digits} answers every suffix
// of that prefix with its count, plus padding lines with count 0.
func rangeServer(t *testing.T, breached map[string]int) (*httptest.Server, *atomic.Int32, func() []string) {
	t.Helper()
	var hits atomic.Int32
	var mu sync.Mutex
	var asked []string
	byPrefix := map[string][]string{}
	for p, n := range breached {
		sum := sha1.Sum([]byte(p)) //nolint:gosec // the protocol
		h := strings.ToUpper(hex.EncodeToString(sum[:]))
		byPrefix[h[:5]] = append(byPrefix[h[:5]], fmt.Sprintf("%s:%d", h[5:], n))
	}
	valid := regexp.MustCompile(`^[0-9A-F]{5}$`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
		if !ok || !valid.MatchString(prefix) {
			http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
			return
		}
		mu.Lock()
		asked = append(asked, prefix)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		for _, l := range byPrefix[prefix] {
			fmt.Fprintf(w, "%s\r\n", l)
		}
		if r.Header.Get("Add-Padding") == "true" {
			fmt.Fprintf(w, "%s:0\r\n", strings.Repeat("0", 35))
		}
		fmt.Fprintf(w, "%s:3\r\n", strings.Repeat("F", 35)) // another password of the range
	}))
	t.Cleanup(srv.Close)
	return srv, &hits, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), asked...) }
}

func TestBreachRangeProtocol(t *testing.T) {
	srv, hits, asked := rangeServer(t, map[string]int{"password": 9545824, "hunter2": 17})
	b := newBreachChecker(srv.URL+"/range", time.Hour)
	ctx := context.Background()
	for p, want := range map[string]int{"password": 9545824, "hunter2": 17, "correct horse battery staple x9!": 0} {
		n, err := b.Count(ctx, p)
		if err != nil || n != want {
			t.Errorf("%q: %d %v, want %d", p, n, err, want)
		}
	}
	for _, a := range asked() {
		if len(a) != 5 {
			t.Errorf("asked for %q: more than the prefix left", a)
		}
	}
	// A second check of a password of a cached range asks nothing.
	before := hits.Load()
	if n, _ := b.Count(ctx, "password"); n != 9545824 || hits.Load() != before {
		t.Fatalf("cached range: %d, %d requests more", n, hits.Load()-before)
	}
	// A failing server is unavailable, not "not breached".
	srv.Close()
	if _, err := b.Count(ctx, "something else entirely"); err == nil {
		t.Fatal("no error from a closed server")
	}
}
