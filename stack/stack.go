package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/audit"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/openapi"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/ui"
)

// Config is the part of the configuration that the standard stack reads
// besides the kernel's [webos.Config] and the modules' own (auth, afs):
// how the instances of one application share a Redis server. [Standard]
// reads it from the environment.
type Config struct {
	// BusChannel is the Redis channel the instances' bus shares
	// (WEBOS_BUS_CHANNEL); empty means redisbus.DefaultChannel.
	// Applications sharing a Redis server need channels of their own.
	BusChannel string `env:"BUS_CHANNEL" validate:"max=200"`
	// TasksNamespace prefixes the task queues (WEBOS_TASKS_NAMESPACE), so
	// that applications sharing a Redis server keep theirs apart; every
	// process of one application, web and worker, uses the same.
	TasksNamespace string `env:"TASKS_NAMESPACE" validate:"max=200"`
	// TasksWorker runs background tasks in this process
	// (WEBOS_TASKS_WORKER, default true). false makes a web-only
	// instance: it enqueues tasks and reports their progress while
	// processes started with the "worker" command run them, which needs
	// WEBOS_REDIS_URL.
	TasksWorker bool `env:"TASKS_WORKER" envDefault:"true"`
}

// Modules are the standard modules of an application, wired for one
// configuration. Change a field before [Modules.List] to replace a module
// (e.g. a shell with another brand); a nil field is left out.
type Modules struct {
	// Store is the database: MongoDB with WEBOS_MONGO_URL, otherwise the
	// embedded SQLite store in the data folder.
	Store *store.Module
	// Bus shares events between instances through Redis; nil without
	// WEBOS_REDIS_URL. Its envelopes are signed with WEBOS_SECRET_KEYS.
	Bus *redisbus.Module
	// Auth holds users, roles, sessions and tokens, and is the
	// application's authorizer. It reads its own WEBOS_AUTH_* variables;
	// outside production its session cookie also works over plain http.
	Auth *auth.Module
	// Shell is the launchpad, menu, palette and live widgets.
	Shell *ui.Module
	// Settings keeps every module's typed settings.
	Settings *settings.Module
	// Files is the file system: WEBOS_AFS_SOURCES, or a "local" source in
	// the data folder's files folder.
	Files *afs.Module
	// Audit records every administrative change (users, roles, settings,
	// task actions, sign-ins of administrators) in a tamper-evident trail.
	Audit *audit.Module
	// API serves the OpenAPI document of every route at /api/openapi.json
	// and its page in the shell.
	API *openapi.Module
	// Tasks runs background jobs on WEBOS_REDIS_URL, or on an in-process
	// Redis kept in the data folder. A task runs as the user who enqueued
	// it, with that user's current permissions.
	Tasks *tasks.Module
}

// Standard returns the standard modules for cfg. It needs no service:
// without WEBOS_MONGO_URL and WEBOS_REDIS_URL everything is embedded and
// kept in cfg.DataDir. It reads [Config] from the environment and fails
// only on configuration that does not parse or does not fit together.
func Standard(cfg webos.Config) (*Modules, error) {
	authCfg, err := auth.LoadConfig()
	if err != nil {
		return nil, err
	}
	var sc Config
	if err := webos.Load(&sc); err != nil {
		return nil, err
	}
	if !sc.TasksWorker && cfg.RedisURL == "" {
		return nil, errors.New("config: WEBOS_TASKS_WORKER=false needs WEBOS_REDIS_URL: with the in-process Redis no other process can run the tasks")
	}
	if !cfg.Production() {
		authCfg.InsecureCookies = true
	}
	files := &afs.Module{}
	if err := webos.Load(&files.Config); err != nil {
		return nil, err
	}
	if os.Getenv("WEBOS_AFS_SOURCES") == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "files"))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		files.Config.Sources = webos.Secret("local=file://" + filepath.ToSlash(dir))
	}
	m := &Modules{
		Store:    &store.Module{URL: cfg.MongoURL.Reveal(), Database: cfg.MongoDatabase},
		Auth:     auth.New(authCfg),
		Shell:    ui.New(ui.Config{}),
		Settings: &settings.Module{},
		Files:    files,
		Audit:    audit.New(),
		API:      openapi.New(openapi.Info{Title: "WebOS API", CookieName: authCfg.CookieName}),
	}
	if cfg.RedisURL != "" {
		m.Bus = &redisbus.Module{
			URL:     cfg.RedisURL.Reveal(),
			Options: redisbus.Options{Keys: redisbus.KeysFrom(cfg.SecretKeys), Channel: sc.BusChannel},
		}
	}
	m.Tasks = tasks.New(tasks.Options{
		RedisURL:  cfg.RedisURL.Reveal(),
		Namespace: sc.TasksNamespace,
		NoWorker:  !sc.TasksWorker,
		// A user deleted since the task was enqueued is a permanent failure.
		RestoreUser: func(ctx context.Context, id string) (context.Context, error) {
			am := m.Auth // the auth module listed, also when the field was replaced
			if am == nil {
				return ctx, nil // without auth the task runs as the bare user id
			}
			u, err := am.User(ctx, id)
			if errors.Is(err, auth.ErrUserNotFound) {
				return ctx, tasks.Permanent(err)
			}
			if err != nil {
				return ctx, err
			}
			return auth.WithUser(ctx, u), nil
		},
	})
	return m, nil
}

// List returns the modules that are set, for [webos.New].
func (m *Modules) List() []webos.Module {
	var out []webos.Module
	add := func(mod webos.Module, set bool) {
		if set {
			out = append(out, mod)
		}
	}
	add(m.Store, m.Store != nil)
	add(m.Bus, m.Bus != nil)
	add(m.Auth, m.Auth != nil)
	add(m.Shell, m.Shell != nil)
	add(m.Settings, m.Settings != nil)
	add(m.Files, m.Files != nil)
	add(m.Audit, m.Audit != nil)
	add(m.API, m.API != nil)
	add(m.Tasks, m.Tasks != nil)
	return out
}
