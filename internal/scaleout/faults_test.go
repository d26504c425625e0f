package scaleout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/examples/notes"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// Outage is how long each server stays down under load.
const Outage = 10 * time.Second

// faultRequestTimeout is the demo's route deadline in the fault tests:
// no answer may take longer (plus a little for a loaded machine).
const faultRequestTimeout = 3 * time.Second

// streamDeadline bounds the answers of the file routes. They are stream
// routes, which opt out of the request deadline so that large transfers
// may run long; what bounds them while S3 is down is the S3 client's
// own few retries with back-off (about 5 s).
const streamDeadline = 10 * time.Second

// deadlineOf is how long an answer of kind op may take: its route's
// deadline and a little for a loaded machine.
func deadlineOf(op string) time.Duration {
	if op == "upload" || op == "download" {
		return streamDeadline
	}
	return faultRequestTimeout + 2*time.Second
}

// answer is what one request of the mixed load got.
type answer struct {
	op         string
	phase      string // the phase when the request began and ended; "" when they differ
	code       int
	retryAfter string
	body       string
	took       time.Duration
	err        error
	title      string // of a note
}

// mixedLoad runs a mix of authenticated requests — notes written and
// listed (the database), files written and read (S3), tasks enqueued
// (Redis), /auth/me and /health — from several clients until stopped, and
// keeps every answer and every acknowledged write.
type mixedLoad struct {
	base, token string
	phase       atomic.Pointer[string]

	mu      sync.Mutex
	answers []answer
	notes   []string // ids of acknowledged notes
	files   []string // paths of acknowledged uploads
	n       atomic.Int64
}

var loadOps = []string{"note", "list", "me", "upload", "download", "task", "health"}

func (l *mixedLoad) setPhase(p string) { l.phase.Store(&p) }

func (l *mixedLoad) run(stop <-chan struct{}, clients int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Transport: transport, Timeout: 2 * faultRequestTimeout}
			for j := i; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				l.one(hc, loadOps[j%len(loadOps)])
			}
		}()
	}
	return &wg
}

// one sends one request of kind op.
func (l *mixedLoad) one(hc *http.Client, op string) {
	n := l.n.Add(1)
	var method, path string
	var body io.Reader
	ctype := "application/json"
	switch op {
	case "note":
		method, path, body = "POST", "/notes/", strings.NewReader(fmt.Sprintf(`{"title":"fault-%d"}`, n))
	case "list":
		method, path = "GET", "/notes/list"
	case "me":
		method, path = "GET", "/auth/me"
	case "upload":
		method, path, body, ctype = "PUT", fmt.Sprintf("/api/fs/files/files/faults/%d.txt", n), strings.NewReader(fmt.Sprintf("file %d", n)), "text/plain"
	case "download":
		l.mu.Lock()
		f := "faults/none.txt"
		if len(l.files) > 0 {
			f = l.files[len(l.files)-1]
		}
		l.mu.Unlock()
		method, path = "GET", "/api/fs/files/files/"+f
	case "task":
		method, path, body = "POST", "/tasks/report.generate", strings.NewReader(`{"title":"fault","steps":1,"step_ms":0}`)
	case "health":
		method, path = "GET", "/health"
	}
	req, _ := http.NewRequest(method, l.base+path, body)
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	phase := *l.phase.Load()
	begun := time.Now()
	resp, err := hc.Do(req)
	a := answer{op: op, err: err}
	if op == "note" {
		a.title = fmt.Sprintf("fault-%d", n)
	}
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		a.code, a.retryAfter, a.body, a.err = resp.StatusCode, resp.Header.Get("Retry-After"), string(b), rerr
		if resp.StatusCode == 503 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			a.body = "NOT JSON: " + a.body
		}
	}
	a.took = time.Since(begun)
	if *l.phase.Load() == phase {
		a.phase = phase
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answers = append(l.answers, a)
	switch {
	case op == "note" && a.code == 201:
		var note notes.Note
		if json.Unmarshal([]byte(a.body), &note) == nil && note.ID != "" {
			l.notes = append(l.notes, note.ID)
		}
	case op == "upload" && a.code == 201:
		l.files = append(l.files, strings.TrimPrefix(path, "/api/fs/files/files/"))
	}
}

// since returns the answers from index i on.
func (l *mixedLoad) since(i int) []answer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]answer(nil), l.answers[i:]...)
}

func (l *mixedLoad) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.answers)
}

