package store

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/webos-go/webos"
)

// ModuleID is the ID of [Module].
const ModuleID = "store"

// URLSource gives a MongoDB URL known only once it has started, such as an
// embedded server's.
type URLSource interface {
	URL() string
}

// Module is the kernel module that owns the application's database
// connection: it connects when the application starts, closes when it stops,
// and reports "mongodb" in the health check. Modules that store data require
// it (by [ModuleID]) and, in their own Start, make their collections on
// [Module.DB] and call EnsureIndexes.
type Module struct {
	// URL is the MongoDB connection string, e.g. "mongodb://127.0.0.1:27017/".
	URL string
	// URLFrom supplies the URL at start when URL is empty, e.g. an embedded
	// server module. When it is also a webos.Module, this module requires it,
	// so it starts first.
	URLFrom URLSource
	// Database is the database name; "" means "webos".
	Database string
	// Options are passed to [Connect].
	Options []Option

	db atomic.Pointer[DB]
}

var (
	_ webos.Module        = (*Module)(nil)
	_ webos.Starter       = (*Module)(nil)
	_ webos.Stopper       = (*Module)(nil)
	_ webos.Dependent     = (*Module)(nil)
	_ webos.HealthChecker = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Database",
		Description: "Connection to the MongoDB database the other modules store their data in.",
		Icon:        "🗄️",
		Version:     "1.0.0",
	}
}

// Requires names the module URLFrom is, if any.
func (m *Module) Requires() []string {
	if dep, ok := m.URLFrom.(webos.Module); ok {
		return []string{dep.ModuleInfo().ID}
	}
	return nil
}

// Start connects and pings; a server that does not answer is an error
// wrapping [ErrUnavailable].
func (m *Module) Start(ctx context.Context) error {
	if m.db.Load() != nil {
		return errors.New("store: module already started")
	}
	url := m.URL
	if url == "" && m.URLFrom != nil {
		url = m.URLFrom.URL()
	}
	if url == "" {
		return errors.New("store: module has no URL: set URL or URLFrom")
	}
	name := m.Database
	if name == "" {
		name = "webos"
	}
	db, err := Connect(ctx, url, name, m.Options...)
	if err != nil {
		return err
	}
	if !m.db.CompareAndSwap(nil, db) {
		_ = db.Close(ctx)
		return errors.New("store: module already started")
	}
	return nil
}

// Stop closes the connection.
func (m *Module) Stop(ctx context.Context) error {
	if db := m.db.Swap(nil); db != nil {
		return db.Close(ctx)
	}
	return nil
}

// DB returns the connected database; nil before Start and after Stop.
func (m *Module) DB() *DB { return m.db.Load() }

// HealthChecks reports the database as "mongodb".
func (m *Module) HealthChecks() []webos.HealthCheck {
	return []webos.HealthCheck{{Name: "mongodb", Check: func(ctx context.Context) error {
		db := m.db.Load()
		if db == nil {
			return &Error{Op: "ping", Kind: ErrUnavailable, Err: errors.New("not connected")}
		}
		return db.Ping(ctx)
	}}}
}
