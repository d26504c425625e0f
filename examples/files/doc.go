// Package files is the WebOS file commander: two panels side by side
// (stacked on a phone), each on any afs source the user may read, with a
// breadcrumb, sortable columns, folders first, icons by type and a live
// filter; keyboard first in the manner of Midnight Commander (arrows,
// PageUp/PageDown, Home/End, Enter, Backspace, Tab, Insert/Space, F3 view,
// F5 copy, F6 move, Shift+F6 rename, F7 new folder, F8/Delete delete),
// with a key bar along the bottom and a confirmation for every change.
//
// It is built on the afs package's public API only:
//
//   - Listing is paged on the server ([Module.List]): by name it reads
//     only the store pages it answers with, so a folder of any size opens
//     in the time of one store request; the panel loads more as it is
//     scrolled.
//   - Copy and move run as background tasks (the tasks package): progress
//     in bytes and files, cancel, a [Summary] at the end, and a conflict
//     policy (skip, overwrite, keep both); the shell's sidebar follows the
//     user's latest transfers on every page. They are recorded in an
//     owner-scoped store collection ([TransfersCollection]), so every
//     instance shows them and a restart keeps them. afs stages and verifies each
//     file, so a crash mid-way leaves no half file at the destination and
//     a move deletes its original only after the copy checked out.
//   - Uploads are resumable over tus 1.0 (creation and termination): the
//     browser sends chunks, resumes after a dropped connection or a
//     restart from what the server has, and falls back to a plain POST to
//     the afs API where a proxy refuses PATCH. A file becomes visible only
//     once every byte arrived.
//   - Previews show images, audio, video, PDFs in the browser's viewer,
//     Markdown rendered through package ui/markdown (goldmark, then
//     bluemonday: nothing in it runs) and other text as escaped text;
//     everything else downloads with afs's hardening.
//
// Other modules embed its file picker ([Module.Picker]) in their forms:
//
//	func (b *Blog) Requires() []string { return []string{files.ModuleID} }
//	func (b *Blog) Provision(ctx context.Context, app *webos.App) (err error) {
//		b.files, err = registry.Get[*files.Module](app.Registry())
//		return err
//	}
//	// in the editor page:
//	b.files.Picker(files.PickerOptions{Name: "cover", Label: "Select image", Accept: []string{"image/*"}})
//	// in the handler the form posts to:
//	urns, err := b.files.Picked(r, "cover", []string{"image/*"})
//
// The module's one permission is afs.PermRead (whoever may read files may
// open it); changes need afs.PermWrite, as in the afs API.
package files
