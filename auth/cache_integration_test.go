package auth_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// dbWatch watches the commands the auth module sends to MongoDB: it counts
// those on its collections and can make the role query slow.
type dbWatch struct {
	commands  atomic.Int64
	slowRoles atomic.Bool
	delay     time.Duration
}

func (w *dbWatch) option() store.Option {
	return store.WithMongoClientOptions(func(o *options.ClientOptions) {
		o.SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
			coll, _ := e.Command.Index(0).Value().StringValueOK()
			if !strings.HasPrefix(coll, "auth_") {
				return
			}
			w.commands.Add(1)
			if coll == auth.RolesCollection && e.CommandName == "find" && w.slowRoles.Load() {
				time.Sleep(w.delay) // the driver waits for the monitor: the query is this slow
			}
		}})
	})
}

// Authenticated requests need no database read once the token was seen,
// with a bearer token and with the cookie.
func TestAuthenticatedRequestsSkipTheDatabase(t *testing.T) {
	w := &dbWatch{}
	e := newEnv(t, envOptions{storeOptions: []store.Option{w.option()}})
	e.register("ada@example.com", "analytical-engine")
	s := e.login("ada@example.com", "analytical-engine")
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusOK)
	before := w.commands.Load()
	for range 20 {
		must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
		must(t, e.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusOK)
	}
	if n := w.commands.Load() - before; n != 0 {
		t.Fatalf("40 authenticated requests sent %d commands to the auth collections", n)
	}
	// After the TTL the token is checked again.
	e.clock.Advance(e.auth.Config().CredentialCacheTTL)
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	if w.commands.Load() == before {
		t.Fatal("no database read after the TTL")
	}
}

// While the role query is slow, authenticated requests do not queue behind
// it: they use the role definitions they have while one query refreshes
// them.
func TestSlowRoleQueryDoesNotQueueRequests(t *testing.T) {
	w := &dbWatch{delay: 2 * time.Second}
	// Without the credential cache every request resolves roles.
	e := newEnv(t, envOptions{cfg: auth.Config{CredentialCacheTTL: -1}, storeOptions: []store.Option{w.option()}})
	e.register("ada@example.com", "analytical-engine")
	s := e.login("ada@example.com", "analytical-engine")
	must(t, e.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)

	e.clock.Advance(time.Minute / 2) // the roles are stale now
	w.slowRoles.Store(true)
	defer w.slowRoles.Store(false)
	var wg sync.WaitGroup
	var slowest atomic.Int64
	for range 8 {
		wg.Go(func() {
			began := time.Now()
			r := e.do(req{method: "GET", path: "/auth/me", token: s.token})
			if r.status != http.StatusOK {
				t.Errorf("status %d: %s", r.status, r.body)
			}
			d := int64(time.Since(began))
			for old := slowest.Load(); d > old && !slowest.CompareAndSwap(old, d); old = slowest.Load() {
			}
		})
	}
	wg.Wait()
	if d := time.Duration(slowest.Load()); d >= w.delay/2 {
		t.Fatalf("a request waited %v for the slow role query", d)
	}
}

// newInstances starts two applications over one database, as two
// instances behind a load balancer, each with the options o gives.
func newInstances(t *testing.T, o func() envOptions) (a, b *env) {
	a = newEnv(t, o())
	ob := o()
	ob.database = a.db
	b = newEnv(t, ob)
	return a, b
}

