package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "BREW"}

func unsafeMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return false
	}
	return true
}

// sweep sends every phase; the routes that end their session come last.
func (s *sweeper) sweep() {
	all := routes()
	var normal []*route
	for _, rt := range all {
		if rt.logout {
			s.signOut = append(s.signOut, rt)
		} else {
			normal = append(normal, rt)
		}
	}
	signOut := s.signOut
	s.phaseMethods(normal)
	s.phaseBodies(normal)
	s.phasePaths(normal)
	s.phaseQueries(normal)
	s.phaseCreds(normal)
	s.phaseHeaders(normal)
	s.phaseBrowser(normal)
	s.phaseStreams(normal)
	// The sign-out routes, with fresh credentials.
	s.phaseMethods(signOut)
	s.phaseBodies(signOut)
	s.phaseBrowser(signOut)
	s.phaseCreds(signOut)
}

func (s *sweeper) id(name string) *ident { return s.idents[name] }

// signsOut reports whether q reaches a route that ends the session or
// revokes the token it is sent with (whatever route of the list it was
// made from: another method on the same path counts).
func (s *sweeper) signsOut(q request) bool {
	path, _, _ := strings.Cut(q.target, "?")
	for _, rt := range s.signOut {
		if q.method == rt.method && path == rt.path {
			return true
		}
	}
	return false
}

// sendAs sends q as who; a request to a sign-out route gets a fresh
// credential.
func (s *sweeper) sendAs(q request) *response {
	if s.signsOut(q) {
		q.who = s.fresh(q.who)
		r := s.send(q)
		s.consumed(q.who, r)
		return r
	}
	return s.send(q)
}

func (s *sweeper) target(rt *route) string { return rt.fill(s.defaults, nil) }

// withBody fills q's body from b.
func withBody(q request, b body) request {
	q.body, q.size = b.reader()
	q.ctype = b.ctype
	q.label = b.name
	return q
}

// phaseMethods: every method on every route, as every kind of client.
func (s *sweeper) phaseMethods(rts []*route) {
	for _, rt := range rts {
		for _, m := range methods {
			whos := []string{"anonymous", "user/bearer", "admin/bearer", "admin/cookie+origin"}
			if unsafeMethod(m) {
				// a client that sends no Origin (allowed), a browser's
				// cross-site request (refused by design), the user
				whos = append(whos, "admin/cookie", "admin/cookie+cross-site", "user/cookie+origin")
			}
			for _, w := range whos {
				q := request{phase: "methods", rt: rt, who: s.id(w), method: m, target: s.target(rt)}
				if rt.hasBody() && (m == "POST" || m == "PUT" || m == "PATCH") {
					q = withBody(q, validBody(rt))
				}
				s.sendAs(q)
			}
		}
	}
}

// phaseBodies: malformed, mistyped, empty, huge and foreign bodies.
func (s *sweeper) phaseBodies(rts []*route) {
	for _, rt := range rts {
		if !rt.hasBody() {
			continue
		}
		m := rt.methodOr("POST")
		for _, b := range allBodies(rt) {
			s.sendAs(withBody(request{phase: "bodies", rt: rt, who: s.id("admin/bearer"), method: m, target: s.target(rt)}, b))
		}
		for _, w := range []string{"anonymous", "user/bearer", "admin/cookie+origin", "admin/cookie", "admin/cookie+cross-site", "user/cookie+origin", "user/cookie+cross-site"} {
			for _, b := range fewBodies(rt) {
				s.sendAs(withBody(request{phase: "bodies", rt: rt, who: s.id(w), method: m, target: s.target(rt)}, b))
			}
		}
		// Just over the limit, as a client the guard refuses.
		if lim := limitOf(rt); lim > 0 {
			s.sendAs(withBody(request{phase: "bodies", rt: rt, who: s.id("anonymous"), method: m, target: s.target(rt)}, big("limit+1, chunked", jsonType, lim+1, true)))
		}
	}
}

