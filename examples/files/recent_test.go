package files_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/demo"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// instance is one of several demo servers sharing a MongoDB database,
// Redis and a disk folder, as instances behind a load balancer do.
type instance struct {
	url  string
	app  *webos.App
	stop func()
}

func startInstance(t *testing.T, data, mongoURL, database, redisURL string) *instance {
	t.Helper()
	cfg, err := webos.LoadConfig(filepath.Join(data, "none.env"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = data
	cfg.MongoURL = webos.Secret(mongoURL)
	cfg.MongoDatabase = database
	cfg.RedisURL = webos.Secret(redisURL)
	cfg.SecretKeys = []webos.Secret{"files-recent-test-secret-key-0123456789"}
	app, err := demo.NewApp(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	in := &instance{url: srv.URL, app: app}
	stopped := false
	in.stop = func() {
		if stopped {
			return
		}
		stopped = true
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = app.Stop(ctx)
	}
	t.Cleanup(in.stop)
	return in
}

// page returns the HTML of the shell's launchpad as the token's user.
func (in *instance) page(t *testing.T, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", in.url+"/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d %s", res.StatusCode, b)
	}
	return string(b)
}

// TestRecentTransfersSharedAndKept starts two instances on one MongoDB
// database and one Redis: a move started on the first shows in the
// sidebar of its user on the second, not in another user's, and is still
// there on an instance started after both stopped.
func TestRecentTransfersSharedAndKept(t *testing.T) {
	testenv.Integration(t)
	mongoURL, redisURL := testenv.MongoURL(t), testenv.RedisURL(t)
	database := testenv.DatabaseName("filesrecent")
	ns := strings.TrimPrefix(database, "filesrecent_")
	t.Setenv("WEBOS_TASKS_NAMESPACE", "filesrecent-"+ns)
	t.Setenv("WEBOS_BUS_CHANNEL", "filesrecent-"+ns)
	dir := t.TempDir()
	sharedDir := filepath.Join(dir, "shared")
	if err := os.MkdirAll(sharedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WEBOS_AFS_SOURCES", "local=file://"+filepath.ToSlash(sharedDir))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if db, err := store.ConnectMongo(ctx, mongoURL, database); err == nil {
			_ = db.Drop(ctx)
			_ = db.Close(ctx)
		}
	})

	a := startInstance(t, filepath.Join(dir, "a"), mongoURL, database, redisURL)
	b := startInstance(t, filepath.Join(dir, "b"), mongoURL, database, redisURL)
	am, err := registry.Get[*auth.Module](a.app.Registry())
	if err != nil {
		t.Fatal(err)
	}
	token := func(email string) string {
		u, err := am.CreateUser(t.Context(), auth.NewUser{Email: email, Password: "recent-password-1", Roles: []string{auth.RoleAdmin}})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := am.IssueToken(t.Context(), u.ID, "test", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ada, bob := token("ada@example.com"), token("bob@example.com")

	fsys, _ := registry.Get[*afs.FS](a.app.Registry())
	if _, err := fsys.Save(t.Context(), afs.MustParse("fs://local/tmp/x.txt"), strings.NewReader("to be moved"), nil); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Mkdir(t.Context(), afs.MustParse("fs://local/backup")); err != nil {
		t.Fatal(err)
	}
	// A record of Bob's from an hour ago: the next transfer drops it.
	type record struct {
		store.Doc `bson:",inline"`
		Task      string `bson:"task"`
		Title     string `bson:"title"`
	}
	bobUser, _ := am.UserByEmail(t.Context(), "bob@example.com")
	past, err := store.ConnectMongo(t.Context(), mongoURL, database, store.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	defer past.Close(context.Background())
	if err := store.NewOwned[record](past, files.TransfersCollection).Insert(identity.With(t.Context(), bobUser),
		&record{Task: "stale", Title: "Copy old.txt → fs://local/backup"}); err != nil {
		t.Fatal(err)
	}
	db, _ := registry.Get[*store.DB](b.app.Registry())
	recent := store.NewOwned[record](db, files.TransfersCollection)
	if n, _ := recent.Unscoped().Count(t.Context(), store.Filter{}); n != 1 {
		t.Fatalf("%d records before the move", n)
	}

	body := `{"op":"move","from":["fs://local/tmp/x.txt"],"to":"fs://local/backup","conflict":"skip"}`
	req, _ := http.NewRequest("POST", a.url+"/files/api/transfer", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ada)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var started struct {
		Task string `json:"task"`
	}
	err = json.NewDecoder(res.Body).Decode(&started)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusAccepted || started.Task == "" {
		t.Fatalf("transfer: %d %v %+v", res.StatusCode, err, started)
	}
	mark := `data-task="` + started.Task + `"`

	// The other instance's sidebar shows Ada's move, and only to her.
	if p := b.page(t, ada); !strings.Contains(p, mark) || !strings.Contains(p, "Move x.txt → fs://local/backup") {
		t.Fatal("the second instance's sidebar does not show the move")
	}
	if strings.Contains(b.page(t, bob), mark) {
		t.Fatal("another user's sidebar shows the move")
	}

	// The record is Ada's, in the shared database, and the stale one is
	// gone.
	recs, err := recent.Unscoped().Find(t.Context(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	adaUser, _ := am.UserByEmail(t.Context(), "ada@example.com")
	if len(recs) != 1 || recs[0].Task != started.Task || recs[0].CreatedBy != adaUser.ID {
		t.Fatalf("records %+v, want only the move, by %s", recs, adaUser.ID)
	}
	if db.Engine() != store.EngineMongo {
		t.Fatalf("engine %q", db.Engine())
	}

	// Both instances stop; one started afterwards still shows it.
	a.stop()
	b.stop()
	c := startInstance(t, filepath.Join(dir, "c"), mongoURL, database, redisURL)
	if !strings.Contains(c.page(t, ada), mark) {
		t.Fatal("after a restart the sidebar no longer shows the move")
	}
	if strings.Contains(c.page(t, bob), mark) {
		t.Fatal("after a restart another user's sidebar shows the move")
	}
}
