package vault

import (
	_ "embed"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/ui"
)

//go:embed static/vault.js
var vaultJS []byte

//go:embed static/vault.css
var vaultCSS []byte

// Routes mounts the pages and the JSON API under /vault. Every route needs
// PermUse (the module's permission); GET /api/keys needs PermRotate too.
//
//	GET    /vault/api/entries                  a page of entries (?q= &folder= &tag= &favorites= &after= &limit=)
//	POST   /vault/api/entries                  a new entry (JSON or form) → 201
//	GET    /vault/api/entries/{id}             an entry, secrets sealed
//	PUT    /vault/api/entries/{id}             change it (secrets left out stay)
//	DELETE /vault/api/entries/{id}             → 204
//	GET    /vault/api/entries/{id}/secrets/{f} {"field","value"}: reveal password, notes, totp or field:<name>
//	GET    /vault/api/entries/{id}/totp        {"code","remaining","period"}
//	GET    /vault/api/entries/{id}/breach      {"breached","count"} (404 with the check off)
//	GET    /vault/api/count | folders | health | generate?length=&lower=&…&mode=words&words=
//	POST   /vault/api/import                   a Bitwarden or KeePass CSV (text/csv or multipart "file")
//	POST   /vault/api/export                   confirm=true → the vault as CSV, streamed
//	GET    /vault/api/keys                     data keys by master key (PermRotate)
//	GET    /vault/keys, POST /vault/keys/rotate the administrators' page and the rotation task (PermRotate)
//	GET    /vault/api/lock                     {"protected","locked","idle_seconds"}
//	POST   /vault/api/lock | unlock            lock; unlock with {"passphrase"} → 204
//	PUT    /vault/api/passphrase               {"current","new"} sets or changes it; {"current","remove":true} removes it
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	m.apiRoutes(r)
	m.pageRoutes(r)
	m.keyRoutes(r)
	m.lockRoutes(r)
}

// LaunchpadApps puts the vault on the launchpad and in the menu.
func (m *Module) LaunchpadApps() []ui.App { return []ui.App{{Path: "/", Order: 6}} }

// MenuItems adds the generator and the health report to the menu, and the
// master keys' page for those who may rotate them.
func (m *Module) MenuItems() []ui.MenuItem {
	return []ui.MenuItem{
		{Name: "Password generator", Icon: "key", Path: "/generator", Order: 7},
		{Name: "Password health", Icon: "shield", Path: "/health", Order: 8},
		{Name: "Vault keys", Icon: "key", Path: "/keys", Order: 90}, // administrators (PermRotate) only
	}
}

// PaletteCommands are the vault's actions; entries are never listed in
// the palette.
func (m *Module) PaletteCommands() []ui.Command {
	return []ui.Command{
		{Title: "New vault entry", Icon: "lock", Keywords: "password login add", Href: "/new"},
		{Title: "Generate a password", Icon: "key", Keywords: "passphrase random", Href: "/generator"},
		{Title: "Password health", Icon: "shield", Keywords: "weak reused old breach", Href: "/health"},
		{Title: "Import or export passwords", Icon: "file", Keywords: "bitwarden keepass csv", Href: "/transfer"},
	}
}

// PageAssets are the script that reveals, hides, copies and counts down,
// and its styles.
func (m *Module) PageAssets() []ui.PageAsset {
	return []ui.PageAsset{{Name: "vault.js", Body: vaultJS}, {Name: "vault.css", Body: vaultCSS}}
}
