package tasks

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/webos-go/webos/tasks/internal/memredis"
)

// memFile is the file, in the application's data folder, in which the
// in-process Redis keeps its data across restarts.
const memFile = "tasks-redis.gob"

// startMem starts the in-process Redis, with the data it saved in the
// application's data folder when there is one.
func (m *Module) startMem(ctx context.Context) (*memredis.Server, error) {
	file := ""
	if m.app != nil {
		if dir := m.app.Config().DataDir; dir != "" {
			file = filepath.Join(dir, memFile)
		}
	}
	mem, err := memredis.Open(file, func(err error) {
		m.log.Warn("the in-process Redis could not save its data", "err", err)
	})
	if err != nil {
		return nil, fmt.Errorf("tasks: starting the in-process Redis: %w", err)
	}
	if file == "" {
		m.log.WarnContext(ctx, "no Redis URL set (WEBOS_REDIS_URL): tasks run on an in-process Redis; "+
			"they end with this process and no separate worker can reach them. Set WEBOS_REDIS_URL in production",
			"addr", mem.Addr())
	} else {
		m.log.WarnContext(ctx, "no Redis URL set (WEBOS_REDIS_URL): tasks run on an in-process Redis, saved in the data folder; "+
			"no separate worker can reach them. Set WEBOS_REDIS_URL in production",
			"addr", mem.Addr(), "file", file)
	}
	return mem, nil
}
