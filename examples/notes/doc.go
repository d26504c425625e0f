// Package notes is the tutorial module of docs/modules.md: a complete
// WebOS app in one file — an owner-scoped collection (each user sees only
// their notes, with no filtering code), one handler that creates a note
// from JSON or from the shell's form, one permission declared once and
// inherited by its routes, launchpad card, menu entry, dashboard widget
// and palette command, one setting an administrator can change at run
// time, and an event other modules can listen to.
//
//	GET  /notes/      the page in the shell: the form and the newest notes
//	GET  /notes/list  the newest notes as JSON: {"items": [...], "next": cursor}; ?after=cursor
//	POST /notes/      {"title": "..."} or the form title=... → 201, the note as JSON or as an HTML item
//
// Every route needs notes.use. cmd/notes is the program of the README:
// the standard stack plus this module.
package notes
