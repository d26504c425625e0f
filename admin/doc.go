// Package admin is the system console, mounted under /admin: users and
// roles, modules switched on and off at run time, every module's settings,
// the configuration (secrets masked) and the live log level, the log
// terminal and the audit trail.
//
// It is an ordinary module built only on the SDK's public API — auth's
// service methods, the settings module, the audit trail, the kernel's
// module list, explorer grids and the shell — which is the proof that a
// module can do everything the SDK's own modules do. One permission,
// [PermAccess], opens it, and its card, menu entries and palette commands
// inherit it; what a page changes is guarded again by the permission of
// the module that owns it (auth.users.write, auth.roles.write,
// settings.write), and auth's privilege rules hold: nobody grants a role
// with rights they do not have, and the controls that would are shown
// disabled with the reason.
//
// What it does, page by page:
//
//   - Dashboard: panels from every module implementing [PanelProvider]
//     (the console's own: health, users, recent changes).
//   - Users: an explorer grid; a user's page with roles, deactivate and
//     reactivate, a password reset that shows a one-time password once
//     and ends every session, deletion (auth.DeleteUser: sessions and
//     tokens end, owned data is kept under the user's id) behind a
//     confirmation that says so, and the "why can / can't" explainer.
//     The last active administrator is kept.
//   - Roles: the permission catalog grouped by module, create, edit and
//     delete roles.
//   - Modules: ID, version, state, health, capabilities and routes of every
//     module; switching one off stores it in the settings module, so it
//     takes effect on every instance at once without a restart. Modules
//     that others require cannot be switched off.
//   - Settings: a type-aware form per module, locked keys read-only,
//     errors next to the field, the change history from the audit trail.
//   - Configuration: every WEBOS_ variable with its source, secrets masked;
//     the log level of every instance, changed live.
//   - Logs: the shell's live log terminal (ui.Terminal), with level and
//     text filters and pause.
//   - Tasks, when the application has a task queue (package tasks):
//     queues with counts per state, tasks per queue and state with
//     paging, a task's payload, result, error, retries and live
//     progress, cancel, retry and delete behind a confirmation (each
//     announced to the audit trail by the tasks module); a clear 503
//     page while Redis cannot be reached.
//   - Audit trail: an explorer grid over package audit's trail.
//
// Compose it after the standard stack:
//
//	std, _ := stack.Standard(cfg)
//	app := webos.New(cfg, append(std.List(), admin.New())...)
package admin