// checkAnswer says what is wrong with an answer given during an outage
// or after it: only success, or 503 JSON with Retry-After, within the
// route deadline.
func checkAnswer(a answer) string {
	switch {
	case a.err != nil:
		return fmt.Sprintf("%s: no answer after %s: %v", a.op, a.took, a.err)
	case a.took > deadlineOf(a.op):
		return fmt.Sprintf("%s: answered %d after %s, past the route deadline", a.op, a.code, a.took)
	case a.code/100 == 2:
		return ""
	case a.op == "download" && a.code == 404:
		return "" // nothing uploaded yet
	case a.code == 429 && a.retryAfter != "" && strings.Contains(a.body, `"error"`):
		return "" // the per-user task limit: back-pressure, not a fault
	case a.code != 503:
		return fmt.Sprintf("%s: %d %s", a.op, a.code, a.body)
	case strings.HasPrefix(a.body, "NOT JSON"):
		return fmt.Sprintf("%s: 503 %s", a.op, a.body)
	case a.op == "health":
		return "" // the health answer is its own JSON, no retry advice
	case a.retryAfter == "":
		return fmt.Sprintf("%s: 503 without Retry-After: %s", a.op, a.body)
	case !strings.Contains(a.body, `"error"`):
		return fmt.Sprintf("%s: 503 without an error: %s", a.op, a.body)
	}
	return ""
}

// TestFaultsUnderLoad kills the MongoDB-wire server, Redis and S3 — each
// a private server of this test — for [Outage] in turn while a mixed load
// runs against a demo instance using them. During each outage every
// answer is a success or a 503 JSON error with Retry-After, within the
// route deadline; afterwards every kind of request succeeds again without
// a restart of the instance; and every acknowledged write is stored.
func TestFaultsUnderLoad(t *testing.T) {
	testenv.Integration(t)
	id := testenv.DatabaseName("faults")[len("faults_"):]
	mongo := privateMongo(t)
	redis := privateRedis(t)
	s3srv, bucketURL := privateS3(t, "faults-"+id)
	dbName := "faults_" + id
	mongoURL := "mongodb://" + mongo.addr + "/"
	for k, v := range map[string]string{
		"WEBOS_ADMIN_EMAIL":     adminEmail,
		"WEBOS_ADMIN_PASSWORD":  adminPassword,
		"WEBOS_AFS_SOURCES":     "files=" + bucketURL,
		"WEBOS_BUS_CHANNEL":     "faults:" + id,
		"WEBOS_TASKS_NAMESPACE": "faults-" + id,
	} {
		t.Setenv(k, v)
	}
	cfg, err := webos.LoadConfig("/nonexistent/.env")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.MongoURL = webos.Secret(mongoURL)
	cfg.MongoDatabase = dbName
	cfg.RedisURL = webos.Secret("redis://" + redis.addr + "/0")
	cfg.SecretKeys = []webos.Secret{webos.Secret("faults-secret-key-of-32-bytes-or-more-" + id)}
	cfg.RequestTimeout = faultRequestTimeout
	in := startApp(t, cfg, "faults")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, mongoURL, dbName); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})

	admin := login(t, in.url, adminEmail, adminPassword, true)
	load := &mixedLoad{base: in.url, token: admin.token}
	load.setPhase("warm-up")
	stop := make(chan struct{})
	wg := load.run(stop, 8)
	stopped := false
	defer func() {
		if !stopped {
			close(stop)
			wg.Wait()
		}
	}()
	time.Sleep(time.Second)

	// needs names the requests that need each server.
	needs := map[string][]string{
		"mongowire": {"note", "list"},
		"redis":     {"task"},
		"versitygw": {"upload", "download"},
	}
	for _, srv := range []*server{mongo, redis, s3srv} {
		t.Run(srv.name, func(t *testing.T) {
			from := load.count()
			load.setPhase(srv.name + " down")
			srv.kill()
			time.Sleep(Outage)
			load.setPhase(srv.name + " back")
			restarted := time.Now()
			srv.start(t)
			during := load.since(from)
			var bad []string
			unavailable := map[string]int{}
			for _, a := range during {
				if a.phase != srv.name+" down" {
					continue
				}
				if p := checkAnswer(a); p != "" {
					bad = append(bad, p)
				}
				if a.code == 503 {
					unavailable[a.op]++
				}
			}
			for _, op := range needs[srv.name] {
				if unavailable[op] == 0 {
					t.Errorf("no %s request was refused while %s was down", op, srv.name)
				}
			}
			// Every kind of request works again, without a restart.
			from = load.count()
			recovered := map[string]time.Duration{}
			deadline := time.Now().Add(30 * time.Second)
			for len(recovered) < len(loadOps) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				for _, a := range load.since(from) {
					if a.code/100 == 2 && recovered[a.op] == 0 {
						recovered[a.op] = time.Since(restarted)
					}
					if a.phase == srv.name+" back" {
						if p := checkAnswer(a); p != "" {
							bad = append(bad, "after the restart: "+p)
						}
					}
				}
			}
			for _, op := range loadOps {
				if recovered[op] == 0 {
					t.Errorf("%s requests do not succeed again within 30 s of %s's restart", op, srv.name)
				}
			}
			if len(bad) > 0 {
				t.Errorf("%d bad answers while %s was down or coming back, e.g.:\n%s", len(bad), srv.name, strings.Join(bad[:min(len(bad), 10)], "\n"))
			}
			n := 0
			for _, a := range during {
				if a.phase == srv.name+" down" {
					n++
				}
			}
			t.Logf("%s down %s: %d answers, refused %v; every kind of request succeeds again %v after its restart", srv.name, Outage, n, unavailable, maxDuration(recovered))
		})
	}
	close(stop)
	wg.Wait()
	stopped = true

	// Every acknowledged write is stored.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.ConnectMongo(ctx, mongoURL, dbName)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	coll := store.NewCollection[notes.Note](db, "notes")
	stored := 0
	for i := 0; i < len(load.notes); i += 500 {
		got, err := coll.Find(ctx, store.Query{Where: store.In(store.FieldID, load.notes[i:min(i+500, len(load.notes))]...), Fields: []string{"title"}})
		if err != nil {
			t.Fatal(err)
		}
		stored += len(got)
	}
	if stored != len(load.notes) {
		t.Errorf("%d notes acknowledged, %d stored", len(load.notes), stored)
	}
	objects := s3Objects(t, bucketURL, "faults/")
	missing := 0
	for _, f := range load.files {
		if !objects[f] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d uploads acknowledged, %d of them not stored", len(load.files), missing)
	}
	t.Logf("%d requests; acknowledged and stored: %d of %d notes, %d of %d files", load.count(), stored, len(load.notes), len(load.files)-missing, len(load.files))
}

