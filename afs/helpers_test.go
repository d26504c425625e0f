package afs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/internal/testenv/s3test"
)

// backend opens a fresh, empty source of one kind.
type backend struct {
	name string
	open func(t *testing.T) *afs.Source
}

func backends() []backend {
	return []backend{
		{"mem", memSource},
		{"disk", diskSource},
		{"s3", s3Source},
	}
}

func memSource(t *testing.T) *afs.Source {
	s, err := afs.OpenSource(t.Context(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func diskSource(t *testing.T) *afs.Source {
	s, err := afs.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// s3Source creates a new bucket on the test S3 server and opens it by URL,
// with the credentials in the URL. The bucket is emptied and removed after
// the test.
func s3Source(t *testing.T) *afs.Source {
	t.Helper()
	s, err := afs.OpenSource(t.Context(), s3URL(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func s3URL(t *testing.T) string {
	t.Helper()
	return s3test.Temp(t, "afs-test").URL
}

// newFS mounts the given sources on a new FS with a recording emitter.
func newFS(t *testing.T, sources map[string]*afs.Source) (*afs.FS, *recorder) {
	t.Helper()
	rec := &recorder{}
	f := afs.New(afs.Options{Emitter: rec})
	for name, s := range sources {
		if err := f.Mount(name, s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, rec
}

// recorder is an Emitter that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []recorded
}

type recorded struct {
	Topic string
	Event afs.Event
}

func (r *recorder) Emit(_ context.Context, topic string, payload any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, recorded{topic, payload.(afs.Event)})
	return nil
}

func (r *recorder) take() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// generated is a deterministic stream of n pseudo-random bytes that is
// never held in memory as a whole; it hashes what it hands out.
type generated struct {
	rng  *mrand.ChaCha8
	left int64
	sum  hash.Hash
}

func newGenerated(seed byte, n int64) *generated {
	var s [32]byte
	s[0] = seed
	return &generated{rng: mrand.NewChaCha8(s), left: n, sum: sha256.New()}
}

func (g *generated) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, _ := g.rng.Read(p)
	g.left -= int64(n)
	g.sum.Write(p[:n])
	return n, nil
}

func (g *generated) hex() string { return hex.EncodeToString(g.sum.Sum(nil)) }

func sha(t *testing.T, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

func save(t *testing.T, f *afs.FS, urn, content string) afs.Info {
	t.Helper()
	info, err := f.Save(t.Context(), afs.MustParse(urn), strings.NewReader(content), nil)
	if err != nil {
		t.Fatalf("save %s: %v", urn, err)
	}
	return info
}

func read(t *testing.T, f *afs.FS, urn string) string {
	t.Helper()
	file, err := f.Open(t.Context(), afs.MustParse(urn))
	if err != nil {
		t.Fatalf("open %s: %v", urn, err)
	}
	defer file.Close()
	b, err := io.ReadAll(file)
	if err != nil {
		t.Fatalf("read %s: %v", urn, err)
	}
	return string(b)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one matching %v", err, target)
	}
}

// stallingReader hands out some bytes, then closes stalled and blocks
// until ctx ends.
type stallingReader struct {
	ctx     context.Context
	sent    int
	stalled chan struct{}
	once    sync.Once
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.sent < 64<<10 {
		n := min(len(p), 64<<10-r.sent)
		for i := range p[:n] {
			p[i] = 'x'
		}
		r.sent += n
		return n, nil
	}
	r.once.Do(func() { close(r.stalled) })
	select {
	case <-r.ctx.Done():
		return 0, r.ctx.Err()
	case <-time.After(30 * time.Second):
		return 0, errors.New("stallingReader: not cancelled")
	}
}

// failingReader hands out n bytes, then fails.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'y'
	}
	r.n -= k
	return k, nil
}