// phasePaths: odd path parameters, and odd shapes of every path.
func (s *sweeper) phasePaths(rts []*route) {
	odd := oddSegments()
	for _, rt := range rts {
		m := rt.methodOr("GET")
		for _, p := range rt.params() {
			for i, v := range odd {
				whos := []string{"admin/bearer"}
				if i%3 == 0 {
					whos = append(whos, "anonymous", "user/bearer")
				}
				for _, w := range whos {
					q := request{phase: "paths", rt: rt, who: s.id(w), method: m, target: rt.fill(s.defaults, map[string]string{p: v})}
					if rt.hasBody() {
						q = withBody(q, validBody(rt))
					}
					s.sendAs(q)
				}
			}
		}
		base := s.target(rt)
		trimmed := strings.TrimSuffix(base, "/")
		if trimmed == "" {
			trimmed = "/x"
		}
		for _, t := range []string{
			trimmed + "/", trimmed + "//", "/" + base, trimmed + "/.", trimmed + "/..", trimmed + "/./x",
			trimmed + "%2f", trimmed + "/%2e%2e/%2e%2e/etc/passwd", trimmed + "/%00", trimmed + ".",
			trimmed + ";param=1", strings.ToUpper(base), trimmed + "/" + strings.Repeat("x/", 2000),
		} {
			q := request{phase: "paths", rt: rt, who: s.id("admin/bearer"), method: m, target: t}
			if rt.hasBody() {
				q = withBody(q, validBody(rt))
			}
			s.sendAs(q)
		}
	}
}

// phaseQueries: odd query strings on the routes that read queries.
func (s *sweeper) phaseQueries(rts []*route) {
	for _, rt := range rts {
		m := rt.methodOr("GET")
		if m != "GET" && m != "DELETE" {
			continue
		}
		for i, qs := range oddQueries() {
			whos := []string{"admin/bearer"}
			if i%4 == 0 {
				whos = append(whos, "user/bearer")
			}
			for _, w := range whos {
				s.sendAs(request{phase: "queries", rt: rt, who: s.id(w), method: m, target: s.target(rt) + "?" + qs})
			}
		}
	}
}

// phaseCreds: broken, expired, revoked and garbage credentials.
func (s *sweeper) phaseCreds(rts []*route) {
	for _, rt := range rts {
		for _, who := range s.badCreds {
			q := request{phase: "creds", rt: rt, who: who, method: rt.methodOr("GET"), target: s.target(rt)}
			if rt.hasBody() {
				q = withBody(q, validBody(rt))
			}
			s.sendAs(q)
		}
	}
}

// phaseHeaders: odd request headers, as the administrator.
func (s *sweeper) phaseHeaders(rts []*route) {
	headers := [][][2]string{
		{{"X-Request-Id", strings.Repeat("r", 8<<10)}},
		{{"X-Request-Id", "\u2713 trace\u00e9"}},
		{{"X-Forwarded-For", "garbage, 999.1.1.1, ::zz"}},
		{{"Accept", "garbage/;;;"}},
		{{"Accept", "text/event-stream"}},
		{{"Accept-Encoding", "gzip;q=x, br, *"}},
		{{"Range", "bytes=garbage"}},
		{{"Range", "bytes=99999999999-1"}},
		{{"If-None-Match", "garbage"}},
		{{"If-Match", "garbage"}},
		{{"If-Modified-Since", "not a date"}},
		{{"Content-Encoding", "gzip"}},
		{{"Expect", "100-continue"}},
		{{"HX-Request", "true"}, {"HX-Target", "\u2713"}},
	}
	for _, rt := range rts {
		for _, h := range headers {
			q := request{phase: "headers", rt: rt, who: s.id("admin/bearer"), method: rt.methodOr("GET"), target: s.target(rt), header: h}
			if rt.hasBody() {
				q = withBody(q, validBody(rt))
			}
			q.browser = h[0][0] == "HX-Request" // htmx asks for HTML fragments
			q.label = h[0][0] + ": " + short(h[0][1], 24)
			s.sendAs(q)
		}
	}
}

