package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r. It is the
// connection's remote address unless that address is one of the trusted
// proxies; then X-Forwarded-For is read from the right, skipping trusted
// proxies, and the first other address is the client. A header from an
// untrusted peer is ignored, so clients cannot choose their address.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHostAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !contains(trusted, peer) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, ok := parseHostAddr(strings.TrimSpace(parts[j]))
			if !ok {
				// Garbage in the chain: stop at the last address we trust
				// to be real.
				return client.String()
			}
			client = a
			if !contains(trusted, a) {
				return a.String()
			}
		}
	}
	return client.String()
}

// parseHostAddr parses "ip", "ip:port" or "[ipv6]:port".
func parseHostAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// throttleKey is the address a client is throttled under: an IPv4 address
// itself, an IPv6 address's /64 network, since one host usually holds a
// whole /64 and could otherwise rotate through it.
func throttleKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
