package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store/internal/query"
)

// Errors returned by the package. Each wraps the kernel's error kind, so
// errors.Is(err, webos.ErrNotFound) holds for an [ErrNotFound] and the kernel
// answers with the matching HTTP status.
var (
	// ErrNotFound: no document matched (404).
	ErrNotFound = fmt.Errorf("store: %w", webos.ErrNotFound)
	// ErrConflict: a unique index already holds the value (409).
	ErrConflict = fmt.Errorf("store: %w: duplicate key", webos.ErrConflict)
	// ErrNoUser: an owner-scoped collection was used without a user in the
	// context (401).
	ErrNoUser = fmt.Errorf("store: %w: no user in context", webos.ErrUnauthorized)
	// ErrUnavailable: the database cannot be reached (503).
	ErrUnavailable = fmt.Errorf("store: %w: database unreachable", webos.ErrUnavailable)
	// ErrBadRequest: the server rejected a filter, sort or update as
	// malformed, or a change touched a field the store manages (400).
	ErrBadRequest = fmt.Errorf("store: %w", webos.ErrBadRequest)
)

// Error is an error of one store operation. It matches both its Kind (one
// of the package's sentinel errors, or nil) and the driver error Err with
// errors.Is and errors.As. Its text names the operation and the kind but not
// the server's message, which may name databases and indexes and is reached
// through Err.
type Error struct {
	Op         string // "insert", "find", ...
	Collection string
	Kind       error // ErrNotFound, ErrConflict, ErrUnavailable, ErrBadRequest or nil
	Err        error // the engine's error; nil for a plain "not found"

	// checked marks an Err of the store's own checks, whose text is safe
	// to show to a client.
	checked bool
}

// Error returns e.g. "store: insert notes: conflict: duplicate key".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("store: ")
	b.WriteString(e.Op)
	if e.Collection != "" {
		b.WriteString(" ")
		b.WriteString(e.Collection)
	}
	switch {
	case e.Kind != nil:
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "store: "))
		if e.checked && e.Err != nil {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		}
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the driver error.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Server error codes the mapping looks at.
const (
	codeInternalError = 1
	codeBadValue      = 2
	codeFailedToParse = 9
	codeTypeMismatch  = 14
)

// wrap turns a driver error of operation op on collection coll into an
// *Error of the right kind. It returns nil for nil.
func wrap(op, coll string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Op: op, Collection: coll, Kind: kindOf(err), Err: err}
}

// kindOf classifies an engine's or the driver's error.
func kindOf(err error) error {
	switch {
	case errors.Is(err, query.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, query.ErrConflict):
		return ErrConflict
	case errors.Is(err, query.ErrBadRequest):
		return ErrBadRequest
	case errors.Is(err, query.ErrUnavailable):
		return ErrUnavailable
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case isDuplicateKey(err):
		return ErrConflict
	case errors.Is(err, context.Canceled):
		// The caller went away; that is not the database's fault.
		return nil
	case errors.Is(err, mongo.ErrClientDisconnected),
		mongo.IsNetworkError(err),
		mongo.IsTimeout(err),
		errors.As(err, new(topology.ServerSelectionError)):
		return ErrUnavailable
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		switch ce.Code {
		case codeBadValue, codeFailedToParse, codeTypeMismatch:
			return ErrBadRequest
		}
	}
	return nil
}

// isDuplicateKey reports a unique-index violation in any of the forms the
// servers give: MongoDB's E11000 (also FerretDB's on insert), and FerretDB's
// InternalError on update and replace, whose text comes from its backend —
// PostgreSQL's "duplicate key value violates unique constraint" (SQLSTATE
// 23505) or SQLite's "UNIQUE constraint failed".
func isDuplicateKey(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	if !errors.As(err, &se) || !se.HasErrorCode(codeInternalError) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value violates unique constraint") ||
		strings.Contains(msg, "UNIQUE constraint failed")
}
