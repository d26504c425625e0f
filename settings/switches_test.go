package settings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/bus"
	"github.com/webos-go/webos/settings"
)

// TestModuleSwitchesReachEveryInstance: a module switched off on one
// instance is off on another sharing the database and the bus, and comes
// back on both; the switch survives a restart; unknown modules and the
// settings module itself are refused.
func TestModuleSwitchesReachEveryInstance(t *testing.T) {
	hub := bus.NewHub()
	dir := t.TempDir()
	a := start(t, "", "", options{hub: hub, dir: dir})
	b := start(t, "", "", options{hub: hub, dir: dir})
	waitEnabled := func(in *instance, want bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for in.app.ModuleEnabled("blog") != want {
			if time.Now().After(deadline) {
				t.Fatalf("blog enabled = %v, want %v", !want, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	ctx := context.Background()
	if err := a.set.Set(ctx, settings.ModuleID, map[string]any{settings.KeyDisabledModules: []any{"blog"}}); err != nil {
		t.Fatal(err)
	}
	if a.app.ModuleEnabled("blog") {
		t.Fatal("the instance that made the switch still runs the module")
	}
	waitEnabled(b, false)

	c := start(t, "", "", options{hub: hub, dir: dir}) // starts with the stored switch
	if c.app.ModuleEnabled("blog") {
		t.Fatal("a new instance ignores the stored switch")
	}

	if err := b.set.Set(ctx, settings.ModuleID, map[string]any{settings.KeyDisabledModules: []any{}}); err != nil {
		t.Fatal(err)
	}
	waitEnabled(a, true)
	waitEnabled(c, true)

	for _, bad := range [][]any{{"nosuch"}, {"settings"}, {""}} {
		err := a.set.Set(ctx, settings.ModuleID, map[string]any{settings.KeyDisabledModules: bad})
		var ve *webos.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("switching off %q: %v, want a validation error", bad, err)
		}
	}
	if !a.app.ModuleEnabled("blog") || !a.app.ModuleEnabled(settings.ModuleID) {
		t.Fatal("a refused switch changed something")
	}
}
