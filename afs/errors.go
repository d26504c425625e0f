package afs

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/webos-go/webos"
)

// Errors of the afs package. Each wraps one of the kernel's error kinds, so
// that errors.Is(err, webos.ErrBadRequest) and friends hold and the kernel
// answers with the right HTTP status. Operations return them inside a
// *PathError that names the operation and the URN.
var (
	// ErrInvalidURN: the text is not of the form fs://<source>/<path>, or
	// the source name or a path segment is malformed (empty segment,
	// trailing slash, control character, over-long name, bad
	// percent-encoding).
	ErrInvalidURN = fmt.Errorf("afs: invalid URN: %w", webos.ErrBadRequest)
	// ErrTraversal: the path tries to leave its place: a "." or ".."
	// segment, a percent-encoded dot, slash or backslash, a backslash, a NUL
	// byte, or a leading slash.
	ErrTraversal = fmt.Errorf("afs: path traversal refused: %w", webos.ErrBadRequest)
	// ErrReservedName: a segment is a name afs keeps for itself or one
	// that a store would rewrite: a name beginning with [ReservedPrefix]
	// (the folder marker, staging objects), a name ending in ".attrs" (the
	// disk source stores metadata in such files), or a name holding the
	// escape form "__0x<hex>__" (the disk and S3 drivers store such a name
	// under another one, so it would not round-trip).
	ErrReservedName = fmt.Errorf("afs: reserved name: %w", webos.ErrBadRequest)
	// ErrUnknownSource: the URN names a source that is not mounted.
	ErrUnknownSource = fmt.Errorf("afs: unknown source: %w", webos.ErrBadRequest)
	// ErrOutsideRoot: on a disk source, the path resolves through a
	// symbolic link to a place outside the source's folder.
	ErrOutsideRoot = fmt.Errorf("afs: path leads outside the source's folder: %w", webos.ErrBadRequest)
	// ErrNotFound: no file or folder at the URN.
	ErrNotFound = fmt.Errorf("afs: %w", webos.ErrNotFound)
	// ErrIsFolder: the operation needs a file but the URN names a folder.
	ErrIsFolder = fmt.Errorf("afs: is a folder: %w", webos.ErrBadRequest)
	// ErrNotFolder: the operation needs a folder but the URN names a file.
	ErrNotFolder = fmt.Errorf("afs: not a folder: %w", webos.ErrBadRequest)
	// ErrRoot: the operation cannot apply to the root folder of a source
	// (saving, deleting or moving it).
	ErrRoot = fmt.Errorf("afs: not allowed on a source's root: %w", webos.ErrBadRequest)
	// ErrExists: the destination exists and overwriting was not asked for,
	// or a file stands where a folder was to be made.
	ErrExists = fmt.Errorf("afs: already exists: %w", webos.ErrConflict)
	// ErrNotEmpty: a folder with content was to be deleted without the
	// recursive flag.
	ErrNotEmpty = fmt.Errorf("afs: folder not empty: %w", webos.ErrConflict)
	// ErrSameFile: a copy or move onto itself, of a folder into itself or
	// one of its folders, or of a folder onto a folder that holds it.
	ErrSameFile = fmt.Errorf("afs: source and destination overlap: %w", webos.ErrBadRequest)
	// ErrTooLarge: the content is larger than the allowed size. Nothing
	// was stored.
	ErrTooLarge = fmt.Errorf("afs: %w", webos.ErrTooLarge)
	// ErrPrecondition: a conditional save found the file not as the
	// caller expected: it exists although [SaveOptions.IfNoneMatch] was
	// set, or its ETag is not [SaveOptions.IfMatch]. Nothing was stored.
	// The HTTP API answers 412 Precondition Failed; elsewhere it matches
	// webos.ErrConflict.
	ErrPrecondition = fmt.Errorf("afs: precondition failed: %w", webos.ErrConflict)
	// ErrVerify: a copy did not arrive intact (size or checksum differ);
	// for a move, the original is kept.
	ErrVerify = errors.New("afs: copy verification failed")
	// ErrUnavailable: the storage behind a source cannot be reached (an
	// S3 server that refuses or drops connections). Nothing can be said
	// about the file; the request may be tried again. The HTTP API
	// answers 503 with Retry-After.
	ErrUnavailable = fmt.Errorf("afs: storage unreachable: %w", webos.ErrUnavailable)
)

// PathError records an error, the operation and the URN that caused it, in
// the manner of io/fs.PathError. Its Unwrap returns Err, so errors.Is sees
// the sentinel errors above and the kernel's error kinds behind them.
type PathError struct {
	Op  string // "parse", "open", "save", "stat", "list", "delete", "copy", "move", "mkdir"
	URN string // the URN (or the raw text, for "parse")
	Err error
}

// Error returns "afs: <op> <quoted urn>: <err>".
func (e *PathError) Error() string {
	msg := e.Err.Error()
	return "afs: " + e.Op + " " + strconv.Quote(e.URN) + ": " + trimPrefix(msg)
}

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	if len(s) > 5 && s[:5] == "afs: " {
		return s[5:]
	}
	return s
}

func pathErr(op string, u URN, err error) error {
	if err == nil {
		return nil
	}
	var pe *PathError
	if errors.As(err, &pe) {
		return err
	}
	return &PathError{Op: op, URN: u.String(), Err: err}
}

// detail wraps a sentinel with more words while keeping it matchable.
func detail(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
