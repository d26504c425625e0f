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

// probe is a request written byte by byte on a TCP connection, for what
// an HTTP client refuses to send.
type probe struct {
	name string
	data string
	// half closes the connection's writing side after data, as a client
	// that sends less body than it announced.
	half bool
}

// probeResult is what came back; byApp tells whether the application's
// handler wrote it (it sets X-Request-Id) or net/http did.
type probeResult struct {
	probe
	status string
	ctype  string
	body   string
	byApp  bool
	err    error
}

func (s *sweeper) probes() []probe {
	h := "Host: " + s.host + "\r\n"
	big := strings.Repeat("b", 64<<10)
	return []probe{
		{name: "bad request line", data: "GARBAGE\r\n\r\n"},
		{name: "space in the method", data: "GE T / HTTP/1.1\r\n" + h + "\r\n"},
		{name: "bad percent-escape in the path", data: "GET /auth/users/%zz HTTP/1.1\r\n" + h + "\r\n"},
		{name: "bad percent-escape in the query", data: "GET /hello/greetings?limit=%zz HTTP/1.1\r\n" + h + "Accept: application/json\r\n\r\n"},
		{name: "control character in a cookie", data: "GET /auth/me HTTP/1.1\r\n" + h + "Cookie: webos_session=a\x01b\r\n\r\n"},
		{name: "NUL in a header", data: "GET /auth/me HTTP/1.1\r\n" + h + "X-Odd: a\x00b\r\n\r\n"},
		{name: "64 KiB header", data: "GET /hello/hi HTTP/1.1\r\n" + h + "X-Big: " + big + "\r\n\r\n"},
		{name: "64 KiB cookie", data: "GET /auth/me HTTP/1.1\r\n" + h + "Cookie: webos_session=" + big + "\r\n\r\n"},
		{name: "headers over 1 MiB (MaxHeaderBytes)", data: "GET /hello/hi HTTP/1.1\r\n" + h + strings.Repeat("X-Big: "+big+"\r\n", 17) + "\r\n"},
		{name: "request line over 1 MiB", data: "GET /hello/" + strings.Repeat("a", 1100<<10) + " HTTP/1.1\r\n" + h + "\r\n"},
		{name: "unknown Transfer-Encoding", data: "POST /auth/login HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n\r\n"},
		{name: "Transfer-Encoding: gzip, chunked", data: "POST /auth/login HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
		{name: "Transfer-Encoding and Content-Length", data: "POST /hello/greetings HTTP/1.1\r\n" + h + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"},
		{name: "malformed Content-Length", data: "POST /hello/greetings HTTP/1.1\r\n" + h + "Content-Length: abc\r\n\r\n"},
		{name: "two different Content-Lengths", data: "POST /hello/greetings HTTP/1.1\r\n" + h + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
		{name: "no Host header", data: "GET /health HTTP/1.1\r\n\r\n"},
		{name: "two Host headers", data: "GET /health HTTP/1.1\r\n" + h + h + "\r\n"},
		{name: "HTTP/2.0 request line", data: "GET /health HTTP/2.0\r\n" + h + "\r\n"},
		{name: "HTTP/0.9 request", data: "GET /health\r\n\r\n"},
		{name: "header without a colon", data: "GET /health HTTP/1.1\r\n" + h + "NoColon\r\n\r\n"},
		{name: "space before the colon", data: "GET /health HTTP/1.1\r\n" + h + "X-Odd : 1\r\n\r\n"},
		{name: "OPTIONS *", data: "OPTIONS * HTTP/1.1\r\n" + h + "\r\n"},
		{name: "CONNECT", data: "CONNECT " + s.host + " HTTP/1.1\r\n" + h + "\r\n"},
		{name: "absolute URI of another host", data: "GET http://elsewhere.example/health HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n"},
		{name: "raw invalid UTF-8 in the path", data: "GET /hello/\xff\xfe HTTP/1.1\r\n" + h + "Accept: application/json\r\n\r\n"},
		{name: "raw space-less path with a fragment", data: "GET /hello/hi#frag HTTP/1.1\r\n" + h + "\r\n"},
		{name: "bad chunk size (app reads the body)", data: "POST /hello/greetings HTTP/1.1\r\n" + h + "Authorization: " + s.id("admin/bearer").bearer + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
		{name: "body cut short (app reads the body)", data: "POST /hello/greetings HTTP/1.1\r\n" + h + "Authorization: " + s.id("admin/bearer").bearer + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":", half: true},
	}
}

// rawProbes sends the probes, each on its own connection.
func (s *sweeper) rawProbes() []probeResult {
	var out []probeResult
	for _, p := range s.probes() {
		res := s.rawProbe(p)
		if res.byApp {
			// The application wrote it: check it like any answer.
			r := &response{status: statusCode(res.status), header: res.header(), body: []byte(res.body)}
			s.total++
			s.byPhase["raw"]++
			s.byStatus[r.status]++
			s.check(request{phase: "raw", who: &ident{name: "raw"}, method: "RAW", target: p.name}, r)
		}
		out = append(out, res)
	}
	return out
}

func (s *sweeper) rawProbe(p probe) probeResult {
	res := probeResult{probe: p}
	conn, err := net.DialTimeout("tcp", s.host, 5*time.Second)
	if err != nil {
		res.err = err
		return res
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	// Write while reading: the server may answer before it has read all.
	go func() {
		_, _ = io.WriteString(conn, p.data)
		if p.half {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
		}
	}()
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		res.err = err
		return res
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	res.status = resp.Status
	res.ctype = resp.Header.Get("Content-Type")
	res.body = string(b)
	res.byApp = resp.Header.Get("X-Request-Id") != ""
	return res
}

func (r probeResult) header() http.Header {
	h := http.Header{}
	h.Set("Content-Type", r.ctype)
	return h
}

func statusCode(status string) int {
	var n int
	fmt.Sscanf(status, "%d", &n)
	return n
}
