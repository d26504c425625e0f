package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a token bucket: Burst attempts at once, then one more every
// Every. A zero Burst means no limit.
type Limit struct {
	Burst int
	Every time.Duration
}

// Throttle sets how many failed logins and registrations are allowed before
// the server answers 429 Too Many Requests.
//
// Failed logins are counted three ways. PerAccountIP stops a guesser at one
// address quickly without touching the account's owner elsewhere; PerIP
// stops one address from trying many accounts; PerAccount, much looser,
// bounds guesses at one account spread over many addresses. So the real
// user, logging in from another address, is locked out only by a
// distributed attack that has already made PerAccount.Burst guesses. A
// successful login does not count and clears its address's count for that
// account. Unknown e-mail addresses are counted exactly like known ones.
type Throttle struct {
	// PerIP limits failed logins from one client address, any account.
	PerIP Limit
	// PerAccountIP limits failed logins for one account from one address.
	PerAccountIP Limit
	// PerAccount limits failed logins for one account from any address.
	PerAccount Limit
	// Register limits registrations from one client address.
	Register Limit
	// MaxKeys bounds the number of addresses and accounts remembered per
	// limit; when full, entries whose bucket has refilled are dropped first,
	// then arbitrary ones.
	MaxKeys int
}

// DefaultThrottle is the throttle a [Module] uses unless its Config says
// otherwise: 5 wrong passwords per account and address, then one a minute;
// 20 per address; 50 per account.
var DefaultThrottle = Throttle{
	PerIP:        Limit{Burst: 20, Every: 30 * time.Second},
	PerAccountIP: Limit{Burst: 5, Every: time.Minute},
	PerAccount:   Limit{Burst: 50, Every: time.Minute},
	Register:     Limit{Burst: 10, Every: time.Minute},
	MaxKeys:      100_000,
}

// keyedLimiter holds one rate.Limiter per key, in a map bounded by max whose
// entries expire once their bucket is full again: a full bucket is the same
// as a new one, so nothing is forgotten by dropping it.
type keyedLimiter struct {
	limit Limit
	max   int

	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	lim  *rate.Limiter
	last time.Time
}

func newKeyedLimiter(l Limit, max int) *keyedLimiter {
	if max <= 0 {
		max = DefaultThrottle.MaxKeys
	}
	return &keyedLimiter{limit: l, max: max, m: map[string]*keyedEntry{}}
}

// refill is how long an untouched bucket takes to fill up completely.
func (k *keyedLimiter) refill() time.Duration { return time.Duration(k.limit.Burst) * k.limit.Every }

// reserve takes one token for key at now. When none is available it takes
// nothing and returns how long to wait; otherwise the reservation can be
// given back with cancel.
func (k *keyedLimiter) reserve(key string, now time.Time) (r *rate.Reservation, wait time.Duration) {
	if k == nil || k.limit.Burst <= 0 {
		return nil, 0
	}
	k.mu.Lock()
	e, ok := k.m[key]
	if !ok {
		if len(k.m) >= k.max {
			k.sweepLocked(now)
		}
		e = &keyedEntry{lim: rate.NewLimiter(rate.Every(k.limit.Every), k.limit.Burst)}
		k.m[key] = e
	}
	e.last = now
	k.mu.Unlock()

	r = e.lim.ReserveN(now, 1)
	if !r.OK() {
		return nil, k.refill()
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d
	}
	return r, 0
}

// forget drops key, clearing its count.
func (k *keyedLimiter) forget(key string) {
	if k == nil {
		return
	}
	k.mu.Lock()
	delete(k.m, key)
	k.mu.Unlock()
}

// sweep drops the entries whose bucket has refilled.
func (k *keyedLimiter) sweep(now time.Time) {
	if k == nil {
		return
	}
	k.mu.Lock()
	k.sweepLocked(now)
	k.mu.Unlock()
}

func (k *keyedLimiter) sweepLocked(now time.Time) {
	idle := k.refill()
	for key, e := range k.m {
		if now.Sub(e.last) >= idle {
			delete(k.m, key)
		}
	}
	// Still full: drop arbitrary entries (map order is random) down to
	// three quarters, so that the next sweeps are far apart.
	for key := range k.m {
		if len(k.m) < k.max*3/4+1 {
			break
		}
		delete(k.m, key)
	}
}

func (k *keyedLimiter) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// loginThrottle applies a Throttle to login attempts.
type loginThrottle struct {
	ip, accountIP, account, register *keyedLimiter
}

func newLoginThrottle(t Throttle) *loginThrottle {
	return &loginThrottle{
		ip:        newKeyedLimiter(t.PerIP, t.MaxKeys),
		accountIP: newKeyedLimiter(t.PerAccountIP, t.MaxKeys),
		account:   newKeyedLimiter(t.PerAccount, t.MaxKeys),
		register:  newKeyedLimiter(t.Register, t.MaxKeys),
	}
}

// attempt is one login attempt that holds a token of each limit.
type attempt struct {
	t          *loginThrottle
	at         time.Time
	accountKey string
	rs         []*rate.Reservation
}

// begin reserves a failure for account (a normalised e-mail address) from
// ip at now. When a limit is exhausted it reserves nothing and returns the
// longest wait.
func (t *loginThrottle) begin(account, ip string, now time.Time) (*attempt, time.Duration) {
	a := &attempt{t: t, at: now, accountKey: account + "\x00" + ip}
	var wait time.Duration
	for _, step := range [...]struct {
		k   *keyedLimiter
		key string
	}{{t.ip, ip}, {t.accountIP, a.accountKey}, {t.account, account}} {
		r, w := step.k.reserve(step.key, now)
		wait = max(wait, w)
		if r != nil {
			a.rs = append(a.rs, r)
		}
	}
	if wait > 0 {
		a.cancel()
		return nil, wait
	}
	return a, 0
}

// cancel gives the reserved tokens back.
func (a *attempt) cancel() {
	for _, r := range a.rs {
		r.CancelAt(a.at)
	}
	a.rs = nil
}

// succeeded gives the reserved failures back and clears the account's count
// for this address.
func (a *attempt) succeeded() {
	a.cancel()
	a.t.accountIP.forget(a.accountKey)
}

// registration reserves one registration from ip.
func (t *loginThrottle) registration(ip string, now time.Time) time.Duration {
	_, wait := t.register.reserve(ip, now)
	return wait
}

func (t *loginThrottle) sweep(now time.Time) {
	for _, k := range [...]*keyedLimiter{t.ip, t.accountIP, t.account, t.register} {
		k.sweep(now)
	}
}
