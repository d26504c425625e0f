package webos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos/bus"
)

// Domain error kinds. Packages wrap them (store.ErrNotFound wraps ErrNotFound)
// and the kernel maps them to HTTP status codes in one place, [StatusOf].
var (
	ErrBadRequest       = errors.New("bad request")
	ErrUnauthorized     = errors.New("unauthorized")
	ErrForbidden        = errors.New("forbidden")
	ErrNotFound         = errors.New("not found")
	ErrMethodNotAllowed = errors.New("method not allowed")
	ErrConflict         = errors.New("conflict")
	ErrTooLarge         = errors.New("request body too large")
	ErrInvalid          = errors.New("validation failed")
	ErrTooManyRequests  = errors.New("too many requests")
	ErrUnavailable      = errors.New("service unavailable")
	// ErrRequestTimeout is a request the client did not send in time, such
	// as a body that arrived too slowly (408).
	ErrRequestTimeout = errors.New("request timeout")
)

// ValidationError reports invalid input field by field. It matches
// [ErrInvalid] with errors.Is and becomes a 422 response whose JSON body
// carries the fields.
type ValidationError struct {
	// Fields maps a field name (as the client spells it) to what is wrong.
	Fields map[string]string
}

// Invalid returns a *ValidationError for one field.
func Invalid(field, problem string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: problem}}
}

// Error lists the fields in a stable order.
func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return ErrInvalid.Error()
	}
	keys := sortedKeys(e.Fields)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return ErrInvalid.Error() + ": " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// RetryAfterError is an error that tells the client when to come back. The
// kernel sets the Retry-After header from it.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

// Error returns the wrapped error's text.
func (e *RetryAfterError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// StatusOf maps an error to the HTTP status code the kernel answers with.
// Unknown errors are 500.
func StatusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &mbe), errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrRequestTimeout):
		return http.StatusRequestTimeout
	case errors.Is(err, ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, ErrTooManyRequests):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrUnavailable), errors.Is(err, bus.ErrClosed), errors.Is(err, bus.ErrTransport):
		return http.StatusServiceUnavailable
	case errors.Is(err, bus.ErrInvalidTopic), errors.Is(err, bus.ErrInvalidPattern):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error   string            `json:"error"`
	Fields  map[string]string `json:"fields,omitempty"`
	TraceID string            `json:"trace_id,omitempty"`
}

// StatusClientClosedRequest is the status [WriteError] records for a
// request whose client went away before the handler answered (the
// handler's error wraps context.Canceled and the request's context has
// ended): nginx's 499, so that an access log does not count it as a server
// error.
const StatusClientClosedRequest = 499

// DefaultRetryAfter is the Retry-After of a 503 answer whose error does
// not say when to try again (a [RetryAfterError] does).
const DefaultRetryAfter = 5 * time.Second

