package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ident is who a request is sent as.
type ident struct {
	name   string
	bearer string // the Authorization header's value
	cookie string // the Cookie header's value
	// origin adds the headers a browser sends with a same-origin request
	// (Origin, Sec-Fetch-Site), without which a cookie-authenticated
	// state-changing request is refused by design.
	origin bool
	// crossSite sends the headers of a browser's request from another
	// site instead: a cookie-authenticated state-changing request is
	// then refused by design.
	crossSite bool
	// login signs the identity's user in again, for a new session when the
	// pool is empty.
	login func() string
	// pool, for a cookie identity, is spare sessions of the same user for
	// the routes that end the session they are called with.
	pool []string
}

// request is one request of the sweep.
type request struct {
	phase   string
	rt      *route
	who     *ident
	method  string
	target  string // the escaped path and query
	ctype   string
	body    func() io.Reader
	size    int64 // the body's length; -1 sends it chunked
	header  [][2]string
	browser bool   // a browser's navigation or an htmx request
	label   string // what the body or the headers are, for the report
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// finding is one response that fails a check.
type finding struct {
	kind   string
	req    string // method, target, identity
	route  string // the route of the list it was made from
	method string
	phase  string
	status int
	detail string
}

type sweeper struct {
	base, host string
	dataDir    string
	client     *http.Client
	sink       *logSink
	verbose    bool

	defaults map[string]string
	signOut  []*route
	idents   map[string]*ident
	badCreds []*ident

	total    int
	byPhase  map[string]int
	byStatus map[int]int
	findings []finding
	// htmlElsewhere are HTML error pages answered to a browser-style
	// request on a route that is not a page: accepted, and reported.
	htmlElsewhere []finding
}

func newSweeper(host, dataDir string, sink *logSink, verbose bool) *sweeper {
	tr := &http.Transport{
		MaxIdleConnsPerHost: 4,
		DisableCompression:  true,
		// The sweep sends huge headers on purpose.
		MaxResponseHeaderBytes: 1 << 20,
	}
	return &sweeper{
		base: "http://" + host, host: host, dataDir: dataDir, sink: sink, verbose: verbose,
		client: &http.Client{
			Transport:     tr,
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		defaults: pathDefaults(),
		idents:   map[string]*ident{},
		byPhase:  map[string]int{},
		byStatus: map[int]int{},
	}
}

// send sends q and checks the response.
func (s *sweeper) send(q request) *response {
	resp := s.roundTrip(q)
	s.total++
	s.byPhase[q.phase]++
	if resp.err == nil {
		s.byStatus[resp.status]++
	}
	s.check(q, resp)
	if s.verbose {
		st := fmt.Sprint(resp.status)
		if resp.err != nil {
			st = "ERR " + resp.err.Error()
		}
		fmt.Printf("%-8s %-22s %s %s {%s} → %s\n", q.phase, q.who.name, q.method, short(q.target, 100), q.label, st)
	}
	return resp
}

func (s *sweeper) roundTrip(q request) *response {
	var body io.Reader
	if q.body != nil {
		body = q.body()
	}
	req, err := http.NewRequest(q.method, s.base+q.target, body)
	if err != nil {
		return &response{err: fmt.Errorf("building the request: %w", err)}
	}
	if body != nil {
		req.ContentLength = q.size
		if q.size < 0 {
			req.ContentLength = -1
			req.Body = io.NopCloser(body) // no GetBody: the client cannot tell the length
		}
	}
	h := req.Header
	if q.ctype != "" {
		h.Set("Content-Type", q.ctype)
	}
	if !q.browser {
		h.Set("Accept", "application/json")
	}
	who := q.who
	if who.bearer != "" {
		h.Set("Authorization", who.bearer)
	}
	if who.cookie != "" {
		h.Set("Cookie", who.cookie)
	}
	switch {
	case who.origin:
		h.Set("Origin", s.base)
		h.Set("Sec-Fetch-Site", "same-origin")
	case who.crossSite:
		h.Set("Origin", "http://elsewhere.example")
		h.Set("Sec-Fetch-Site", "cross-site")
	}
	for _, kv := range q.header {
		h.Add(kv[0], kv[1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return &response{err: err}
	}
	defer resp.Body.Close()
	out := &response{status: resp.StatusCode, header: resp.Header}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		return out // a stream: its headers tell enough
	}
	out.body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		out.err = fmt.Errorf("reading the body: %w", err)
	}
	return out
}

func (q request) String() string {
	label := ""
	if q.label != "" {
		label = " {" + q.label + "}"
	}
	return fmt.Sprintf("%s %s [%s]%s", q.method, short(q.target, 120), q.who.name, label)
}

// leak markers: the drivers' and the network's words.
var driverWords = []string{"sqlite", "sqlstate", "mongo", "redis:", "dial tcp", "i/o timeout", "unexpected eof"}

var addrRE = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}\b|\blocalhost:\d{1,5}\b|\[[0-9a-fA-F:]*:[0-9a-fA-F:]*\]:\d{1,5}`)

// check applies the sweep's rules to one response.
func (s *sweeper) check(q request, r *response) {
	rt := q.target
	if q.rt != nil {
		rt = q.rt.path
	}
	add := func(kind, detail string) {
		s.findings = append(s.findings, finding{kind: kind, req: q.String(), route: rt, method: q.method, phase: q.phase, status: r.status, detail: detail})
	}
	if r.err != nil {
		add("no answer", r.err.Error())
		return
	}
	body := string(r.body)
	if r.status >= 500 {
		detail := short(body, 300)
		for _, l := range s.sink.errorsFor(r.header.Get("X-Request-Id")) {
			detail += "\n      log: " + short(l, 600)
		}
		add("5xx", detail)
	}
	if r.status >= 400 && r.status < 500 && !s.jsonError(q, r) {
		switch {
		case !q.browser || !isHTML(r.header):
			add("non-JSON error", r.header.Get("Content-Type")+": "+short(body, 200))
		case q.rt == nil || !q.rt.page:
			// A browser's navigation or htmx request gets the shell's error
			// page (ui.Module.Error) on any route: accepted, and shown.
			s.htmlElsewhere = append(s.htmlElsewhere, finding{kind: "html", req: q.String(), phase: q.phase, status: r.status, detail: r.header.Get("Content-Type")})
		}
	}
	// The configuration view's job is to show an administrator the
	// configuration — the data folder, the addresses, the names of the
	// MongoDB and Redis variables — with secrets masked (the admin
	// package's tests check the masking): its successful answers to an
	// administrator are not leaks, and nothing else is exempt.
	// (bearer:lowercase is the administrator's token with its scheme in
	// lower case.)
	asAdmin := strings.HasPrefix(q.who.name, "admin/") || q.who.name == "bearer:lowercase"
	configView := q.rt != nil && q.rt.config && r.status == http.StatusOK && asAdmin
	if w := s.leak(body); w != "" && !configView {
		add("leak", w+" in the body: "+around(body, w, 120))
	}
	if loc := r.header.Get("Location"); loc != "" {
		if w := s.leak(loc); w != "" {
			add("leak", w+" in Location: "+short(loc, 200))
		}
	}
	// The route list is checked against the server: the route's own method
	// with the ordinary path, as the administrator, must be routed.
	if q.rt != nil && q.phase == "methods" && q.who.name == "admin/bearer" && q.method == q.rt.methodOr("GET") {
		if s.unrouted(r) {
			add("route unknown to the server", short(body, 200))
		}
	}
}

// unrouted reports whether r is the kernel's or a mounted mux's answer to
// a path or method it has no route for.
func (s *sweeper) unrouted(r *response) bool {
	if r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
		return false
	}
	var e struct{ Error string }
	_ = json.Unmarshal(r.body, &e)
	return strings.Contains(e.Error, "no route for") || strings.Contains(e.Error, "no such route") ||
		strings.Contains(e.Error, "method not allowed")
}

// jsonError reports whether r is a JSON error: Content-Type
// application/json and a body {"error": "…"} (HEAD: no body).
func (s *sweeper) jsonError(q request, r *response) bool {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if mt != "application/json" {
		return false
	}
	if q.method == http.MethodHead {
		return len(r.body) == 0
	}
	var e map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &e); err != nil {
		return false
	}
	var msg string
	return json.Unmarshal(e["error"], &msg) == nil && msg != ""
}

func isHTML(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/html"
}

// leak returns what in text shows the server's insides, or "".
func (s *sweeper) leak(text string) string {
	if text == "" {
		return ""
	}
	if strings.Contains(text, s.dataDir) {
		return "the data folder"
	}
	if base := filepath.Base(s.dataDir); strings.Contains(text, base) {
		return "the data folder's name"
	}
	lower := strings.ToLower(text)
	for _, w := range driverWords {
		if strings.Contains(lower, w) {
			return fmt.Sprintf("%q", w)
		}
	}
	for _, a := range addrRE.FindAllString(text, -1) {
		if a != s.host {
			return "the address " + a
		}
	}
	return ""
}

func short(s string, n int) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func around(text, word string, n int) string {
	lower := strings.ToLower(text)
	w := strings.ToLower(strings.Trim(word, `"`))
	if strings.HasPrefix(word, "the address ") {
		w = strings.ToLower(strings.TrimPrefix(word, "the address "))
	}
	i := strings.Index(lower, w)
	if i < 0 {
		return short(text, n)
	}
	from, to := max(0, i-n/2), min(len(text), i+len(w)+n/2)
	return "…" + short(text[from:to], n+len(w)) + "…"
}

// api sends a setup request and decodes its JSON answer into out.
func (s *sweeper) api(who *ident, method, target string, in, out any) (*response, error) {
	var body func() io.Reader
	var size int64
	if in != nil {
		b, _ := json.Marshal(in)
		body, size = func() io.Reader { return bytes.NewReader(b) }, int64(len(b))
	}
	r := s.send(request{phase: "setup", who: who, method: method, target: target, ctype: "application/json", body: body, size: size})
	if r.err != nil {
		return r, r.err
	}
	if r.status >= 300 {
		return r, fmt.Errorf("%s %s: %d %s", method, target, r.status, short(string(r.body), 200))
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return r, fmt.Errorf("%s %s: %w", method, target, err)
		}
	}
	return r, nil
}
