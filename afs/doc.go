// Package afs is the abstract file system: one set of file operations over
// named sources that live on the local disk, in S3 or in memory, addressed
// by URNs of the form fs://<source>/<path>.
//
// # Mental model
//
// An [FS] holds named sources. Each [Source] is a gocloud.dev/blob bucket:
// a folder on disk (fileblob), an S3 bucket (s3blob), memory (memblob) or
// any other gocloud driver. Which source lives where is configuration, a
// string such as
//
//	WEBOS_AFS_SOURCES="local=file:///var/lib/webos/files,s3=s3://files?endpoint=http://127.0.0.1:9000&use_path_style=true"
//
// so moving "local" from disk to S3 changes no code: fs://local/report.pdf
// stays fs://local/report.pdf. New URL schemes plug in with [Register], in
// the manner of database/sql drivers.
//
// A [URN] always holds a clean path: [Parse] and [NewURN] refuse "." and
// ".." segments, percent-encoded dots, slashes and backslashes (also
// double-encoded), NUL and control characters, backslashes, a leading
// slash, empty segments and unknown or malformed source names, each with
// a typed error ([ErrTraversal], [ErrInvalidURN], [ErrUnknownSource], ...)
// inside a [*PathError]. All of them match webos.ErrBadRequest, so the
// kernel answers 400. afs never relies on a driver's own escaping.
//
// On a disk source, afs also refuses any path that resolves through a
// symbolic link to a place outside the source's folder ([ErrOutsideRoot]):
// reads go through an os.Root, which cannot leave the folder, and writes,
// deletes and listings are checked against it first. Links that stay
// inside the folder work. Files are read straight from disk, so the HTTP
// API serves them with sendfile(2).
//
// # Operations
//
// [FS.Open] returns a seekable [File] (range reads; lazy on object stores,
// one request per range), [FS.OpenRange] a reader of a byte range.
// [FS.Save] streams from an io.Reader with a content type and metadata; a
// failed, cancelled or too-large upload stores nothing and keeps the old
// file. A save may be conditional, so that concurrent writers lose no
// update: [SaveOptions.IfMatch] replaces the file only while its ETag is
// the one the caller read ([Info.ETag], the HTTP ETag header), and
// [SaveOptions.IfNoneMatch] only creates; otherwise the error is
// [ErrPrecondition]. [FS.Stat], [FS.List] (one level with folders, or recursive; paged
// with a token), [FS.Delete] (a folder only with the Recursive flag unless
// it is empty), [FS.Mkdir], [FS.Copy] and [FS.Move] work within a source
// and across sources; cross-source transfers are streamed and verified by
// size and, where both stores know it, MD5. A move copies, verifies, and
// only then deletes the original (within one disk source it renames).
// Missing files are [ErrNotFound], which matches webos.ErrNotFound (404).
// A copy or move of a folder into itself or onto a folder that holds it
// is [ErrSameFile], with or without overwrite.
//
// # No data lost
//
// A failed operation leaves every existing file as it was. Content that
// is to replace a file is written to a staging object next to it first (a
// name beginning with [ReservedPrefix], which no URN reaches and no
// listing shows), checked, and only then put in place: a copy whose check
// fails keeps the file it was to replace, and a multipart upload of the
// HTTP API puts its files in place only after the whole body was read,
// setting aside the files it replaces until all are in place. On a disk
// source putting in place is a rename(2), or, where nothing may be
// replaced (a move or copy without overwrite, a create-only save), a
// link(2), which fails on an existing name in the same step as the check;
// on object stores it is a server-side copy.
//
// What a conditional save guarantees depends on the source. S3 checks
// both conditions itself when it commits the upload, against every
// writer. On a disk source create-only holds against every writer (one
// link(2)); If-Match is checked and the file renamed into place under a
// per-path lock, which holds against the writers of this process. Memory
// and other stores check both under that lock.
//
// Names holding the escape form "__0x<hex>__" are refused on every source
// ([ErrReservedName]): the disk and S3 drivers would store such a name
// under another one, so it would neither round-trip nor match what other
// tools see. A file another program put on disk under such a name is left
// out of listings.
//
// # Folders
//
// Folders are key prefixes on every source, object stores and disk alike:
// a folder exists while some file lies below it. [FS.Mkdir] makes a folder
// that exists while empty by writing an empty marker object named
// [FolderMarker] into it; listings hide markers, and the name is reserved,
// like every name beginning with [ReservedPrefix].
// On S3 this is what other tools see: fs://s3/a/b/c.txt is the object
// "a/b/c.txt". Names ending in ".attrs" are reserved as well (the disk
// source keeps a file's content type and metadata in <name>.attrs beside
// it). On object stores a file and a folder may share a name (a/b and
// a/b/c): Save refuses to write a file over a folder but does not check
// every ancestor for a file, which a disk source refuses by nature.
//
// # Events
//
// With an [Emitter] (a *bus.Bus) in [Options], every change emits an
// [Event] after it succeeded: afs.saved (Save, Copy, Mkdir), afs.deleted and
// afs.moved, with the URN and the acting user from identity.ID(ctx).
//
// # HTTP API
//
// [NewHandler] serves list, download (Range, ETag, a Content-Disposition
// safe for any name), upload (raw body or multipart form, streamed, with a
// size limit: 413 and nothing stored), delete, move, copy and mkdir, with
// every error as JSON. A PUT honours If-Match (the ETag a GET or HEAD
// gave, a list of them, or *) and If-None-Match: * (create only), and
// answers 412 with a JSON error when the file is not as expected, so that
// an editor saving a file it read does not overwrite someone else's
// change. Mounted by [Module] (or [Handler.Routes]) every route needs
// PermRead or PermWrite, which the application's authorizer checks; served
// on its own, a Handler asks [HandlerOptions.Authorize] and, without it,
// refuses every request ([AllowAll] opens it explicitly).
//
// # Usage
//
//	fsys, err := afs.Open(ctx, cfg.Sources.Reveal(), afs.Options{Emitter: app.Bus()})
//	if err != nil { ... }
//	defer fsys.Close()
//	u := afs.MustParse("fs://local/reports/2024.pdf")
//	info, err := fsys.Save(ctx, u, r.Body, &afs.SaveOptions{ContentType: "application/pdf"})
//	f, err := fsys.Open(ctx, u)
//	_, err = fsys.Move(ctx, u, afs.MustParse("fs://s3/archive/2024.pdf"), nil)
//
//	api := afs.NewHandler(fsys, afs.HandlerOptions{MaxUpload: cfg.MaxUpload})
//	api.Routes(router) // or api.Register(mux), or serve api itself
//
// # S3 notes
//
// s3blob cannot create buckets: create them with the AWS SDK or the
// provider's tools. Credentials come from the AWS default chain or the
// URL's user info (see [OpenSource]). S3-compatible servers usually want
// request_checksum_calculation=when_required and
// response_checksum_validation=when_required. A cancelled upload stores no
// object; a large one may leave an incomplete multipart upload, which S3
// does not list and a bucket lifecycle rule removes.
package afs
