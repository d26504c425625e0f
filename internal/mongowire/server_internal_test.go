package mongowire

import "testing"

// TestFreePortLeftToServer: for port 0 the address handed to the server
// keeps port 0, so that the server binds a free port once and keeps it;
// no port is picked by a bind released before the server binds it, which
// another process could take in between.
func TestFreePortLeftToServer(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:0"} {
		got, err := checkAddr(addr)
		if err != nil || got != "127.0.0.1:0" {
			t.Errorf("checkAddr(%q) = %q, %v; want 127.0.0.1:0", addr, got, err)
		}
	}
	if _, err := checkAddr("256.0.0.1:0"); err == nil {
		t.Error("checkAddr accepted a host that is not this machine's")
	}
}
