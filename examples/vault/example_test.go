package vault_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/webos-go/webos/examples/vault"
)

// The module declares its permission once; the generator and the TOTP
// codes are plain functions too.
func Example() {
	m := vault.New(vault.Config{})
	info := m.ModuleInfo()
	fmt.Println(info.ID, info.Permission, len(m.PaletteCommands()), "palette commands")

	// RFC 6238's SHA-1 test secret, 59 seconds after the epoch.
	k, _ := vault.ParseTOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	code, left := k.Code(time.Unix(59, 0))
	fmt.Println(code, left)

	g, _ := vault.Generate(vault.GenerateOptions{Words: 6, Separator: " "})
	fmt.Printf("%d words, %.1f bits\n", len(strings.Fields(g.Password)), g.Entropy)
	// Output:
	// vault vault.use 4 palette commands
	// 287082 1s
	// 6 words, 77.5 bits
}
