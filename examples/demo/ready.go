package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/registry"
	"github.com/webos-go/webos/store"
)

// ErrNotReady is returned by the ready command when a backend is down.
var ErrNotReady = errors.New("not ready")

// readiness is the module that adds the "ready" command to the demo.
type readiness struct{}

func (readiness) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{ID: "ready", Name: "System ready", Description: "Checks every backend the configuration names.", Version: webos.Version}
}

// Commands adds "ready".
func (readiness) Commands() []webos.Command {
	return []webos.Command{{Name: "ready", Summary: "connect to every configured backend (database, Redis, each file source) and print their versions and latencies; exit status 1 when one is down",
		Run: func(ctx context.Context, app *webos.App, _ []string) error { return Ready(ctx, app) }}}
}

// Ready writes the readiness report of a started application to its
// output ([webos.App.Output]): one line for each dependency its modules
// check (the database, Redis for tasks and for the bus, each file source),
// with what it is, its version where the server tells it, the latency of
// the check and whether it is up. It returns an error wrapping
// [ErrNotReady] that names what is down. The cause of a failure is logged,
// not printed.
func Ready(ctx context.Context, app *webos.App) error {
	rep := app.Health(ctx)
	cfg := app.Config()
	out := app.Output()
	fmt.Fprintf(out, "WebOS %s: readiness of %d backends\n\n", webos.Version, len(rep.Checks))
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BACKEND\tKIND\tVERSION\tLATENCY\tSTATE")
	names := make([]string, 0, len(rep.Checks))
	for n := range rep.Checks {
		names = append(names, n)
	}
	order := func(n string) string { // the database first, then Redis, then the files
		switch {
		case n == "database":
			return "0"
		case n == "redis" || n == "bus":
			return "1" + n
		}
		return "2" + n
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(order(a), order(b)) })
	redisVersion := redisVersioner(cfg)
	var down []string
	for _, n := range names {
		c := rep.Checks[n]
		kind, version := describe(ctx, app, n, c.Status == "up", redisVersion)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f ms\t%s\n", n, kind, version, c.LatencyMS, c.Status)
		if c.Status != "up" {
			down = append(down, n)
		}
	}
	_ = tw.Flush()
	if len(down) > 0 {
		fmt.Fprintf(out, "\nnot ready: %s down (the log says why)\n", strings.Join(down, ", "))
		return fmt.Errorf("%w: %s down", ErrNotReady, strings.Join(down, ", "))
	}
	fmt.Fprintf(out, "\nready: all %d backends up\n", len(names))
	return nil
}

// describe names the kind and version of the dependency a health check
// named name checks; "-" where the server does not tell.
func describe(ctx context.Context, app *webos.App, name string, up bool, redisVersion func(context.Context) string) (kind, version string) {
	version = "-"
	switch {
	case name == "database":
		db, err := registry.Get[*store.DB](app.Registry())
		if err != nil {
			return "-", version
		}
		if up {
			if v, err := db.ServerVersion(ctx); err == nil {
				version = v
			}
		}
		return db.Engine(), version
	case name == "redis" || name == "bus":
		kind = "redis"
		if app.Config().RedisURL == "" {
			return "in-process", "miniredis (no WEBOS_REDIS_URL)"
		}
		if up {
			version = redisVersion(ctx)
		}
		return kind, version
	case strings.HasPrefix(name, "storage:"):
		fs, err := registry.Get[*afs.FS](app.Registry())
		if err != nil {
			return "-", version
		}
		src, ok := fs.Source(strings.TrimPrefix(name, "storage:"))
		if !ok {
			return "-", version
		}
		var c *s3.Client
		switch {
		case src.Dir() != "":
			return "disk", version
		case src.Bucket().As(&c):
			return "s3", version
		}
		return "memory", version
	}
	return "-", version
}

// redisVersioner returns a function that asks the configured Redis server
// for its version once, through a connection of its own.
func redisVersioner(cfg webos.Config) func(context.Context) string {
	asked, v := false, "-"
	return func(ctx context.Context) string {
		if asked {
			return v
		}
		asked = true
		opts, err := redis.ParseURL(cfg.RedisURL.Reveal())
		if err != nil {
			return v
		}
		c := redis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(ctx, webos.HealthTimeout)
		defer cancel()
		info, err := c.Info(ctx, "server").Result()
		if err != nil {
			return v
		}
		for _, line := range strings.Split(info, "\n") {
			if s, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
				v = "Redis " + s
			}
		}
		return v
	}
}