// WriteError answers the request with err as JSON: {"error": "..."} and the
// status [StatusOf] gives, with the body [PublicError] makes of it. The
// Retry-After header comes from a [RetryAfterError] in err, and a 503
// without one gets [DefaultRetryAfter]: a backend that cannot be reached
// is worth trying again later. A server error (5xx) is logged with the
// request's trace id.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if r != nil && errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away (or the server is ending the request): no
		// one reads the answer and nothing failed on this side. The
		// access log records 499, nginx's "client closed request".
		slog.DebugContext(r.Context(), "request ended by the client", "method", r.Method, "path", r.URL.Path)
		w.WriteHeader(StatusClientClosedRequest)
		return
	}
	status, body := PublicError(w, r, err)
	var ra *RetryAfterError
	switch {
	case errors.As(err, &ra) && ra.After > 0:
		secs := int((ra.After + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	case status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "":
		w.Header().Set("Retry-After", strconv.Itoa(int(DefaultRetryAfter/time.Second)))
	}
	if status >= 500 && r != nil {
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	WriteJSON(w, status, body)
}

// PublicError returns the status and the body of the error response for
// err: what a client may see. That is the error's text for a client error
// (4xx) — unless it carries a network error, an address or a driver's
// message, when it is the status's plain description ("bad request",
// "conflict") — and only the status's description for a server error
// (5xx), whose cause goes to the log. Validation errors keep their fields.
// When the request's body could not be read (too slow: 408, cut short:
// 400), that is the error, whatever the handler made of it; w, which may
// be nil, is the response to r that tells.
func PublicError(w http.ResponseWriter, r *http.Request, err error) (int, ErrorBody) {
	if f := bodyFailureOf(w); f != nil {
		err = f
	}
	status := StatusOf(err)
	body := ErrorBody{Error: publicMessage(status, err), TraceID: traceOf(r)}
	var ve *ValidationError
	if errors.As(err, &ve) {
		body.Fields = ve.Fields
	}
	return status, body
}

// statusMessages are the plain descriptions of statuses, in the words of
// the kernel's error kinds.
var statusMessages = map[int]string{
	http.StatusBadRequest:            ErrBadRequest.Error(),
	http.StatusUnauthorized:          ErrUnauthorized.Error(),
	http.StatusForbidden:             ErrForbidden.Error(),
	http.StatusNotFound:              ErrNotFound.Error(),
	http.StatusMethodNotAllowed:      ErrMethodNotAllowed.Error(),
	http.StatusRequestTimeout:        ErrRequestTimeout.Error(),
	http.StatusConflict:              ErrConflict.Error(),
	http.StatusRequestEntityTooLarge: ErrTooLarge.Error(),
	http.StatusUnprocessableEntity:   ErrInvalid.Error(),
	http.StatusTooManyRequests:       ErrTooManyRequests.Error(),
	http.StatusInternalServerError:   "internal server error",
	http.StatusServiceUnavailable:    ErrUnavailable.Error(),
}

func statusMessage(status int) string {
	if m, ok := statusMessages[status]; ok {
		return m
	}
	return strings.ToLower(http.StatusText(status))
}

func publicMessage(status int, err error) string {
	if status >= 500 || status == http.StatusRequestEntityTooLarge {
		return statusMessage(status)
	}
	var be *bodyError
	if errors.As(err, &be) {
		return be.msg
	}
	msg := err.Error()
	if msg == "" || len(msg) > 1000 || isNetError(err) || leaksInternals(msg) {
		return statusMessage(status)
	}
	return msg
}

// internalMarkers are what the text of network, driver and runtime errors
// contains and a message meant for clients does not.
var internalMarkers = []string{
	"tcp ", "udp ", "dial ", "i/o timeout", "EOF", "connection reset", "connection refused",
	"broken pipe", "no such host", "E11000", "InternalError", "sqlite", "SQLITE", "mongo",
	"redis", "goroutine ", "runtime error", "panic",
}

// hostPort matches an IPv4 address, a bracketed IPv6 address or localhost,
// with or without a port.
var hostPort = regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}\b|\[[0-9a-fA-F:.]+\]|\blocalhost:\d+`)

func leaksInternals(msg string) bool {
	for _, m := range internalMarkers {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return hostPort.MatchString(msg)
}

func traceOf(r *http.Request) string {
	if r == nil {
		return ""
	}
	return traceID(r.Context())
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal server error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeJSON reads the request body as one JSON value into v and, when v has
// `validate` struct tags, validates it. Malformed JSON, a wrong type or
// trailing data is ErrBadRequest (400); a body over the route's limit is 413;
// a failed validation is a *ValidationError (422).
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return fmt.Errorf("%w: content type must be application/json", ErrBadRequest)
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		if err == nil {
			return fmt.Errorf("%w: body must hold a single JSON value", ErrBadRequest)
		}
		return jsonError(err)
	}
	return Validate(v)
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: empty body", ErrBadRequest)
	case errors.As(err, &se):
		return fmt.Errorf("%w: malformed JSON at offset %d", ErrBadRequest, se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("%w: field %q must be %s", ErrBadRequest, te.Field, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: malformed JSON", ErrBadRequest)
	}
	return fmt.Errorf("%w: %s", ErrBadRequest, strings.TrimPrefix(err.Error(), "json: "))
}
