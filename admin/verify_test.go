package admin_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/internal/testenv"
	"github.com/webos-go/webos/store"
)

// TestAuditVerifyCommand: changes made in the console, then the CLI's
// "audit verify" (App.Exec, as the binary runs it) finds the trail
// intact; after someone edits an entry in the database it fails and
// names the entry.
func TestAuditVerifyCommand(t *testing.T) {
	mongo := testenv.MongoURL(t)
	o := options{mongoURL: mongo, database: testenv.DatabaseName("adminverify"), dataDir: t.TempDir()}
	ctx := context.Background()
	db, err := store.ConnectMongo(ctx, mongo, o.database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Drop(context.Background()); _ = db.Close(context.Background()) })

	in := start(t, o)
	tok := in.login("admin@example.com", adminPassword)
	must(t, in.post("/admin/roles", tok, url.Values{"name": {"auditors"}, "permissions": {"audit.read"}}), http.StatusSeeOther)
	must(t, in.post("/admin/config/log-level", tok, url.Values{"level": {"warn"}}), http.StatusSeeOther)
	waitAudit(t, in, tok, "settings.set", "settings:admin")

	// The command list has it, with its summary.
	var help strings.Builder
	app, _, _ := build(t, o)
	if err := app.Exec(ctx, []string{"help"}, &help); err != nil || !strings.Contains(help.String(), "audit verify") {
		t.Fatalf("help: %v %s", err, help.String())
	}
	var out strings.Builder
	if err := app.Exec(ctx, []string{"audit", "verify"}, &out); err != nil {
		t.Fatalf("audit verify on an intact trail: %v (%s)", err, out.String())
	}
	if !strings.Contains(out.String(), "audit trail intact: ") {
		t.Fatalf("audit verify said %q", out.String())
	}

	// Someone with database access edits what an entry says.
	trail := store.NewCollection[audit.Entry](db, audit.Collection)
	es, err := trail.Find(ctx, store.Query{Where: store.Eq("action", "settings.set"), Sort: []string{"seq"}, Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("the entry to edit: %v %v", es, err)
	}
	if _, err := trail.Update(ctx, es[0].ID, store.Set("after", `{"log_level":"debug"}`)); err != nil {
		t.Fatal(err)
	}
	app2, _, _ := build(t, o)
	out.Reset()
	err = app2.Exec(ctx, []string{"audit", "verify"}, &out)
	var br *audit.Broken
	if !errors.Is(err, audit.ErrBroken) || !errors.As(err, &br) || br.Seq != es[0].Seq {
		t.Fatalf("audit verify after the edit: %v, want a break at entry %d", err, es[0].Seq)
	}
}
