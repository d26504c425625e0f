package demo

import (
	"github.com/webos-go/webos"
	"github.com/webos-go/webos/admin"
	"github.com/webos-go/webos/examples/blog"
	"github.com/webos-go/webos/examples/dashboard"
	"github.com/webos-go/webos/examples/files"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/examples/media"
	"github.com/webos-go/webos/examples/notes"
	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/examples/vault"
	"github.com/webos-go/webos/stack"
	"github.com/webos-go/webos/tasks/monitor"
	"github.com/webos-go/webos/ui"
)

// NewApp returns the reference application for cfg: the standard stack
// (package stack: with no MongoURL its data is in the embedded SQLite store
// in cfg.DataDir, without a RedisURL tasks run on an in-process Redis, so
// the demo needs no external service) and the demo apps.
func NewApp(cfg webos.Config) (*webos.App, error) { return newApp(cfg) }

// newApp is [NewApp] with more modules after the demo's, for tests.
func newApp(cfg webos.Config, extra ...webos.Module) (*webos.App, error) {
	std, err := stack.Standard(cfg)
	if err != nil {
		return nil, err
	}
	// hello and report have no card of their own: the shell gives them
	// one with its generic app page.
	std.Shell = ui.New(ui.Config{Apps: []string{"hello", "report"}})
	vaultCfg, err := vault.LoadConfig() // WEBOS_VAULT_*: master keys, breach check
	if err != nil {
		return nil, err
	}
	mediaCfg, err := media.LoadConfig() // WEBOS_MEDIA_*: root folder, memory budget, pixel limit
	if err != nil {
		return nil, err
	}
	return webos.New(cfg, append(append(std.List(),
		admin.New(),
		monitor.New(std.Tasks),
		notes.New(),
		hello.New(),
		report.New(),
		dashboard.New(nil),
		vault.New(vaultCfg),
		blog.New(),
		files.New(files.Options{}),
		media.New(mediaCfg),
		readiness{}, // the "ready" command
	), extra...)...), nil
}
