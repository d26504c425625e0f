package ui

import (
	"net/http"

	g "maragu.dev/gomponents"
)

// HX returns the htmx attribute hx-name="value", e.g. HX("get", "/items")
// or HX("swap", "outerHTML").
func HX(name, value string) g.Node { return g.Attr("hx-"+name, value) }

// IsHTMX reports whether r was made by htmx (it carries "HX-Request: true").
func IsHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// MainTarget is the id of the shell's <main> element. Links inside the shell
// load pages into it.
const MainTarget = "main"

// IsFragment reports whether r asks for only the main region of a page:
// an htmx request aimed at the shell's <main> that is not restoring
// history (which needs the whole page).
func IsFragment(r *http.Request) bool {
	return IsHTMX(r) && r.Header.Get("HX-Target") == MainTarget && r.Header.Get("HX-History-Restore-Request") != "true"
}

// inShell returns the attributes that make links inside an element open
// their pages in the shell's main region (htmx boost).
func inShell() g.Node {
	return g.Group{HX("boost", "true"), HX("target", "#"+MainTarget), HX("swap", "outerHTML show:window:top")}
}

// ResetOnSuccess marks a form that htmx sends to be cleared once the
// request succeeded — what hx-on::after-request="this.reset()" would do,
// which the shell's Content-Security-Policy does not allow.
func ResetOnSuccess() g.Node { return g.Attr("data-reset-on-success", "") }
