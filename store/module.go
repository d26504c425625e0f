package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/registry"
)

// ModuleID is the ID of [Module].
const ModuleID = "store"

// SQLiteFile is the name of the embedded database's file in [Module.Dir].
const SQLiteFile = "webos.db"

// Module is the kernel module that owns the application's database: with a
// URL it uses MongoDB, without one the embedded SQLite store in Dir. It
// opens the database in Provision and registers the [*DB] in the
// application's registry, so modules that require it (by [ModuleID]) get
// it in their own Provision and make their collections there:
//
//	db, err := registry.Get[*store.DB](app.Registry())
//
// It checks the database answers in Start, reports it in the health check,
// and closes it in Cleanup.
type Module struct {
	// URL is a MongoDB connection string, e.g. "mongodb://127.0.0.1:27017/";
	// empty selects the embedded SQLite store.
	URL string
	// Database is the MongoDB database name; "" means "webos".
	Database string
	// Dir is the folder of the embedded store's file ([SQLiteFile]); ""
	// means the application's data folder (WEBOS_DATA_DIR).
	Dir string
	// Options are passed to [ConnectMongo] or [OpenSQLite].
	Options []Option

	db  atomic.Pointer[DB]
	reg *registry.Registry
}

var (
	_ webos.Module        = (*Module)(nil)
	_ webos.Provisioner   = (*Module)(nil)
	_ webos.Starter       = (*Module)(nil)
	_ webos.Cleaner       = (*Module)(nil)
	_ webos.HealthChecker = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Database",
		Description: "The database the other modules store their data in: MongoDB, or the embedded SQLite store.",
		Icon:        "🗄️",
		Version:     "2.0.0",
	}
}

// Provision opens the database: MongoDB without waiting for the server
// (Start checks it answers), or the SQLite file, created when missing.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	if m.db.Load() != nil {
		return errors.New("store: module already provisioned")
	}
	var (
		db  *DB
		err error
	)
	if m.URL != "" {
		name := m.Database
		if name == "" {
			name = "webos"
		}
		db, err = OpenMongo(m.URL, name, m.Options...)
	} else {
		dir := m.Dir
		if dir == "" {
			dir = app.Config().DataDir
		}
		if dir == "" {
			return errors.New("store: no MongoDB URL and no data folder for the embedded store")
		}
		warnOldEmbedded(app.Logger(), dir)
		db, err = OpenSQLite(filepath.Join(dir, SQLiteFile), m.Options...)
	}
	if err != nil {
		return err
	}
	m.db.Store(db)
	m.reg = app.Registry()
	registry.Register(m.reg, db)
	return nil
}

// warnOldEmbedded explains a data folder of the embedded MongoDB-wire
// server earlier versions ran: its data is not read any more.
func warnOldEmbedded(log *slog.Logger, dir string) {
	old := filepath.Join(dir, "mongo")
	if matches, _ := filepath.Glob(filepath.Join(old, "*.sqlite")); len(matches) > 0 {
		log.Warn(fmt.Sprintf("store: %s holds data of the embedded MongoDB-wire server of earlier versions, which is not read any more: "+
			"the embedded database is now %s; move what you need over and delete the folder", old, filepath.Join(dir, SQLiteFile)),
			"folder", old)
	}
}

// Start checks that the database answers; one that does not is an error
// wrapping [ErrUnavailable].
func (m *Module) Start(ctx context.Context) error {
	db := m.db.Load()
	if db == nil {
		return errors.New("store: module not provisioned")
	}
	pctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	return db.Ping(pctx)
}

// Cleanup closes the database.
func (m *Module) Cleanup() error {
	if m.reg != nil {
		registry.Unregister[*DB](m.reg)
		m.reg = nil
	}
	if db := m.db.Swap(nil); db != nil {
		return db.Close(context.Background())
	}
	return nil
}

// DB returns the database; nil before Provision and after Cleanup.
func (m *Module) DB() *DB { return m.db.Load() }

// HealthChecks reports the database under its engine's name.
func (m *Module) HealthChecks() []webos.HealthCheck {
	return []webos.HealthCheck{{Name: "database", Check: func(ctx context.Context) error {
		db := m.db.Load()
		if db == nil {
			return &Error{Op: "ping", Kind: ErrUnavailable, Err: errors.New("not open")}
		}
		return db.Ping(ctx)
	}}}
}
