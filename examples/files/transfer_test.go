package files_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/webos-go/webos/afs"
)

// taskState polls a task until done says stop, and returns its last status.
func (c *client) waitTask(id string, until func(state string, percent int) bool) (string, int, json.RawMessage) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res := c.do("GET", "/tasks/"+id, nil, nil)
		var st struct {
			State   string          `json:"state"`
			Percent int             `json:"percent"`
			Result  json.RawMessage `json:"result"`
			Error   string          `json:"error"`
		}
		if err := json.Unmarshal(res.body, &st); err != nil {
			c.t.Fatalf("task status: %d %s", res.StatusCode, res.body)
		}
		if until(st.State, st.Percent) {
			return st.State, st.Percent, st.Result
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("task %s: no wanted state within 60s", id)
	return "", 0, nil
}

// TestTransferCancelLeavesNoHalfFile cancels a move of a large file from
// disk to S3 while it streams: nothing appears at the destination (not
// in a listing, not as an object in the bucket) and the original stays
// whole.
func TestTransferCancelLeavesNoHalfFile(t *testing.T) {
	c := signedIn(t)
	srv := demoServer(t)
	const size = 160 << 20
	dir := filepath.Join(srv.localDir, "cancel")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if err := srv.fs.Mkdir(t.Context(), mustURN("fs://s3/cancel")); err != nil {
		t.Fatal(err)
	}
	res := c.do("POST", "/files/api/transfer", map[string]any{"op": "move", "from": []string{"fs://local/cancel/big.bin"}, "to": "fs://s3/cancel"}, nil)
	if res.StatusCode != 202 {
		t.Fatalf("transfer: %d %s", res.StatusCode, res.body)
	}
	var started struct{ Task string }
	_ = json.Unmarshal(res.body, &started)
	state, pct, _ := c.waitTask(started.Task, func(s string, p int) bool { return s == "running" && p > 0 || s == "succeeded" })
	if state == "succeeded" {
		t.Fatal("the move finished before it could be cancelled")
	}
	if r := c.do("DELETE", "/tasks/"+started.Task, nil, nil); r.StatusCode >= 300 {
		t.Fatalf("cancel: %d %s", r.StatusCode, r.body)
	}
	state, _, _ = c.waitTask(started.Task, func(s string, _ int) bool { return s == "cancelled" || s == "succeeded" || s == "failed" })
	if state != "cancelled" {
		t.Fatalf("state %s after cancel (cancelled at %d%%)", state, pct)
	}
	if srv.exists(t, "fs://s3/cancel/big.bin") {
		t.Error("a half file is visible at the destination")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := srv.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.bucket), Prefix: aws.String("cancel/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		if !strings.HasSuffix(*o.Key, "/"+afs.FolderMarker) && *o.Key != "cancel/" {
			t.Errorf("the bucket holds %s (%d bytes) after the cancelled move", *o.Key, *o.Size)
		}
	}
	info, err := srv.fs.Stat(t.Context(), mustURN("fs://local/cancel/big.bin"))
	if err != nil || info.Size != size {
		t.Errorf("the original: %v, %d bytes", err, info.Size)
	}
}

// TestTransferCopyFolderAcrossSources copies a folder from disk to S3
// with the "skip" policy onto a folder that holds one of its files: the
// others arrive, the existing one stays, and the summary says so.
func TestTransferCopyFolderAcrossSources(t *testing.T) {
	c := signedIn(t)
	srv := demoServer(t)
	srv.put(t, "fs://local/tree/set/a.txt", []byte("a"))
	srv.put(t, "fs://local/tree/set/sub/b.txt", []byte("bb"))
	srv.put(t, "fs://local/tree/one.txt", []byte("new"))
	srv.put(t, "fs://s3/tree/one.txt", []byte("old"))
	res := c.do("POST", "/files/api/transfer", map[string]any{"op": "copy", "from": []string{"fs://local/tree/set", "fs://local/tree/one.txt"}, "to": "fs://s3/tree", "conflict": "skip"}, nil)
	if res.StatusCode != 202 {
		t.Fatalf("transfer: %d %s", res.StatusCode, res.body)
	}
	var started struct{ Task string }
	_ = json.Unmarshal(res.body, &started)
	state, _, result := c.waitTask(started.Task, func(s string, _ int) bool { return s == "succeeded" || s == "failed" })
	if state != "succeeded" {
		t.Fatalf("state %s", state)
	}
	var sum struct {
		Files   int      `json:"files"`
		Bytes   int64    `json:"bytes"`
		Skipped []string `json:"skipped"`
	}
	_ = json.Unmarshal(result, &sum)
	if sum.Files != 2 || sum.Bytes != 3 || len(sum.Skipped) != 1 || sum.Skipped[0] != "one.txt" {
		t.Errorf("summary %s", result)
	}
	for _, u := range []string{"fs://s3/tree/set/a.txt", "fs://s3/tree/set/sub/b.txt", "fs://local/tree/set/a.txt"} {
		if !srv.exists(t, u) {
			t.Errorf("%s missing", u)
		}
	}
	f, _ := srv.fs.Open(t.Context(), mustURN("fs://s3/tree/one.txt"))
	b, _ := io.ReadAll(f)
	_ = f.Close()
	if string(b) != "old" {
		t.Errorf("skip replaced the file: %q", b)
	}
}
