package mongowire_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/webos-go/webos/internal/mongowire"
)

// TestSocket: on a Unix socket the server listens on no TCP port, makes
// the socket 0600 in a folder it made 0700, and serves package store.
func TestSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "mongo.sock")
	srv, err := mongowire.Start(context.Background(), mongowire.Options{SQLiteDir: t.TempDir(), Socket: path})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if want := "mongodb://" + url.QueryEscape(path) + "/"; srv.URI() != want {
		t.Fatalf("URI %q, want %q", srv.URI(), want)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder: %v, %v", fi.Mode(), err)
	}
	roundTrip(t, srv)

	// A second server on the same socket is refused; the first goes on.
	if s2, err := mongowire.Start(context.Background(), mongowire.Options{SQLiteDir: t.TempDir(), Socket: path}); err == nil {
		s2.Close()
		t.Fatal("a second server took the socket")
	}
	roundTrip(t, srv)
}

// TestSocketNotForOthers: another local user cannot connect to the
// socket. It needs root, to act as the user "nobody".
func TestSocketNotForOthers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another user")
	}
	runuser, err1 := exec.LookPath("runuser")
	python, err2 := exec.LookPath("/usr/bin/python3") // the system's, which any user may run
	if _, err3 := user.Lookup("nobody"); err1 != nil || err2 != nil || err3 != nil {
		t.Skip("needs runuser, python3 and the user nobody")
	}
	path := filepath.Join(t.TempDir(), "run", "mongo.sock")
	srv, err := mongowire.Start(context.Background(), mongowire.Options{SQLiteDir: t.TempDir(), Socket: path})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	connect := "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint('connected')"
	// The check itself works: nobody reaches a socket open to all.
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Chmod(filepath.Dir(open), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", open)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Dir(open), filepath.Dir(filepath.Dir(open))} {
		_ = os.Chmod(p, 0o755)
	}
	if out, err := exec.Command(runuser, "-u", "nobody", "--", python, "-c", connect, open).CombinedOutput(); err != nil {
		t.Skipf("nobody cannot reach even an open socket here: %v %s", err, out)
	}
	out, err := exec.Command(runuser, "-u", "nobody", "--", python, "-c", connect, path).CombinedOutput()
	if err == nil || strings.Contains(string(out), "connected") {
		t.Fatalf("the user nobody connected to the server's socket: %s", out)
	}
	if !strings.Contains(string(out), "PermissionError") {
		t.Fatalf("nobody's connect failed otherwise than by permission: %s", out)
	}
}

// TestSocketRefusesBadPlaces: a socket in a folder other users can enter,
// without the .sock suffix, or where a file that is no socket lies, is
// refused before the server starts; a stale socket is replaced.
func TestSocketRefusesBadPlaces(t *testing.T) {
	ctx := context.Background()
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(private, "file.sock")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]mongowire.Options{
		"open folder":    {Socket: filepath.Join(open, "m.sock")},
		"no .sock":       {Socket: filepath.Join(private, "m")},
		"not a socket":   {Socket: file},
		"too long":       {Socket: filepath.Join(private, strings.Repeat("x", 120)+".sock")},
		"socket and TCP": {Socket: filepath.Join(private, "m.sock"), Addr: "127.0.0.1:0"},
	} {
		o.SQLiteDir = t.TempDir()
		if srv, err := mongowire.Start(ctx, o); err == nil {
			srv.Close()
			t.Errorf("%s: started", name)
		} else if !errors.Is(err, mongowire.ErrOptions) {
			t.Errorf("%s: %v, want ErrOptions", name, err)
		}
	}

	stale := filepath.Join(private, "stale.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	srv, err := mongowire.Start(ctx, mongowire.Options{SQLiteDir: t.TempDir(), Socket: stale})
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	roundTrip(t, srv)
	srv.Close()
}

// TestPortInUse: a fixed port that is taken is an error of Start.
func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if srv, err := mongowire.Start(context.Background(), mongowire.Options{SQLiteDir: t.TempDir(), Addr: ln.Addr().String()}); err == nil {
		srv.Close()
		t.Fatal("started on a port in use")
	}
}
