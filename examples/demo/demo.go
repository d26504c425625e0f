package demo

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/bus/redisbus"
	"github.com/webos-go/webos/examples/dashboard"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/examples/report"
	"github.com/webos-go/webos/settings"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
	"github.com/webos-go/webos/tasks/monitor"
	"github.com/webos-go/webos/ui"
)

// NewApp returns the reference application for cfg. With no MongoURL it
// keeps its data in the embedded SQLite store in cfg.DataDir, so the demo
// needs no external service. The auth module reads its own WEBOS_*
// settings (see auth.Config); outside production the demo serves plain
// http on localhost, so its session cookie is not marked Secure.
func NewApp(cfg webos.Config) (*webos.App, error) {
	authCfg, err := auth.LoadConfig()
	if err != nil {
		return nil, err
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
	db := &store.Module{URL: cfg.MongoURL.Reveal(), Database: cfg.MongoDatabase}
	var mods []webos.Module
	if cfg.RedisURL != "" {
		// Several instances share events through Redis; it must be the
		// first module, as it replaces the in-process bus.
		// Envelopes are signed with the app's secret keys, which every
		// instance shares.
		mods = append(mods, &redisbus.Module{
			URL:     cfg.RedisURL.Reveal(),
			Options: redisbus.Options{Keys: redisbus.KeysFrom(cfg.SecretKeys)},
		})
	}
	am := auth.New(authCfg)
	tm := tasks.New(tasks.Options{
		RedisURL: cfg.RedisURL.Reveal(),
		// A task runs as the user who enqueued it, with that user's
		// current permissions; a user deleted since is a permanent failure.
		RestoreUser: func(ctx context.Context, id string) (context.Context, error) {
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
	sm := &settings.Module{}
	hm := hello.New()
	mods = append(mods,
		db,
		ui.New(ui.Config{Apps: []string{"hello", "report"}}),
		am,
		sm,
		files,
		tm,
		monitor.New(tm),
		hm,
		report.New(),
		dashboard.New(nil),
	)
	return webos.New(cfg, mods...), nil
}
