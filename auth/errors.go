package auth

import (
	"fmt"

	"github.com/webos-go/webos"
)

// Errors returned by the package. Each wraps one of the kernel's error
// kinds, so the kernel answers with the matching HTTP status.
var (
	// ErrUnauthenticated: the request carries no valid credentials (401).
	ErrUnauthenticated = fmt.Errorf("auth: %w: authentication required", webos.ErrUnauthorized)
	// ErrInvalidCredentials: wrong e-mail address or password — one
	// message for both, so that it does not tell which (401).
	ErrInvalidCredentials = fmt.Errorf("auth: %w: invalid email or password", webos.ErrUnauthorized)
	// ErrInvalidToken: a bearer token that is unknown, expired or revoked,
	// or whose user was deactivated (401).
	ErrInvalidToken = fmt.Errorf("auth: %w: invalid or expired token", webos.ErrUnauthorized)
	// ErrForbidden: the user lacks a permission (403).
	ErrForbidden = fmt.Errorf("auth: %w: permission denied", webos.ErrForbidden)
	// ErrCrossOrigin: a cookie-authenticated state-changing request from
	// another origin, refused as a possible CSRF attack (403).
	ErrCrossOrigin = fmt.Errorf("auth: %w: cross-origin request refused", webos.ErrForbidden)
	// ErrRegistrationClosed: self-registration is not open (403; see
	// [Config.Registration]).
	ErrRegistrationClosed = fmt.Errorf("auth: %w: registration is closed: ask an administrator for an account", webos.ErrForbidden)
	// ErrTooManyAttempts: login or registration throttled; the error is a
	// *webos.RetryAfterError that says when to retry (429).
	ErrTooManyAttempts = fmt.Errorf("auth: %w: too many attempts, try again later", webos.ErrTooManyRequests)
	// ErrEmailTaken: another user has the e-mail address (409).
	ErrEmailTaken = fmt.Errorf("auth: %w: email already registered", webos.ErrConflict)
	// ErrUserNotFound: no such user (404).
	ErrUserNotFound = fmt.Errorf("auth: user %w", webos.ErrNotFound)
	// ErrRoleNotFound: no such role (404).
	ErrRoleNotFound = fmt.Errorf("auth: role %w", webos.ErrNotFound)
	// ErrTokenNotFound: no such token of the user (404).
	ErrTokenNotFound = fmt.Errorf("auth: token %w", webos.ErrNotFound)
	// ErrNotStarted: the module is used before it started (503).
	ErrNotStarted = fmt.Errorf("auth: %w: module not started", webos.ErrUnavailable)
)
