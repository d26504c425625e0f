package store_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/webos-go/webos/store"
)

// TestServerVersion: each engine names its product and version, and a
// closed database is unavailable.
func TestServerVersion(t *testing.T) {
	want := map[string]*regexp.Regexp{
		store.EngineSQLite: regexp.MustCompile(`^SQLite 3\.\d+\.\d+$`),
		store.EngineMongo:  regexp.MustCompile(`^MongoDB \d+\.\d+\.\d+( \(FerretDB( \S+)?\))?$`),
	}
	each(t, func(t *testing.T, e engine) {
		db := e.open(t)
		v, err := db.ServerVersion(context.Background())
		if err != nil || !want[e.name].MatchString(v) {
			t.Fatalf("ServerVersion = %q, %v", v, err)
		}
		t.Log(v)
		if err := db.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ServerVersion(context.Background()); !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("closed: %v, want ErrUnavailable", err)
		}
	})
}
