package vault

import (
	"bufio"
	"context"
	"crypto/sha1" //nolint:gosec // the range protocol is defined on SHA-1
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
)

// breachChecker asks a Have I Been Pwned style range API how often a
// password appears in known breaches, with k-anonymity: only the first
// five hex digits of the password's SHA-1 leave the process, and the
// suffixes that come back are compared locally. Ranges are cached.
type breachChecker struct {
	base   string
	ttl    time.Duration
	client *http.Client

	mu     sync.Mutex
	ranges map[string]breachRange
}

type breachRange struct {
	counts  map[string]int // suffix (35 upper-case hex digits) → count
	fetched time.Time
}

// maxRangeBytes bounds a range response (real ones are ~30 KB).
const maxRangeBytes = 4 << 20

// errBreachUnavailable is a range API that did not answer usefully.
var errBreachUnavailable = fmt.Errorf("vault: the breach check is %w", webos.ErrUnavailable)

func newBreachChecker(base string, ttl time.Duration) *breachChecker {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return &breachChecker{base: base, ttl: ttl, client: &http.Client{Timeout: 10 * time.Second}, ranges: map[string]breachRange{}}
}

// Count returns how often the password appears in the range API's
// breaches; 0 when it does not.
func (b *breachChecker) Count(ctx context.Context, password string) (int, error) {
	sum := sha1.Sum([]byte(password)) //nolint:gosec // see above
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	prefix, suffix := h[:5], h[5:]
	r, err := b.rangeOf(ctx, prefix)
	if err != nil {
		return 0, err
	}
	return r.counts[suffix], nil
}

func (b *breachChecker) rangeOf(ctx context.Context, prefix string) (breachRange, error) {
	b.mu.Lock()
	r, ok := b.ranges[prefix]
	b.mu.Unlock()
	if ok && time.Since(r.fetched) < b.ttl {
		return r, nil
	}
	// #nosec G704 -- the administrator's configured range API and five hex digits
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+prefix, nil)
	if err != nil {
		return breachRange{}, errBreachUnavailable
	}
	// Padding makes every response about the same size, so that its
	// length tells an observer nothing of the prefix.
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", "webos-vault")
	resp, err := b.client.Do(req) // #nosec G704 -- as above
	if err != nil {
		return breachRange{}, errBreachUnavailable
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return breachRange{}, errBreachUnavailable
	}
	r = breachRange{counts: map[string]int{}, fetched: time.Now()}
	sc := bufio.NewScanner(io.LimitReader(resp.Body, maxRangeBytes))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		suf, cnt, ok := strings.Cut(line, ":")
		if !ok || len(suf) != 35 {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(cnt))
		if err != nil || n <= 0 { // padding lines have a count of 0
			continue
		}
		r.counts[strings.ToUpper(suf)] = n
	}
	if err := sc.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return breachRange{}, errBreachUnavailable
	}
	b.mu.Lock()
	if len(b.ranges) > 10000 {
		clear(b.ranges)
	}
	b.ranges[prefix] = r
	b.mu.Unlock()
	return r, nil
}

// Breached returns how often the password of the user's entry id appears
// in known breaches. With the breach check off it is 0 and
// ErrBreachCheckOff.
func (m *Module) Breached(ctx context.Context, id string) (int, error) {
	if m.breach == nil {
		return 0, ErrBreachCheckOff
	}
	p, err := m.Reveal(ctx, id, FieldPassword)
	if err != nil {
		return 0, err
	}
	return m.breach.Count(ctx, p)
}

// ErrBreachCheckOff is the error of a breach check while it is off.
var ErrBreachCheckOff = fmt.Errorf("vault: the breach check is off: %w", webos.ErrNotFound)
