package redisbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
)

// ModuleID is the ID of [Module].
const ModuleID = "bus.redis"

// Module gives an application a bus whose events reach every instance
// sharing one Redis server. Register it first among the modules: its
// Provision replaces the application's in-process bus (webos.App.SetBus),
// which fails if another module has already taken the old one. It closes
// the bus — draining queued events — and its Redis client when the
// application stops, and reports "bus" in GET /health.
type Module struct {
	// URL is the Redis server, e.g. "redis://127.0.0.1:6379/0".
	URL string
	// Options configure the transport; a nil Logger means the
	// application's.
	Options Options
	// Bus configures the bus; a nil Logger means the application's.
	Bus bus.Options

	client *redis.Client
	bus    *bus.Bus
}

var (
	_ webos.Provisioner   = (*Module)(nil)
	_ webos.Stopper       = (*Module)(nil)
	_ webos.HealthChecker = (*Module)(nil)
)

// ModuleInfo describes the module.
func (m *Module) ModuleInfo() webos.ModuleInfo {
	return webos.ModuleInfo{
		ID:          ModuleID,
		Name:        "Shared events",
		Description: "Delivers bus events to every instance of the application through Redis.",
		Icon:        "settings",
		Version:     "1.0.0",
	}
}

// Provision connects to Redis, subscribes and installs the shared bus.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	opt, err := redis.ParseURL(m.URL)
	if err != nil {
		return fmt.Errorf("redisbus: %w", err)
	}
	if m.Options.Logger == nil {
		m.Options.Logger = app.Logger().With("module", ModuleID)
	}
	if m.Bus.Logger == nil {
		m.Bus.Logger = app.Logger()
	}
	client := redis.NewClient(opt)
	tr, err := New(ctx, client, m.Options)
	if err != nil {
		_ = client.Close()
		return fmt.Errorf("redisbus: %w: %w", webos.ErrUnavailable, err)
	}
	opts := m.Bus
	opts.Transport = tr
	b := bus.New(opts)
	if err := app.SetBus(b); err != nil {
		_ = b.Close(ctx)
		_ = client.Close()
		return err
	}
	m.client, m.bus = client, b
	return nil
}

// Stop drains and closes the bus, then the Redis client.
func (m *Module) Stop(ctx context.Context) error {
	if m.bus == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return errors.Join(m.bus.Close(ctx), m.client.Close())
}

// HealthChecks pings the Redis server the events go through.
func (m *Module) HealthChecks() []webos.HealthCheck {
	if m.client == nil {
		return nil
	}
	return []webos.HealthCheck{{Name: "bus", Check: func(ctx context.Context) error {
		return m.client.Ping(ctx).Err()
	}}}
}
