package notes_test

import (
	"fmt"

	"github.com/webos-go/webos/examples/notes"
)

// The module declares its permission once; its routes, card, menu entry,
// widget and palette command inherit it.
func ExampleNew() {
	m := notes.New()
	info := m.ModuleInfo()
	fmt.Println(info.ID, info.Permission)
	fmt.Println(len(m.LaunchpadApps()), len(m.PaletteCommands()), len(m.SlotWidgets()))
	for _, f := range m.Settings().Fields() {
		fmt.Println(f.Key, f.Default)
	}
	// Output:
	// notes notes.use
	// 1 1 1
	// page_size 20
}
