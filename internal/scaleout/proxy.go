package scaleout

import (
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultEject is how long [Proxy] leaves a backend out of the rotation
// after a connection to it failed.
const DefaultEject = 2 * time.Second

// BackendHeader names, in every answer of [Proxy], the backend that
// answered or failed (its host:port), so that clients can tell the
// instances apart.
const BackendHeader = "X-Scaleout-Backend"

// Failure is a request the proxy could not pass on: the backend's
// connection failed before an answer was complete.
type Failure struct {
	Backend string // host:port
	Method  string
	Path    string
	Err     error
	Time    time.Time
}

// Proxy is a round-robin reverse proxy over a fixed list of backends.
// Make it with [NewProxy]; the zero value has no backends and answers 503.
// Server-Sent Events pass through unbuffered.
type Proxy struct {
	// Eject is how long a backend whose connection failed is left out of
	// the rotation; 0 means [DefaultEject].
	Eject time.Duration

	backends []*backend
	next     atomic.Uint64

	mu       sync.Mutex
	failures []Failure
}

type backend struct {
	host      string
	rp        *httputil.ReverseProxy
	downUntil atomic.Int64 // unix nanoseconds
}

// NewProxy returns a proxy over the given backend base URLs
// (http://host:port).
func NewProxy(targets ...*url.URL) *Proxy {
	p := &Proxy{}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	for _, t := range targets {
		b := &backend{host: t.Host}
		b.rp = &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(t)
				r.SetXForwarded()
				r.Out.Host = r.In.Host
			},
			Transport:     tr,
			FlushInterval: -1,
			ModifyResponse: func(resp *http.Response) error {
				resp.Header.Set(BackendHeader, b.host)
				return nil
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				p.fail(b, r, err)
				w.Header().Set(BackendHeader, b.host)
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(`{"error":"bad gateway: the instance did not answer"}` + "\n"))
			},
		}
		p.backends = append(p.backends, b)
	}
	return p
}

// errNoBackend is the failure of a request when every backend is ejected.
var errNoBackend = errors.New("no backend in the rotation")

// ServeHTTP passes r to the next backend in the rotation.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := p.pick()
	if b == nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":"unavailable: ` + errNoBackend.Error() + `"}` + "\n"))
		return
	}
	b.rp.ServeHTTP(w, r)
}

// pick returns the next backend that is not ejected, or nil.
func (p *Proxy) pick() *backend {
	n := uint64(len(p.backends))
	if n == 0 {
		return nil
	}
	now := time.Now().UnixNano()
	start := p.next.Add(1)
	for i := range n {
		b := p.backends[(start+i)%n]
		if b.downUntil.Load() <= now {
			return b
		}
	}
	return nil
}

func (p *Proxy) fail(b *backend, r *http.Request, err error) {
	eject := p.Eject
	if eject <= 0 {
		eject = DefaultEject
	}
	now := time.Now()
	if r.Context().Err() == nil { // not the client going away
		b.downUntil.Store(now.Add(eject).UnixNano())
	}
	p.mu.Lock()
	p.failures = append(p.failures, Failure{Backend: b.host, Method: r.Method, Path: r.URL.Path, Err: err, Time: now})
	p.mu.Unlock()
}

// Failures returns the requests that could not be passed on so far.
func (p *Proxy) Failures() []Failure {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Failure(nil), p.failures...)
}
