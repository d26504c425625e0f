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
// file. [FS.Stat], [FS.List] (one level with folders, or recursive; paged
// with a token), [FS.Delete] (a folder only with the Recursive flag unless
// it is empty), [FS.Mkdir], [FS.Copy] and [FS.Move] work within a source
// and across sources; cross-source transfers are streamed and verified by
// size and, where both stores know it, MD5. A move copies, verifies, and
// only then deletes the original (within one disk source it renames).
// Missing files are [ErrNotFound], which matches webos.ErrNotFound (404).
//
// # Folders
//
// Folders are key prefixes on every source, object stores and disk alike:
// a folder exists while some file lies below it. [FS.Mkdir] makes a folder
// that exists while empty by writing an empty marker object named
// [FolderMarker] into it; listings hide markers, and the name is reserved.
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
// every error as JSON. Permission checks plug in through
// [HandlerOptions.Authorize] or [HandlerOptions.Require].
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
