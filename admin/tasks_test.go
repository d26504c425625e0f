package admin_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/tasks"
)

// sleeper is a module with a task that runs until it is cancelled.
type sleeper struct{ def *tasks.Def[sleepIn] }

type sleepIn struct {
	Label string `json:"label" validate:"max=40"`
}

func newSleeper() *sleeper {
	s := &sleeper{}
	s.def = tasks.Define("test.sleep", func(ctx context.Context, p sleepIn) (any, error) {
		_ = tasks.Progress(ctx, 40, "sleeping")
		<-ctx.Done()
		return nil, ctx.Err()
	}, tasks.MaxRetry(1))
	return s
}

func (s *sleeper) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "sleeper", Name: "Sleeper"}
}
func (s *sleeper) Tasks() []tasks.Definition       { return []tasks.Definition{s.def} }
func (s *sleeper) Requires() []string              { return []string{tasks.ModuleID} }
func (s *sleeper) Permissions() []webos.Permission { return nil }

// TestTaskMonitor: the queues with their counts, a running task with its
// payload and progress, cancelled from the console (announced to the
// audit trail), retried and deleted; ordinary users are refused.
func TestTaskMonitor(t *testing.T) {
	sl := newSleeper()
	in := start(t, options{extra: []webos.Module{tasks.New(tasks.Options{PollInterval: 50 * time.Millisecond}), sl}})
	ctx := context.Background()
	tok := in.login("admin@example.com", adminPassword)
	bob, err := in.auth.CreateUser(ctx, auth.NewUser{Email: "bob@example.com", Password: "bob-password-1234"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := sl.def.Enqueue(identity.With(ctx, identity.Subject(bob.ID)), sleepIn{Label: "nap"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		page := must(t, in.do("GET", "/admin/tasks?state=active", tok, "", ""), http.StatusOK)
		// The task is listed once it runs, its progress once it reports.
		if strings.Contains(page, `data-task="`+id+`"`) && strings.Contains(page, `data-count="active"`) && strings.Contains(page, "40 % · sleeping") {
			break
		}
		if time.Now().After(deadline) {
			i := strings.Index(page, `id="task-queues"`)
			t.Fatalf("the running task with its progress is not listed: %.3000s", page[max(i, 0):])
		}
		time.Sleep(50 * time.Millisecond)
	}
	page := must(t, in.do("GET", "/admin/tasks/"+id, tok, "", ""), http.StatusOK)
	for _, want := range []string{`data-task-state="running"`, `&#34;label&#34;: &#34;nap&#34;`, `data-task-action="cancel"`, `/tasks/` + id + `/events`, `hx-confirm="Cancel task`} {
		if !strings.Contains(page, want) {
			t.Fatalf("task page lacks %s: %.4000s", want, page)
		}
	}
	if strings.Contains(page, `data-task-action="delete"`) {
		t.Fatal("a running task offers delete")
	}
	must(t, in.post("/admin/tasks/"+id+"/delete", tok, nil), http.StatusUnprocessableEntity)
	must(t, in.post("/admin/tasks/"+id+"/cancel", tok, nil), http.StatusSeeOther)
	page = must(t, in.do("GET", "/admin/tasks/"+id, tok, "", ""), http.StatusOK)
	if !strings.Contains(page, `data-task-state="cancelled"`) || !strings.Contains(page, `data-task-action="retry"`) {
		t.Fatalf("after cancel: %.3000s", page)
	}
	must(t, in.post("/admin/tasks/"+id+"/cancel", tok, nil), http.StatusUnprocessableEntity)
	must(t, in.post("/admin/tasks/"+id+"/retry", tok, nil), http.StatusSeeOther)
	must(t, in.post("/admin/tasks/"+id+"/cancel", tok, nil), http.StatusSeeOther)
	must(t, in.post("/admin/tasks/"+id+"/delete", tok, nil), http.StatusSeeOther)
	must(t, in.do("GET", "/admin/tasks/"+id, tok, "", ""), http.StatusNotFound)
	must(t, in.do("GET", "/admin/tasks?state=bogus", tok, "", ""), http.StatusUnprocessableEntity)
	must(t, in.do("GET", "/admin/tasks?queue=nope", tok, "", ""), http.StatusUnprocessableEntity)
	must(t, in.post("/admin/tasks/"+id+"/explode", tok, nil), http.StatusNotFound)

	bobTok := in.login("bob@example.com", "bob-password-1234")
	must(t, in.do("GET", "/admin/tasks", bobTok, "", ""), http.StatusForbidden)

	for _, action := range []string{tasks.ActionCancel, tasks.ActionRetry, tasks.ActionDelete} {
		waitAudit(t, in, tok, action, "task:"+id)
	}
	if dash := must(t, in.do("GET", "/admin/", tok, "", ""), http.StatusOK); !strings.Contains(dash, `data-panel="Task queues"`) {
		t.Fatal("the dashboard lacks the task queues")
	}
}

// TestTaskMonitorRedisDown: with Redis unreachable the monitor says so
// in the shell (503), and the rest of the console works.
func TestTaskMonitorRedisDown(t *testing.T) {
	target, err := url.Parse(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	px := newCutProxy(t, target.Host)
	via := *target
	via.Host = px.addr()
	in := start(t, options{extra: []webos.Module{tasks.New(tasks.Options{RedisURL: via.String(), Namespace: testenv.DatabaseName("admin-down")})}})
	tok := in.login("admin@example.com", adminPassword)
	must(t, in.do("GET", "/admin/tasks", tok, "", ""), http.StatusOK)
	px.cut()
	r := in.do("GET", "/admin/tasks", tok, "", "")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "data-tasks-unavailable") ||
		!strings.Contains(r.body, "cannot be reached") || strings.Contains(r.body, px.addr()) || strings.Contains(r.body, target.Host) {
		t.Fatalf("monitor without Redis: %d %.2000s", r.status, r.body)
	}
	must(t, in.do("GET", "/admin/users/", tok, "", ""), http.StatusOK)
	if dash := must(t, in.do("GET", "/admin/", tok, "", ""), http.StatusOK); !strings.Contains(dash, "This panel is not available now.") {
		t.Fatal("the dashboard does not say the task panel is unavailable")
	}
	// The form of an action answers JSON 503 to an API client.
	r = in.post("/admin/tasks/x/cancel", tok, url.Values{})
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `"error"`) {
		t.Fatalf("cancel without Redis: %d %s", r.status, r.body)
	}
}

// waitAudit waits until the audit grid shows action on target.
func waitAudit(t *testing.T, in *instance, tok, action, target string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := must(t, in.do("GET", "/admin/audit/rows?limit=100", tok, "", ""), http.StatusOK)
		if strings.Contains(rows, `"action":"`+action+`"`) && strings.Contains(rows, `"target":"`+target+`"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit grid lacks %s %s: %.3000s", action, target, rows)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cutProxy forwards TCP connections to a server until cut, after which it
// refuses new ones and has closed the open ones: the server is down for
// its clients, without touching the server.
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	down  bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			p.mu.Lock()
			if err != nil || p.down {
				p.mu.Unlock()
				c.Close()
				if up != nil {
					up.Close()
				}
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

// cut closes the open connections and refuses new ones.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDeleteUserFromConsole: the confirmation says what happens to the
// user's data; the deleted user's token stops working; the console's own
// user cannot be deleted; the deletion is in the audit grid.
func TestDeleteUserFromConsole(t *testing.T) {
	in := start(t, options{})
	ctx := context.Background()
	tok := in.login("admin@example.com", adminPassword)
	eve, err := in.auth.CreateUser(ctx, auth.NewUser{Email: "eve@example.com", Password: "eve-password-1234"})
	if err != nil {
		t.Fatal(err)
	}
	eveTok := in.login("eve@example.com", "eve-password-1234")
	page := must(t, in.do("GET", "/admin/user/"+eve.ID, tok, "", ""), http.StatusOK)
	if !strings.Contains(page, `data-delete-user="`+eve.ID+`"`) || !strings.Contains(page, "is kept under their id") {
		t.Fatalf("user page: %.3000s", page)
	}
	me, err := in.auth.UserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	must(t, in.post("/admin/user/"+me.ID+"/delete", tok, nil), http.StatusUnprocessableEntity)
	must(t, in.post("/admin/user/"+eve.ID+"/delete", tok, nil), http.StatusSeeOther)
	must(t, in.do("GET", "/auth/me", eveTok, "", ""), http.StatusUnauthorized)
	must(t, in.do("GET", "/admin/user/"+eve.ID, tok, "", ""), http.StatusNotFound)
	waitAudit(t, in, tok, auth.ActionUserDelete, "user:"+eve.ID)
}