// phaseBrowser: a browser's navigations and the shell's htmx requests.
func (s *sweeper) phaseBrowser(rts []*route) {
	nav := [][2]string{
		{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{"Sec-Fetch-Mode", "navigate"}, {"Sec-Fetch-Dest", "document"}, {"Sec-Fetch-Site", "none"},
	}
	htmx := [][2]string{{"Accept", "*/*"}, {"HX-Request", "true"}, {"HX-Current-URL", s.base + "/"}}
	for _, rt := range rts {
		m := rt.methodOr("GET")
		for _, w := range []string{"anonymous", "user/cookie", "admin/cookie"} {
			if m == "GET" {
				s.sendAs(request{phase: "browser", rt: rt, who: s.id(w), method: m, target: s.target(rt), header: nav, browser: true, label: "navigation"})
			}
		}
		for _, w := range []string{"anonymous", "user/cookie+origin", "admin/cookie+origin"} {
			q := request{phase: "browser", rt: rt, who: s.id(w), method: m, target: s.target(rt), header: htmx, browser: true}
			if rt.hasBody() {
				b := validBody(rt)
				if rt.json != nil {
					b = raw("form", formType, formOf(rt))
				}
				q = withBody(q, b)
			}
			q.label = "htmx " + q.label
			s.sendAs(q)
			// and a broken form
			if rt.hasBody() {
				q = withBody(q, raw("broken form", formType, "%zz=1&&="))
				q.label = "htmx broken form"
				s.sendAs(q)
			}
		}
	}
	_ = http.MethodGet
}

// phaseStreams sends HEAD to each event stream — /tasks/{id}/events of a
// task that is still running — with a second request pipelined behind it
// on the same connection, as a client that keeps connections alive does:
// the second must be answered.
func (s *sweeper) phaseStreams(rts []*route) {
	var task struct {
		ID string `json:"id"`
	}
	_, _ = s.api(s.id("admin/bearer"), "POST", "/tasks/report.generate", obj{"title": "Long", "steps": 30, "step_ms": 1000}, &task)
	defer func() {
		if task.ID != "" {
			_, _ = s.api(s.id("admin/bearer"), "DELETE", "/tasks/"+task.ID, nil, nil)
		}
	}()
	for _, rt := range rts {
		if !rt.stream {
			continue
		}
		target := s.target(rt)
		if task.ID != "" {
			target = rt.fill(s.defaults, map[string]string{"task": task.ID})
		}
		for _, w := range []string{"admin/bearer", "admin/cookie+origin"} {
			s.headThenNext(rt, s.id(w), target)
		}
	}
}

// headThenNext writes HEAD target and GET /health on one connection and
// checks both answers (the second within 5 s).
func (s *sweeper) headThenNext(rt *route, who *ident, target string) {
	q := request{phase: "streams", rt: rt, who: who, method: "HEAD", target: target, label: "then GET /health on the same connection"}
	auth := ""
	if who.bearer != "" {
		auth += "Authorization: " + who.bearer + "\r\n"
	}
	if who.cookie != "" {
		auth += "Cookie: " + who.cookie + "\r\n"
	}
	host := "Host: " + s.host + "\r\n"
	data := "HEAD " + target + " HTTP/1.1\r\n" + host + auth + "Accept: text/event-stream\r\n\r\n" +
		"GET /health HTTP/1.1\r\n" + host + "\r\n"
	s.total += 2
	s.byPhase[q.phase] += 2
	first, second, err := s.pipelined(data)
	if first != nil {
		s.byStatus[first.status]++
		s.check(q, first)
	}
	if second != nil {
		s.byStatus[second.status]++
		return
	}
	s.findings = append(s.findings, finding{kind: "no answer", req: q.String(), route: rt.path, method: "HEAD", phase: q.phase,
		detail: fmt.Sprintf("the request after the HEAD on the same connection got no answer in 5 s (%v): the stream's handler kept running for a HEAD", err)})
}

func (s *sweeper) pipelined(data string) (first, second *response, err error) {
	conn, err := net.DialTimeout("tcp", s.host, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, data); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(conn)
	read := func(method string) (*response, error) {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
	}
	if first, err = read("HEAD"); err != nil {
		return nil, nil, err
	}
	second, err = read("GET")
	return first, second, err
}
