package ui

import (
	"fmt"
	"strings"
)

// Theme is the shell's look as design tokens: a light and a dark [Colors] set
// and the typography and sizes both share. [Theme.CSS] turns it into CSS
// custom properties (--color-bg, --font-sans, …); the shell's stylesheet and
// every component use only those, so a theme restyles everything.
type Theme struct {
	// Light and Dark are the colours of the two schemes.
	Light, Dark Colors
	// FontSans is the font stack of text, FontMono of code and logs.
	FontSans, FontMono string
	// FontSize is the root font size, e.g. "16px".
	FontSize string
	// Radius is the corner radius of cards and controls, e.g. "10px".
	Radius string
	// Space is the base spacing unit, e.g. "8px"; components use multiples.
	Space string
	// SidebarWidth is the width of the sidebar on wide screens.
	SidebarWidth string
}

// Colors is one colour scheme. Every field is a CSS colour value.
type Colors struct {
	Background   string // page background
	Surface      string // cards, header, sidebar
	SurfaceAlt   string // hover and selected backgrounds
	Text         string // body text
	Muted        string // secondary text
	Border       string // lines between things
	Accent       string // links, primary buttons, active menu entry
	AccentText   string // text on Accent
	Focus        string // keyboard focus ring
	Success      string
	Warning      string
	Danger       string
	TerminalBg   string // background of the log terminal
	TerminalText string // text of the log terminal
}

// DefaultTheme returns the built-in theme: neutral greys with a blue accent,
// the system font stack, 16px text.
func DefaultTheme() Theme {
	return Theme{
		Light: Colors{
			Background: "#f4f5f7", Surface: "#ffffff", SurfaceAlt: "#e9ecf2",
			Text: "#1b1f24", Muted: "#5b6472", Border: "#d5dae1",
			Accent: "#2f5bd3", AccentText: "#ffffff", Focus: "#f0a020",
			Success: "#1e7d45", Warning: "#9a6200", Danger: "#b3261e",
			TerminalBg: "#10141a", TerminalText: "#d7e0ea",
		},
		Dark: Colors{
			Background: "#0f1217", Surface: "#181c23", SurfaceAlt: "#232936",
			Text: "#e6e9ee", Muted: "#9aa4b2", Border: "#2c3340",
			Accent: "#7aa2ff", AccentText: "#0b1020", Focus: "#ffc24d",
			Success: "#5cc98a", Warning: "#e0b04a", Danger: "#ff8a80",
			TerminalBg: "#06080b", TerminalText: "#cfd8e3",
		},
		FontSans:     `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`,
		FontMono:     `ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace`,
		FontSize:     "16px",
		Radius:       "10px",
		Space:        "8px",
		SidebarWidth: "240px",
	}
}

// tokens lists the palette's custom properties in a fixed order.
func (p Colors) tokens() [][2]string {
	return [][2]string{
		{"--color-bg", p.Background},
		{"--color-surface", p.Surface},
		{"--color-surface-alt", p.SurfaceAlt},
		{"--color-text", p.Text},
		{"--color-muted", p.Muted},
		{"--color-border", p.Border},
		{"--color-accent", p.Accent},
		{"--color-accent-text", p.AccentText},
		{"--color-focus", p.Focus},
		{"--color-success", p.Success},
		{"--color-warning", p.Warning},
		{"--color-danger", p.Danger},
		{"--color-terminal-bg", p.TerminalBg},
		{"--color-terminal-text", p.TerminalText},
	}
}

func (t Theme) shared() [][2]string {
	return [][2]string{
		{"--font-sans", t.FontSans},
		{"--font-mono", t.FontMono},
		{"--font-size", t.FontSize},
		{"--radius", t.Radius},
		{"--space", t.Space},
		{"--sidebar-width", t.SidebarWidth},
	}
}

// Validate reports a token that is empty or could break out of its CSS
// declaration.
func (t Theme) Validate() error {
	check := func(scheme string, toks [][2]string) error {
		for _, kv := range toks {
			v := strings.TrimSpace(kv[1])
			if v == "" {
				return fmt.Errorf("ui: theme: %s%s is empty", scheme, kv[0])
			}
			if strings.ContainsAny(v, ";{}<>\\") {
				return fmt.Errorf("ui: theme: %s%s = %q: a token must not contain ; { } < > or \\", scheme, kv[0], v)
			}
		}
		return nil
	}
	if err := check("", t.shared()); err != nil {
		return err
	}
	if err := check("light ", t.Light.tokens()); err != nil {
		return err
	}
	return check("dark ", t.Dark.tokens())
}

// CSS returns the theme as a stylesheet of custom properties. The light
// palette applies by default; the dark one when the page's root element has
// data-theme="dark", or when the system prefers dark and the user has not
// chosen light (data-theme="light").
func (t Theme) CSS() string {
	var b strings.Builder
	decls := func(scheme string, toks [][2]string) {
		b.WriteString("color-scheme:")
		b.WriteString(scheme)
		b.WriteByte(';')
		for _, kv := range toks {
			b.WriteString(kv[0])
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(kv[1]))
			b.WriteByte(';')
		}
	}
	b.WriteString("/* WebOS theme tokens, generated from ui.Theme */\n:root{")
	for _, kv := range t.shared() {
		b.WriteString(kv[0])
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(kv[1]))
		b.WriteByte(';')
	}
	decls("light", t.Light.tokens())
	b.WriteString("}\n:root[data-theme=dark]{")
	decls("dark", t.Dark.tokens())
	b.WriteString("}\n@media (prefers-color-scheme: dark){:root:not([data-theme=light]){")
	decls("dark", t.Dark.tokens())
	b.WriteString("}}\n")
	return b.String()
}
