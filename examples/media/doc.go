// Package media is the WebOS media library (a small DAM): each user's
// photos, videos, PDFs and other files as assets over afs, deduplicated
// by content, with fixed-size thumbnails made ahead of time by background
// tasks, a "photos"-style gallery, and an asset picker other apps put in
// their forms.
//
// It is an example app, not an SDK package: it is an application
// assembled from the SDK's public API (store, afs, tasks, ui, auth) and it
// builds on another app, the files app, whose resumable uploads it takes
// files through — an SDK package may not import an example. Apps that want
// a library compose it like any module; the blog's editor offers its
// picker when it is there.
//
// # Assets
//
// An [Asset] is owner-scoped (store.Owned): a user sees only their own,
// whatever the request says. It records the original's afs URN, the name
// it came with, the MIME type sniffed from the content (never from the
// extension: a name that claims an image but holds something else is
// refused, so a renamed executable never becomes a photo), size, SHA-256,
// pixels, the EXIF fields taken-at, camera make and model, orientation and
// GPS (read by a small parser in this package; see [ReadEXIF]), and the
// user's title, description, tags and albums. One content is one asset per
// user: [Module.Ingest] hashes the upload before it stores it and returns
// the existing asset for content already there (a unique index on owner
// and hash settles two uploads racing).
//
// # Ingestion
//
// The browser uploads through the files app's tus endpoint into a fresh
// folder of the user's (POST /media/api/uploads), resumable for large
// files, then asks the library to take the file in (POST
// /media/api/ingest). POST /media/api/import adds every file below an afs
// folder as a background task.
//
// # Thumbnails
//
// Images get the sizes of the [Ladder] — 256 px and 1280 px along the
// longer side, never enlarged, orientation applied, transparency on
// white, no metadata copied — made once by the media.thumbnail task and
// stored beside the original; no other size is ever made, and asking for
// one is 400. Derivatives are JPEG at quality 80, encoded by the standard
// library: golang.org/x/image decodes WebP but there is no pure-Go WebP
// encoder, and a cgo or external encoder (libwebp, libvips) would give up
// the single static binary; JPEG costs ~25–35 % more bytes than WebP at
// these sizes and every browser shows it. Decoders: JPEG, PNG, GIF (standard
// library), WebP, BMP, TIFF (x/image). A large image is first averaged
// over k×k blocks to under twice the largest size, then scaled with
// x/image/draw (ApproxBiLinear for that last factor below two, CatmullRom
// for the smaller sizes): x/image's filtering scalers keep a float64
// buffer of destination width × source height, 120 MiB for a 12-megapixel
// photo, which the block average avoids.
//
// The EXIF parser is this package's own (ReadEXIF, some 250 lines, bounds
// checked, never panicking on a cut or malformed block): the EXIF library
// the module proxy offers, dsoprea/go-exif/v3, pulls in dependencies that
// it does not serve.
//
// Decoding is bounded twice, whatever is queued: the image's header is
// read first (image.DecodeConfig) and an image of more than
// Config.MaxPixels, or one whose decode would need more than the whole
// memory budget, is quarantined without decoding a pixel (decompression
// bombs); then each decode takes width×height×4 bytes from a budget of
// Config.BudgetMB (a weighted semaphore) and one of Config.Concurrency
// slots until its derivatives are encoded. The thumbnail tasks have a
// queue of their own (media.thumbnail) served in each worker process by
// Config.Concurrency workers of their own (tasks.Workers): the waiting
// ones hold no worker, and a large import never takes the workers of the
// other apps' tasks. A failing image is tried
// Config.MaxAttempts times and then quarantined with the reason: it is
// never queued again by itself. "Regenerate missing" (POST
// /media/api/regenerate, media.admin) walks the pending assets in one task,
// one at a time, through the same budget.
//
// # Gallery and picker
//
// GET /media/ is the grid: 256 px thumbnails loaded lazily, grouped by
// month, the next page fetched with a keyset cursor as it scrolls into
// view; search by title, tag or name and filters by type, date range,
// album and camera; multi-select to tag, file into an album or delete.
// Tiles whose thumbnails are being made refresh themselves until they are
// there. Deleting an asset that another module shows (see [Referrer]; the
// blog is one) answers 409 naming where, and deletes only when confirmed.
//
// [Module.Picker] is the asset picker: a dialog with search, a type
// filter and upload-then-pick, which hands back [Ref]s with the URL and
// afs URN of each ladder size. [Module.Search] searches a user's assets
// from Go, for the command palette.
//
//	mm, _ := registry.Get[*media.Module](app.Registry())
//	mm.Picker(media.PickerOptions{Name: "asset", Kinds: []string{media.KindImage}, InsertMarkdown: "#body"})
//	refs, err := mm.Picked(r, "asset", []string{media.KindImage})
//
// Every route needs [PermUse]; uploading also needs afs.PermWrite, as in
// the files app.
package media
