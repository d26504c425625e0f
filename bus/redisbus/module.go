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

// CleanupTimeout bounds how long [Module.Cleanup] waits for the events
// still queued to be handled.
const CleanupTimeout = 10 * time.Second

// Module gives an application a bus whose events reach every instance
// sharing one Redis server. It is a [webos.BusProvider]: wherever it is
// listed, the kernel provisions it first and every module gets its bus. It
// needs
// the signing keys in Options.Keys — the same on every instance, for
// instance [KeysFrom] the application's secret keys — and refuses to
// provision without them. Its Cleanup closes the bus — draining queued
// events — and its Redis client, when the application stops and also when
// it fails to start; it reports "bus" in GET /health.
type Module struct {
	// URL is the Redis server, e.g. "redis://127.0.0.1:6379/0".
	URL string
	// Options configure the transport; Options.Keys is required. A nil
	// Logger means the application's.
	Options Options
	// BusOptions configure the bus; a nil Logger means the application's.
	BusOptions bus.Options

	client *redis.Client
	bus    *bus.Bus
}

var (
	_ webos.BusProvider   = (*Module)(nil)
	_ webos.Provisioner   = (*Module)(nil)
	_ webos.Cleaner       = (*Module)(nil)
	_ webos.HealthChecker = (*Module)(nil)
)

// KeysFrom returns secrets, such as the application's configured secret
// keys (webos.Config.SecretKeys, WEBOS_SECRET_KEYS), as signing keys for
// Options.Keys, in the same order.
func KeysFrom(secrets []webos.Secret) [][]byte {
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			keys = append(keys, []byte(s.Reveal()))
		}
	}
	return keys
}

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

// Provision checks the signing keys, connects to Redis, subscribes and
// makes the shared bus. What it acquires is released by Cleanup; when
// Provision itself fails, it releases it before returning.
func (m *Module) Provision(ctx context.Context, app *webos.App) error {
	if m.bus != nil {
		return errors.New("redisbus: module provisioned twice without Cleanup")
	}
	if _, err := deriveKeys(m.Options.Keys); err != nil {
		return err
	}
	opt, err := redis.ParseURL(m.URL)
	if err != nil {
		return fmt.Errorf("redisbus: %w", err)
	}
	topts := m.Options
	if topts.Logger == nil {
		topts.Logger = app.Logger().With("module", ModuleID)
	}
	bopts := m.BusOptions
	if bopts.Logger == nil {
		bopts.Logger = app.Logger()
	}
	client := redis.NewClient(opt)
	tr, err := New(ctx, client, topts)
	if err != nil {
		_ = client.Close()
		return fmt.Errorf("redisbus: %w: %w", webos.ErrUnavailable, err)
	}
	bopts.Transport = tr
	m.client, m.bus = client, bus.New(bopts)
	return nil
}

// Bus returns the shared bus made by Provision, for the kernel to install.
func (m *Module) Bus() *bus.Bus { return m.bus }

// Cleanup drains and closes the bus, waiting at most [CleanupTimeout],
// then closes the Redis client. It does nothing when the module holds
// nothing.
func (m *Module) Cleanup() error {
	b, client := m.bus, m.client
	if b == nil {
		return nil
	}
	m.bus, m.client = nil, nil
	return closeAll(b, client)
}

func closeAll(b *bus.Bus, client *redis.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), CleanupTimeout)
	defer cancel()
	return errors.Join(b.Close(ctx), client.Close())
}

// HealthChecks pings the Redis server the events go through.
func (m *Module) HealthChecks() []webos.HealthCheck {
	client := m.client
	if client == nil {
		return nil
	}
	return []webos.HealthCheck{{Name: "bus", Check: func(ctx context.Context) error {
		return client.Ping(ctx).Err()
	}}}
}
