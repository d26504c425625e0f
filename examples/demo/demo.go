package demo

import (
	"path/filepath"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/examples/hello"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/store/embedded"
)

// NewApp returns the reference application for cfg. With no MongoURL it
// runs an embedded MongoDB-wire server over SQLite in cfg.DataDir, so the
// demo needs no external service. The auth module reads its own WEBOS_*
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
	db := &store.Module{URL: cfg.MongoURL.Reveal(), Database: cfg.MongoDatabase}
	var mods []webos.Module
	if cfg.MongoURL == "" {
		emb := &embedded.Module{Options: embedded.Options{SQLiteDir: filepath.Join(cfg.DataDir, "mongo")}}
		db.URLFrom = emb
		mods = append(mods, emb)
	}
	mods = append(mods,
		db,
		auth.New(authCfg),
		hello.New(db),
	)
	return webos.New(cfg, mods...), nil
}
