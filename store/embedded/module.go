package embedded

import (
	"context"
	"errors"
	"sync"

	"github.com/webos-go/webos"
)

// ModuleID is the ID of [Module].
const ModuleID = "mongo-embedded"

// Module runs an embedded server as a kernel module, for applications that
// have no MongoDB of their own. Give it to store.Module as URLFrom:
//
//	wire := &embedded.Module{Options: embedded.Options{SQLiteDir: "data/db"}}
//	db := &store.Module{URLFrom: wire}
//
// and list both in the application; the store module then requires this one.
type Module struct {
	// Options configure the server; see [Start].
	Options Options

	mu  sync.Mutex
	srv *Server
}

var (
	_ webos.Module  = (*Module)(nil)
	_ webos.Starter = (*Module)(nil)
	_ webos.Stopper = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Embedded database server",
		Description: "MongoDB-compatible server inside the application, over SQLite or PostgreSQL.",
		Icon:        "🧩",
		Version:     "1.0.0",
	}
}

// Start starts the server.
func (m *Module) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv != nil {
		return errors.New("embedded: module already started")
	}
	srv, err := Start(ctx, m.Options)
	if err != nil {
		return err
	}
	m.srv = srv
	return nil
}

// Stop stops the server.
func (m *Module) Stop(context.Context) error {
	m.mu.Lock()
	srv := m.srv
	m.srv = nil
	m.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// URL returns the server's MongoDB URL, or "" when it is not running.
func (m *Module) URL() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv == nil {
		return ""
	}
	return m.srv.URI()
}
