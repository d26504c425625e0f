package scaleout_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/examples/notes"
	"github.com/webos-go/webos/internal/scaleout"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
)

// RevocationBound is how soon a logout, a revoked token or a role change
// made on one instance takes effect on every other (through the Redis
// bus; the credential cache's TTL bounds it without one).
const RevocationBound = time.Second

// PropagationBound is how soon a settings change or a module switch made
// on one instance is seen on the others.
const PropagationBound = time.Second

// TestInstances runs two web-only demo instances over the shared servers
// behind a round-robin proxy, a worker-only process, and for the last
// part a third web instance in a process of its own that is killed under
// load.
func TestInstances(t *testing.T) {
	c := newCluster(t)
	a := c.start(t, "a")
	b := c.start(t, "b")
	ua, _ := url.Parse(a.url)
	ub, _ := url.Parse(b.url)
	front := httptest.NewServer(scaleout.NewProxy(ua, ub))
	t.Cleanup(front.Close)

	admin := login(t, a.url, adminEmail, adminPassword, true)
	// A role that grants the notes app, and a user holding it.
	admin.expect(200, "PUT", a.url+"/auth/roles/writer", map[string]any{"description": "Writes notes", "permissions": []string{notes.PermUse}}, nil)
	var bob struct {
		ID string `json:"id"`
	}
	admin.expect(201, "POST", a.url+"/auth/users", map[string]any{"email": "bob@example.com", "password": "bobs-long-password", "roles": []string{"writer"}}, &bob)

	t.Run("session", func(t *testing.T) {
		// A cookie from a login on a works on b, and through the proxy.
		web := login(t, a.url, "bob@example.com", "bobs-long-password", false)
		web.t = t
		var me struct {
			Email string `json:"email"`
		}
		web.expect(200, "GET", b.url+"/auth/me", nil, &me)
		if me.Email != "bob@example.com" {
			t.Fatalf("b sees %q", me.Email)
		}
		for range 4 {
			web.expect(200, "GET", front.URL+"/auth/me", nil, nil)
		}
		// A token too.
		api := login(t, b.url, "bob@example.com", "bobs-long-password", true)
		api.expect(200, "GET", a.url+"/notes/list", nil, nil)
	})

	t.Run("logout", func(t *testing.T) {
		web := login(t, a.url, "bob@example.com", "bobs-long-password", false)
		// The same cookie, kept after the logout clears it from web's jar.
		old := &client{t: t, hc: &http.Client{Transport: transport, Jar: copyJar(web.hc.Jar.(*sharedJar))}}
		old.expect(200, "GET", b.url+"/auth/me", nil, nil) // b has it cached now
		old.expect(200, "GET", b.url+"/auth/me", nil, nil)
		web.expect(204, "POST", a.url+"/auth/logout", nil, nil)
		within(t, RevocationBound, "logout on a reached b", func() bool {
			code, _ := old.do("GET", b.url+"/auth/me", nil)
			return code == 401
		})
		if code, _ := old.do("GET", a.url+"/auth/me", nil); code != 401 {
			t.Fatalf("a still takes the cookie: %d", code)
		}
	})

	t.Run("role change", func(t *testing.T) {
		api := login(t, a.url, "bob@example.com", "bobs-long-password", true)
		api.expect(200, "GET", b.url+"/notes/list", nil, nil)
		api.expect(200, "GET", b.url+"/notes/list", nil, nil)
		admin.t = t
		admin.expect(200, "PATCH", a.url+"/auth/users/"+bob.ID, map[string]any{"roles": []string{}}, nil)
		within(t, RevocationBound, "role change on a reached b", func() bool {
			code, _ := api.do("GET", b.url+"/notes/list", nil)
			return code == 403
		})
		admin.expect(200, "PATCH", b.url+"/auth/users/"+bob.ID, map[string]any{"roles": []string{"writer"}}, nil)
		within(t, RevocationBound, "role given back on b reached a", func() bool {
			code, _ := api.do("GET", a.url+"/notes/list", nil)
			return code == 200
		})
	})

	t.Run("settings and module switch", func(t *testing.T) {
		admin.t = t
		pageSize := func(base string) any {
			var v struct {
				Fields []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"fields"`
			}
			admin.expect(200, "GET", base+"/settings/notes", nil, &v)
			for _, f := range v.Fields {
				if f.Key == "page_size" {
					return f.Value
				}
			}
			return nil
		}
		pageSize(b.url) // b has read it
		admin.expect(200, "PATCH", a.url+"/settings/notes", map[string]any{"page_size": 7}, nil)
		within(t, PropagationBound, "settings change on a reached b", func() bool { return pageSize(b.url) == float64(7) })

		anon := &client{t: t}
		anon.expect(200, "GET", b.url+"/hello/hi", nil, nil)
		admin.expect(200, "PATCH", a.url+"/settings/settings", map[string]any{"disabled_modules": []string{"hello"}}, nil)
		if code, _ := anon.do("GET", a.url+"/hello/hi", nil); code != 404 {
			t.Fatalf("hello still answers on a: %d", code)
		}
		within(t, PropagationBound, "module switched off on a is off on b", func() bool {
			code, _ := anon.do("GET", b.url+"/hello/hi", nil)
			return code == 404
		})
		admin.expect(200, "PATCH", b.url+"/settings/settings", map[string]any{"disabled_modules": []string{}}, nil)
		within(t, PropagationBound, "module switched on on b is on on a", func() bool {
			code, _ := anon.do("GET", a.url+"/hello/hi", nil)
			return code == 200
		})
	})

	t.Run("task on a worker", func(t *testing.T) {
		admin.t = t
		var task struct {
			ID string `json:"id"`
		}
		admin.expect(202, "POST", a.url+"/tasks/report.generate", map[string]any{"title": "Scale-out", "steps": 5, "step_ms": 150}, &task)
		// No web instance runs tasks: it waits for the worker.
		time.Sleep(300 * time.Millisecond)
		var st struct {
			State tasks.State `json:"state"`
		}
		admin.expect(200, "GET", b.url+"/tasks/"+task.ID, nil, &st)
		if st.State != tasks.StateQueued {
			t.Fatalf("before any worker runs, the task is %q", st.State)
		}
		// Follow it through b while a worker-only process runs it.
		resp, err := admin.send("GET", b.url+"/tasks/"+task.ID+"/events", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		c.spawn(t, "worker")
		var percents []int
		var kinds []string
		sc := bufio.NewScanner(resp.Body)
		deadline := time.AfterFunc(60*time.Second, func() { resp.Body.Close() })
		defer deadline.Stop()
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev tasks.Event
			if json.Unmarshal([]byte(data), &ev) != nil || ev.Kind == "" {
				continue // the first status line
			}
			kinds = append(kinds, ev.Kind)
			if ev.Kind == tasks.KindProgress {
				percents = append(percents, ev.Percent)
			}
			if ev.Done() {
				break
			}
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != tasks.KindSucceeded {
			t.Fatalf("events through b: %v", kinds)
		}
		if len(percents) < 3 || percents[len(percents)-1] != 100 {
			t.Fatalf("progress through b: %v", percents)
		}
		for i := 1; i < len(percents); i++ {
			if percents[i] < percents[i-1] {
				t.Fatalf("progress goes back: %v", percents)
			}
		}
		t.Logf("events through b: %v, progress %v", kinds, percents)
	})

	t.Run("file", func(t *testing.T) {
		admin.t = t
		body := make([]byte, 300<<10)
		_, _ = rand.Read(body)
		admin.expect(201, "PUT", a.url+"/api/fs/files/files/shared/blob.bin", body, nil)
		code, got := admin.do("GET", b.url+"/api/fs/files/files/shared/blob.bin", nil)
		if code != 200 || !bytes.Equal(got, body) {
			t.Fatalf("download through b: %d, %d bytes, same: %v", code, len(got), bytes.Equal(got, body))
		}
		code, got = admin.do("GET", front.URL+"/api/fs/files/files/shared/blob.bin", nil)
		if code != 200 || !bytes.Equal(got, body) {
			t.Fatalf("download through the proxy: %d", code)
		}
	})

	t.Run("bus", func(t *testing.T) {
		type ping struct {
			From string `json:"from"`
		}
		got := make(chan string, 8)
		for name, in := range map[string]*instance{"a": a, "b": b} {
			cancel := bus.On(in.app.Bus(), "scaleout.ping", func(_ context.Context, _ bus.Envelope, p ping) error {
				got <- name + "<-" + p.From
				return nil
			})
			defer cancel()
		}
		for name, in := range map[string]*instance{"a": a, "b": b} {
			if err := in.app.Bus().Emit(context.Background(), "scaleout.ping", ping{From: name}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		timeout := time.After(5 * time.Second)
		for len(seen) < 4 {
			select {
			case s := <-got:
				if seen[s] {
					t.Fatalf("delivered twice: %s", s)
				}
				seen[s] = true
			case <-timeout:
				t.Fatalf("delivered: %v, want a and b each hearing a and b", seen)
			}
		}
	})

	t.Run("kill under load", func(t *testing.T) {
		killUnderLoad(t, c, admin.token, a, b)
	})
}

// killUnderLoad puts a third web instance, a process of its own, behind a
// proxy with a and b, writes notes through the proxy from many clients,
// and kills that process (SIGKILL) halfway. Every write that was answered
// 201 must be in the database, and the only failures the clients see are
// the proxy's 502s for requests that were on the killed instance.
func killUnderLoad(t *testing.T, c *cluster, token string, a, b *instance) {
	p := c.spawn(t, "web")
	ua, _ := url.Parse(a.url)
	ub, _ := url.Parse(b.url)
	uc, _ := url.Parse("http://" + p.addr)
	proxy := scaleout.NewProxy(ua, ub, uc)
	proxy.Eject = time.Minute
	front := httptest.NewServer(proxy)
	defer front.Close()

	const clients = 16
	var (
		mu       sync.Mutex
		acked    []string
		byHost   = map[string]int{}
		failures []string
		sent     atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &client{t: t, token: token}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				sent.Add(1)
				resp, err := cl.send("POST", front.URL+"/notes/", map[string]any{"title": randomName("kill-")})
				if err != nil {
					mu.Lock()
					failures = append(failures, "client error: "+err.Error())
					mu.Unlock()
					continue
				}
				var note notes.Note
				derr := json.NewDecoder(resp.Body).Decode(&note)
				resp.Body.Close()
				host := resp.Header.Get(scaleout.BackendHeader)
				mu.Lock()
				switch {
				case resp.StatusCode == 201 && derr == nil && note.ID != "":
					acked = append(acked, note.ID)
					byHost[host]++
				case resp.StatusCode == 502 && host == p.addr:
					failures = append(failures, "502 from the killed instance")
				default:
					failures = append(failures, fmt.Sprintf("client %d: %d from %s", i, resp.StatusCode, host))
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	mu.Lock()
	beforeKill := byHost[p.addr]
	mu.Unlock()
	p.kill(t)
	killed := time.Now()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()

	if beforeKill == 0 {
		t.Fatal("the third instance took no write before it was killed")
	}
	for _, f := range failures {
		if f != "502 from the killed instance" {
			t.Errorf("a failure other than the killed instance's: %s", f)
		}
	}
	if len(failures) > clients {
		t.Errorf("%d failures: more than the %d requests that can have been in flight", len(failures), clients)
	}
	for _, f := range proxy.Failures() {
		if f.Backend != p.addr || f.Time.Before(killed.Add(-time.Second)) {
			t.Errorf("proxy failure not of the killed instance at its death: %+v", f)
		}
	}
	if byHost[ua.Host] == 0 || byHost[ub.Host] == 0 {
		t.Errorf("writes by instance: %v", byHost)
	}

	// Every acknowledged write is stored.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := store.ConnectMongo(ctx, c.mongoURL, c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	coll := store.NewCollection[notes.Note](db, "notes")
	found := 0
	for i := 0; i < len(acked); i += 500 {
		chunk := acked[i:min(i+500, len(acked))]
		got, err := coll.Find(ctx, store.Query{Where: store.In(store.FieldID, chunk...), Fields: []string{"title"}})
		if err != nil {
			t.Fatal(err)
		}
		found += len(got)
	}
	if found != len(acked) {
		t.Fatalf("%d acknowledged writes, %d stored: %d lost", len(acked), found, len(acked)-found)
	}
	t.Logf("%d requests, %d acknowledged and all stored (by instance %v; %d on the killed one before its death); %d failed, all on the killed instance",
		sent.Load(), len(acked), byHost, beforeKill, len(failures))
}

func copyJar(j *sharedJar) *sharedJar {
	out := &sharedJar{cookies: map[string]*http.Cookie{}}
	for k, v := range j.cookies {
		out.cookies[k] = v
	}
	return out
}
