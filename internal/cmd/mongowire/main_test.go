package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos/internal/testenv"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type syncBuffer = testenv.Buffer

func TestRunServesUntilCancelled(t *testing.T) {
	serveUntilCancelled(t, "-listen", "127.0.0.1:0", "-sqlite", t.TempDir())
}

// TestRunOnSocket: with -socket the server listens on the Unix socket
// only, and its ready line names it.
func TestRunOnSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "m.sock")
	uri := serveUntilCancelled(t, "-socket", path, "-sqlite", t.TempDir())
	if !strings.Contains(uri, url.QueryEscape(path)) {
		t.Fatalf("ready on %q, want the socket %s", uri, path)
	}
}

// serveUntilCancelled runs the command with args, pings the server it
// reports ready, cancels it and returns the URI it reported.
func serveUntilCancelled(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, &out, io.Discard)
	}()

	var uri string
	for deadline := time.Now().Add(10 * time.Second); uri == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("no ready line; output %q", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		line, ok := strings.CutPrefix(out.String(), "mongowire: ready on ")
		if ok && strings.HasSuffix(line, " (sqlite)\n") {
			uri = strings.TrimSuffix(line, " (sqlite)\n")
		}
	}

	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	if err := c.Ping(ctx, nil); err != nil {
		t.Fatalf("ping %s: %v", uri, err)
	}

	// Stops with a client still connected.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
	return uri
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-sqlite", "x", "-postgresql", "postgres://x"},
		{"-sqlite", "x", "extra"},
		{"-nosuchflag"},
		{"-sqlite", "x", "-socket", "/tmp/x.sock", "-listen", "127.0.0.1:0"},
	} {
		var stderr bytes.Buffer
		if err := run(context.Background(), args, io.Discard, &stderr); err == nil {
			t.Errorf("run(%q): no error", args)
		}
	}
}
