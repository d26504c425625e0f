package ui

import (
	"context"

	g "maragu.dev/gomponents"

	"github.com/webos-go/webos"
)

// Slot names of the shell layout. Widgets name the slot they go into; a
// slot shows its widgets in order of priority.
const (
	// SlotHeader is the top bar, between the brand and the search button.
	SlotHeader = "header"
	// SlotSidebar is below the menu in the sidebar.
	SlotSidebar = "sidebar"
	// SlotDashboard is the widget grid of the launchpad page.
	SlotDashboard = "dashboard"
	// SlotFooter is the bottom bar.
	SlotFooter = "footer"
)

// App is an application on the launchpad (the "start menu"): a card that
// opens the app inside the shell. Every app also gets a sidebar menu entry
// and a palette command.
//
// Who sees a contribution — app, menu entry, widget or command — is not
// written on it: the shell shows it to users who hold the module's
// [webos.ModuleInfo.Permission] and who may open the route its path leads
// to (see [webos.Router.Require]). Paths are relative to the module's URL
// prefix: "/" is the module's root, "/figures" its page /<prefix>/figures.
type App struct {
	// ID identifies the app; "" means its module's ID.
	ID string
	// Name is shown on the card, e.g. "File Commander"; "" means the
	// module's name.
	Name string
	// Description is one sentence under the name; "" means the module's.
	Description string
	// Icon is a name from the shell's icon set (see [Icon]) or one emoji;
	// "" means the module's.
	Icon string
	// Path is where the card leads, relative to the module's prefix; ""
	// means the shell's generic page for the app, /apps/{ID}.
	Path string
	// Order sorts apps and menu entries, lowest first; ties sort by name.
	Order int
}

// MenuItem is an entry of the sidebar menu that is not an app, such as a
// settings page.
type MenuItem struct {
	// Name is the entry's label.
	Name string
	// Icon is a name from the shell's icon set or one emoji.
	Icon string
	// Path is the page the entry opens, relative to the module's prefix.
	Path string
	// Order sorts the entry among apps and other entries, lowest first.
	Order int

	module string // the module that contributed the entry, set by the shell
}

// Widget is a piece of UI a module places into a slot of the layout.
type Widget struct {
	// ID names the widget in the page (data-widget), e.g. "sales-chart".
	ID string
	// Slot is one of the Slot* names, "app:ID" for the shell's generic
	// page of app ID, or a slot a page of its own renders with
	// [Module.Slot].
	Slot string
	// Priority orders the widgets of a slot, highest first; ties keep the
	// order of registration.
	Priority int
	// Render returns the widget's content for the request's context, which
	// carries the signed-in user. A widget that panics or fails to render is
	// replaced by a short notice; the page and the other widgets still show.
	Render func(ctx context.Context) g.Node
}

// Command is an entry of the command palette (Ctrl+K). Exactly one of Href
// and Post should be set: Href navigates inside the shell, Post submits a
// form POST to that URL (for actions such as signing out).
type Command struct {
	// Title is what the palette lists and matches against.
	Title string
	// Hint is a short label on the right, e.g. "Command" or a module name.
	Hint string
	// Icon is a name from the shell's icon set or one emoji.
	Icon string
	// Keywords are more words the fuzzy search matches.
	Keywords string
	// Href is the page to open, relative to the module's prefix.
	Href string
	// Post is the URL of an action to run with a form POST, relative to
	// the module's prefix.
	Post string
	// Order sorts commands when the search box is empty, lowest first.
	Order int
}

// PageAsset is a script (name ending .js) or a stylesheet (.css) of a
// module that every page of the shell loads after the shell's own.
type PageAsset struct {
	// Name is a plain file name, e.g. "vault.js"; the shell serves it,
	// hashed and cached, as <module>-<name> under [StaticPath].
	Name string
	// Body is the file's content.
	Body []byte
}

// PageAssetProvider is a module with scripts or stylesheets of its own:
// behaviour its pages need that HTML cannot express, such as copying to
// the clipboard. The shell's Content-Security-Policy allows no inline
// script and htmx runs no script in swapped content, so a module's script
// binds to data- attributes of its markup — on DOMContentLoaded and again
// on every htmx:load — instead of being part of a page. Every page loads
// every module's assets, whoever may see the module: keep them small and
// free of anything private.
type PageAssetProvider interface {
	PageAssets() []PageAsset
}

// LaunchpadProvider is a module with apps on the launchpad.
type LaunchpadProvider interface {
	LaunchpadApps() []App
}

// MenuProvider is a module with entries in the sidebar menu besides its
// apps.
type MenuProvider interface {
	MenuItems() []MenuItem
}

// WidgetProvider is a module that adds widgets to the layout's slots.
type WidgetProvider interface {
	SlotWidgets() []Widget
}

// PaletteProvider is a module that adds commands to the command palette.
type PaletteProvider interface {
	PaletteCommands() []Command
}

func init() {
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(LaunchpadProvider); ok {
			return "ui.apps"
		}
		return ""
	})
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(MenuProvider); ok {
			return "ui.menu"
		}
		return ""
	})
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(WidgetProvider); ok {
			return "ui.widgets"
		}
		return ""
	})
	webos.RegisterCapability(func(m webos.Module) string {
		if _, ok := m.(PaletteProvider); ok {
			return "ui.palette"
		}
		return ""
	})
}
