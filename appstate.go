package webos

import (
	"runtime"
	"sync"
	"weak"
)

// appState is kernel state of an [App] that lives beside the struct: the
// health cache and the last known state of each check. It is keyed by a
// weak pointer, so it goes away with its App.
type appState struct {
	health healthCache
}

var appStates sync.Map // weak.Pointer[App] → *appState

// state returns a's side state, creating it on first use.
func (a *App) state() *appState {
	k := weak.Make(a)
	if v, ok := appStates.Load(k); ok {
		return v.(*appState)
	}
	v, loaded := appStates.LoadOrStore(k, &appState{})
	if !loaded {
		runtime.AddCleanup(a, func(k weak.Pointer[App]) { appStates.Delete(k) }, k)
	}
	return v.(*appState)
}