func maxDuration(m map[string]time.Duration) time.Duration {
	var d time.Duration
	for _, v := range m {
		d = max(d, v)
	}
	return d.Round(time.Millisecond)
}

// startApp runs a demo instance with cfg in this process (with its worker)
// until the test ends.
func startApp(t *testing.T, cfg webos.Config, name string) *instance {
	t.Helper()
	t.Setenv("WEBOS_TASKS_WORKER", "true")
	return startInstance(t, cfg, name)
}

// TestSIGTERMUnderLoad sends SIGTERM to a demo process while a mixed load
// runs against it: every request the process took is answered in full
// (success), the process exits cleanly, and what clients see afterwards
// are only refused connections. A write whose request failed on the way
// must not be stored, or the process took it and lost its answer.
func TestSIGTERMUnderLoad(t *testing.T) {
	c := newCluster(t)
	t.Setenv("WEBOS_SHUTDOWN_TIMEOUT", "10s")
	c.env = append(c.env, "WEBOS_SHUTDOWN_TIMEOUT=10s")
	p := c.spawn(t, "web")
	base := "http://" + p.addr
	admin := login(t, base, adminEmail, adminPassword, true)
	load := &mixedLoad{base: base, token: admin.token}
	load.setPhase("before")
	stop := make(chan struct{})
	wg := load.run(stop, 16)
	time.Sleep(1500 * time.Millisecond)
	load.setPhase("draining")
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exit error
	select {
	case exit = <-p.done:
		p.done <- exit // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("the process did not exit within 20 s of SIGTERM")
	}
	exited := time.Since(sent)
	load.setPhase("after")
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if exit != nil {
		t.Errorf("the process exited with %v\n%s", exit, p.logs.String())
	}

	// Writes whose request failed: stored means the process took them.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.ConnectMongo(ctx, c.mongoURL, c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	coll := store.NewCollection[notes.Note](db, "notes")

	var failed []string
	drained, refused := 0, 0
	for _, a := range load.since(0) {
		switch {
		case a.err == nil && (a.code/100 == 2 || a.op == "download" && a.code == 404 || a.code == 429):
			if a.phase == "" { // began before the signal, answered after it
				drained++
			}
		case a.err == nil:
			failed = append(failed, fmt.Sprintf("%s: %d %s", a.op, a.code, a.body))
		case a.code != 0:
			failed = append(failed, fmt.Sprintf("%s: answer cut short: %v", a.op, a.err))
		case strings.Contains(a.err.Error(), "connection refused"):
			refused++
		case !strings.Contains(a.err.Error(), "connection reset") && !strings.Contains(a.err.Error(), "EOF") &&
			!strings.Contains(a.err.Error(), "server closed idle connection"):
			// Any other error is a failure; those three are a connection
			// the process closed before it read a request from it (for a
			// note, checked below: it must not have been stored).
			failed = append(failed, fmt.Sprintf("%s: %v", a.op, a.err))
		case a.op == "note" && a.title != "":
			n, err := coll.Count(ctx, store.Eq("title", a.title))
			if err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				failed = append(failed, fmt.Sprintf("note %q stored, but its request failed: %v", a.title, a.err))
			} else {
				refused++
			}
		default:
			refused++ // a connection the process never read a request from
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d in-flight requests failed:\n%s", len(failed), strings.Join(failed[:min(len(failed), 20)], "\n"))
	}
	if drained == 0 {
		t.Error("no request was in flight when SIGTERM came")
	}
	t.Logf("SIGTERM under load: exit after %s; %d requests in flight at the signal answered in full, 0 failed; %d refused afterwards",
		exited.Round(time.Millisecond), drained, refused)
}
