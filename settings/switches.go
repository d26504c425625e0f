package settings

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/webos-go/webos"
)

// KeyDisabledModules is the key of the settings module's own setting that
// lists the modules switched off on every instance (see [Switches]).
const KeyDisabledModules = "disabled_modules"

// Switches are the settings module's own settings (module ID "settings"):
// the modules switched off in the whole application. Like any module's
// settings they are stored, cached, announced on the bus and resynced, so
// a switch made on one instance reaches every instance; each instance
// applies the list with [webos.App.SetModuleEnabled] — a switched-off
// module's routes answer 404 and the shell hides its card, menu entry and
// widgets — when it starts and whenever the list changes. The settings
// module itself cannot be switched off (it is the way back).
//
//	PATCH /settings/settings   {"disabled_modules": ["notes"]}
type Switches struct {
	DisabledModules []string `json:"disabled_modules" validate:"max=200,dive,required,max=100,ne=settings" desc:"Modules switched off on every instance: their routes answer 404 and the shell hides them"`
}

// switches is the part of Module that applies [Switches].
type switches struct {
	once    sync.Once
	handle  *Handle[Switches]
	mu      sync.Mutex
	applied []string // the list last applied
}

func (s *switches) declare() *Handle[Switches] {
	s.once.Do(func() { s.handle = Declare(Switches{DisabledModules: []string{}}) })
	return s.handle
}

// Settings declares [Switches].
func (m *Module) Settings() Schema { return m.switches.declare().Schema() }

// checkSwitches refuses a list of disabled modules naming a module the
// application does not have.
func (m *Module) checkSwitches(patch map[string]any) error {
	v, ok := patch[KeyDisabledModules]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil // the schema's type check names it
	}
	for _, x := range list {
		id, ok := x.(string)
		if !ok {
			return nil
		}
		if _, known := m.app.Module(id); !known {
			return webos.Invalid(KeyDisabledModules, fmt.Sprintf("no module %q in this application", id))
		}
	}
	return nil
}

// applySwitches switches modules off and on as the cached [Switches] say:
// the modules newly listed off, those no longer listed on. A module the
// list never named keeps whatever state the application gave it.
func (m *Module) applySwitches(e *entry) {
	var sw Switches
	if err := json.Unmarshal(*e.json.Load(), &sw); err != nil {
		return
	}
	s := &m.switches
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.applied {
		if !slices.Contains(sw.DisabledModules, id) {
			_ = m.app.SetModuleEnabled(id, true)
		}
	}
	for _, id := range sw.DisabledModules {
		if id != ModuleID {
			_ = m.app.SetModuleEnabled(id, false) // an unknown ID is no module to switch
		}
	}
	s.applied = slices.Clone(sw.DisabledModules)
}
