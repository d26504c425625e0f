package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadyExitStatus builds the demo binary and runs `webos-demo ready`
// as an operator would: status 0 and "ready" with the embedded defaults,
// status 1 and what is down with a file source whose S3 server does not
// answer.
func TestReadyExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo binary: not under -short")
	}
	bin := filepath.Join(t.TempDir(), "webos-demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	run := func(sources string) (string, int) {
		dir := t.TempDir()
		cmd := exec.Command(bin, "ready")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "WEBOS_DATA_DIR="+dir, "WEBOS_MONGO_URL=", "WEBOS_REDIS_URL=", "WEBOS_ENV=development",
			"WEBOS_LOG_LEVEL=error", "WEBOS_AFS_SOURCES="+strings.ReplaceAll(sources, "DIR", dir))
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	if out, code := run(""); code != 0 || !strings.Contains(out, "ready: all 3 backends up") {
		t.Errorf("defaults: exit %d\n%s", code, out)
	}
	out, code := run("local=file://DIR/files,archive=s3://k:s@archive?endpoint=http://" + closed + "&use_path_style=true&region=us-east-1")
	if code != 1 || !strings.Contains(out, "not ready: storage:archive down") {
		t.Errorf("a source down: exit %d\n%s", code, out)
	}
}