// within polls check until it is true and fails unless that happened
// within d.
func within(t *testing.T, d time.Duration, what string, check func() bool) {
	t.Helper()
	began := time.Now()
	for !check() {
		if time.Since(began) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s after %v", what, time.Since(began).Round(time.Millisecond))
}

// A change made on one instance takes effect on the other within a second
// when they share a bus, although the other cached the credential: logout,
// a revoked API token, a password change, a deactivation, a role taken
// away and a permission taken from a role. The buses are linked by a hub
// and, as in production, by Redis.
func TestChangesReachEveryInstanceThroughTheBus(t *testing.T) {
	t.Run("hub", func(t *testing.T) {
		hub := bus.NewHub()
		a, b := newInstances(t, func() envOptions { return envOptions{hub: hub} })
		changesReach(t, a, b)
	})
	t.Run("redis", func(t *testing.T) {
		url, channel := testenv.RedisURL(t), newDatabaseName()
		a, b := newInstances(t, func() envOptions {
			return envOptions{extra: []webos.Module{&redisbus.Module{URL: url, Options: redisbus.Options{Keys: [][]byte{[]byte(testSecret)}, Channel: channel}}}}
		})
		changesReach(t, a, b)
	})
}

func changesReach(t *testing.T, a, b *env) {
	admin := a.admin()
	u := a.register("ada@example.com", "analytical-engine")
	status := func(e *env, path string, s session) func() int {
		return func() int { return e.do(req{method: "GET", path: path, token: s.token}).status }
	}
	refused := func(e *env, path string, s session, want int) func() bool {
		return func() bool { return status(e, path, s)() == want }
	}
	// Each check first warms b's cache, then changes a and waits for b.
	t.Run("logout", func(t *testing.T) {
		s := a.login("ada@example.com", "analytical-engine")
		must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
		must(t, a.do(req{method: "POST", path: "/auth/logout", token: s.token}), http.StatusNoContent)
		within(t, time.Second, "logged-out token refused on the other instance", refused(b, "/auth/me", s, 401))
	})
	t.Run("revoked API token", func(t *testing.T) {
		s := a.login("ada@example.com", "analytical-engine")
		var tr auth.TokenResponse
		must(t, a.do(req{method: "POST", path: "/auth/tokens", token: s.token, body: map[string]any{"name": "ci"}}), http.StatusCreated).decode(t, &tr)
		api := session{token: tr.Token}
		must(t, b.do(req{method: "GET", path: "/auth/me", token: api.token}), http.StatusOK)
		must(t, a.do(req{method: "DELETE", path: "/auth/tokens/" + tr.ID, token: s.token}), http.StatusNoContent)
		within(t, time.Second, "revoked API token refused on the other instance", refused(b, "/auth/me", api, 401))
		must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	})
	t.Run("role taken away", func(t *testing.T) {
		a.grant(admin, u.ID, "reader", "notes.read")
		s := a.login("ada@example.com", "analytical-engine")
		must(t, b.do(req{method: "GET", path: "/notes", token: s.token}), http.StatusOK)
		must(t, a.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: admin.token, body: map[string]any{"roles": []string{auth.RoleUser}}}), http.StatusOK)
		within(t, time.Second, "a role taken away on the other instance", refused(b, "/notes", s, 403))
	})
	t.Run("permission taken from a role", func(t *testing.T) {
		a.grant(admin, u.ID, "reader", "notes.read")
		s := a.login("ada@example.com", "analytical-engine")
		within(t, time.Second, "the role given on the other instance", refused(b, "/notes", s, 200))
		must(t, a.do(req{method: "PUT", path: "/auth/roles/reader", token: admin.token, body: map[string]any{"permissions": []string{}}}), http.StatusOK)
		within(t, time.Second, "a permission taken from the role on the other instance", refused(b, "/notes", s, 403))
	})
	t.Run("password changed", func(t *testing.T) {
		s := a.login("ada@example.com", "analytical-engine")
		must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
		must(t, a.do(req{method: "POST", path: "/auth/password", token: s.token,
			body: map[string]string{"current_password": "analytical-engine", "new_password": "difference-engine"}}), http.StatusNoContent)
		within(t, time.Second, "old session refused after a password change on the other instance", refused(b, "/auth/me", s, 401))
	})
	t.Run("deactivated", func(t *testing.T) {
		s := a.login("ada@example.com", "difference-engine")
		must(t, b.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}), http.StatusOK)
		must(t, a.do(req{method: "PATCH", path: "/auth/users/" + u.ID, token: admin.token, body: map[string]any{"active": false}}), http.StatusOK)
		within(t, time.Second, "deactivated user refused on the other instance", func() bool {
			return b.do(req{method: "GET", path: "/auth/me", cookie: s.cookie}).status == 401
		})
	})
}

// Without a shared bus another instance keeps using what it cached, but no
// longer than the cache's TTL.
func TestChangesReachOtherInstancesWithinTheTTL(t *testing.T) {
	a, b := newInstances(t, func() envOptions { return envOptions{} })
	a.register("ada@example.com", "analytical-engine")
	s := a.login("ada@example.com", "analytical-engine")
	must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK)
	must(t, a.do(req{method: "POST", path: "/auth/logout", token: s.token}), http.StatusNoContent)
	must(t, a.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized) // at once where it happened
	ttl := b.auth.Config().CredentialCacheTTL
	b.clock.Advance(ttl - time.Millisecond)
	must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusOK) // the stated bound
	b.clock.Advance(time.Millisecond)
	must(t, b.do(req{method: "GET", path: "/auth/me", token: s.token}), http.StatusUnauthorized)
}
