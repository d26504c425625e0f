package afs

import (
	"context"
	"errors"
	"fmt"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/registry"
)

// ModuleID is the ID of [Module].
const ModuleID = "afs"

// Module puts a file system into an application: it opens the configured
// sources when the application is provisioned, registers the [*FS] in the
// application's registry for other modules, emits afs.* events on the
// application's bus, serves the HTTP API (see [Handler]) under /api/fs,
// reports every source in GET /health as "storage:<source>" and closes the
// sources when the application stops or fails to start.
type Module struct {
	// Config names the sources and the upload limit.
	Config Config

	fs *FS
}

var (
	_ webos.Provisioner        = (*Module)(nil)
	_ webos.Cleaner            = (*Module)(nil)
	_ webos.RouteProvider      = (*Module)(nil)
	_ webos.HealthChecker      = (*Module)(nil)
	_ webos.PermissionProvider = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Files",
		Description: "One file system over local disk, S3 and memory, addressed as fs://source/path.",
		Icon:        "folder",
		Version:     "1.0.0",
		Prefix:      "/api/fs",
	}
}

// Provision opens the sources and registers the file system.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	f, err := Open(ctx, m.Config.Sources.Reveal(), Options{Emitter: app.Bus(), Logger: app.Logger().With("module", ModuleID)})
	if err != nil {
		return err
	}
	m.fs = f
	registry.Register(app.Registry(), f)
	return nil
}

// FS returns the file system; nil before Provision.
func (m *Module) FS() *FS { return m.fs }

// Cleanup closes the sources opened by Provision, also when the
// application failed to start.
func (m *Module) Cleanup() error {
	if m.fs == nil {
		return nil
	}
	f := m.fs
	m.fs = nil
	return f.Close()
}

// Routes mounts the HTTP API; every route needs PermRead or PermWrite,
// which the application's authorizer checks (with none, every request is
// refused).
func (m *Module) Routes(r *webos.Router) {
	NewHandler(m.fs, HandlerOptions{MaxUpload: m.Config.MaxUpload}).Routes(r)
}

// HealthChecks reports whether each source's bucket is reachable.
func (m *Module) HealthChecks() []webos.HealthCheck {
	if m.fs == nil {
		return nil
	}
	var checks []webos.HealthCheck
	for _, name := range m.fs.Sources() {
		src, _ := m.fs.Source(name)
		checks = append(checks, webos.HealthCheck{Name: "storage:" + name, Check: func(ctx context.Context) error {
			ok, err := src.Bucket().IsAccessible(ctx)
			if err != nil {
				return err
			}
			if !ok {
				return errors.New("bucket not accessible")
			}
			return nil
		}})
	}
	return checks
}

// Permissions declares the API's permissions.
func (m *Module) Permissions() []webos.Permission {
	return []webos.Permission{
		{Name: PermRead, Description: "List and download files."},
		{Name: PermWrite, Description: "Upload, delete, move, copy files and create folders."},
	}
}

// String names the module and its sources, for logs.
func (m *Module) String() string {
	if m.fs == nil {
		return ModuleID
	}
	return fmt.Sprintf("%s%v", ModuleID, m.fs.Sources())
}
