package afs

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Scheme is the scheme of afs URNs: fs://<source>/<path>.
const Scheme = "fs"

// FolderMarker is the name of the empty object that [FS.Mkdir] writes into
// a folder so that the folder exists while it holds nothing else. Listings
// hide it, and no file may take this name.
const FolderMarker = ".afs-folder"

// ReservedPrefix begins the names afs keeps for itself: the folder marker
// and the staging objects it writes before putting content in place. No
// path segment may begin with it.
const ReservedPrefix = ".afs-"

// Limits on names, chosen so that every path fits the limits of S3 (1024
// bytes per key) and of common file systems (255 bytes per name).
const (
	MaxPathLen    = 1024
	MaxNameLen    = 255
	maxSourceName = 64
)

// URN addresses a file or folder: fs://<source>/<path>, e.g.
// fs://local/reports/2024/summary.pdf. The zero URN is invalid; make URNs
// with [Parse], [NewURN] or [URN.Join], which validate them, so a URN value
// always holds a clean path. URNs are comparable and can be map keys.
//
// The path is relative to the source's root, "/"-separated, with no empty,
// "." or ".." segments, no leading or trailing slash, no backslash, NUL or
// other control character, and no reserved name. The root folder of a
// source has the empty path and is written fs://<source>/.
type URN struct {
	source string
	path   string
}

// Parse parses the text form of a URN. Percent-escapes in the path are
// decoded once (fs://local/My%20Files is "My Files"), and the decoded path
// must be clean; a path that still holds a percent-encoded dot, slash,
// backslash or NUL after decoding (double encoding) is refused. The root is
// fs://<source>/ or fs://<source>.
//
// Errors are *PathError values wrapping [ErrInvalidURN], [ErrTraversal] or
// [ErrReservedName], all of which match webos.ErrBadRequest. Parse does not
// know which sources exist; operations on an [FS] report unknown sources.
func Parse(s string) (URN, error) {
	fail := func(err error) (URN, error) { return URN{}, &PathError{Op: "parse", URN: s, Err: err} }
	rest, ok := strings.CutPrefix(s, Scheme+"://")
	if !ok {
		return fail(detail(ErrInvalidURN, "want fs://<source>/<path>"))
	}
	source, p, _ := strings.Cut(rest, "/")
	if err := validSource(source); err != nil {
		return fail(err)
	}
	if strings.HasPrefix(p, "/") {
		return fail(detail(ErrTraversal, "path starts with a slash"))
	}
	if strings.Contains(p, "%") {
		// Check the encoded form first, so that the error names the trick.
		if hasEncodedTraversal(p) {
			return fail(detail(ErrTraversal, "percent-encoded dot, slash, backslash or NUL"))
		}
		dec, err := url.PathUnescape(p)
		if err != nil {
			return fail(detail(ErrInvalidURN, "bad percent-encoding"))
		}
		p = dec
	}
	if err := validPath(p); err != nil {
		return fail(err)
	}
	return URN{source: source, path: p}, nil
}

// MustParse is like [Parse] but panics on an error. It is meant for
// constants in tests and examples.
func MustParse(s string) URN {
	u, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// NewURN returns the URN of path p in source, validating both. p is taken
// literally (no percent-decoding): it is what an HTTP router hands over
// after decoding the request path once. "" is the source's root.
func NewURN(source, p string) (URN, error) {
	u := URN{source: source, path: p}
	if err := validSource(source); err != nil {
		return URN{}, &PathError{Op: "parse", URN: u.String(), Err: err}
	}
	if err := validPath(p); err != nil {
		return URN{}, &PathError{Op: "parse", URN: u.String(), Err: err}
	}
	return u, nil
}

// String returns the text form fs://<source>/<path>. Only "%" is escaped
// (as %25), so that [Parse] gives the same URN back; spaces and non-ASCII
// letters stay as they are.
func (u URN) String() string {
	return Scheme + "://" + u.source + "/" + strings.ReplaceAll(u.path, "%", "%25")
}

// MarshalText encodes the URN as its String form.
func (u URN) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText parses the text form with [Parse].
func (u *URN) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// Source returns the source name.
func (u URN) Source() string { return u.source }

// Path returns the clean path inside the source; "" for the root.
func (u URN) Path() string { return u.path }

// IsZero reports whether u is the zero URN, which addresses nothing.
func (u URN) IsZero() bool { return u.source == "" }

// IsRoot reports whether u is the root folder of its source.
func (u URN) IsRoot() bool { return u.source != "" && u.path == "" }

// Name returns the last path segment; "" for the root.
func (u URN) Name() string { return u.path[strings.LastIndexByte(u.path, '/')+1:] }

// Parent returns the folder that holds u; the root is its own parent.
func (u URN) Parent() URN {
	i := strings.LastIndexByte(u.path, '/')
	if i < 0 {
		return URN{source: u.source}
	}
	return URN{source: u.source, path: u.path[:i]}
}

// Join returns the URN of the relative path elem inside u. elem may hold
// several "/"-separated segments; each is validated like a path.
func (u URN) Join(elem string) (URN, error) {
	if u.path == "" {
		return NewURN(u.source, elem)
	}
	return NewURN(u.source, u.path+"/"+elem)
}

// Contains reports whether v is u or lies inside the folder u.
func (u URN) Contains(v URN) bool {
	if u.source != v.source {
		return false
	}
	return u.path == "" || v.path == u.path || strings.HasPrefix(v.path, u.path+"/")
}

// key is the object key of a file.
func (u URN) key() string { return u.path }

// prefix is the key prefix of the objects inside the folder u.
func (u URN) prefix() string {
	if u.path == "" {
		return ""
	}
	return u.path + "/"
}

func validSource(s string) error {
	if s == "" {
		return detail(ErrInvalidURN, "empty source name")
	}
	if len(s) > maxSourceName {
		return detail(ErrInvalidURN, "source name longer than %d bytes", maxSourceName)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return detail(ErrInvalidURN, "source name must be lowercase letters, digits, '-' and '_'")
		}
	}
	return nil
}

// validPath checks a literal (decoded) path.
func validPath(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > MaxPathLen {
		return detail(ErrInvalidURN, "path longer than %d bytes", MaxPathLen)
	}
	if !utf8.ValidString(p) {
		return detail(ErrInvalidURN, "path is not valid UTF-8")
	}
	if p[0] == '/' {
		return detail(ErrTraversal, "path starts with a slash")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return detail(ErrTraversal, "NUL byte in path")
	}
	if strings.IndexByte(p, '\\') >= 0 {
		return detail(ErrTraversal, "backslash in path")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return detail(ErrInvalidURN, "control character in path")
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		if err := validName(seg); err != nil {
			return err
		}
	}
	return nil
}

// validName checks one path segment.
func validName(seg string) error {
	switch {
	case seg == "":
		return detail(ErrInvalidURN, "empty path segment (double or trailing slash)")
	case seg == "." || seg == "..":
		return detail(ErrTraversal, "%q segment", seg)
	case len(seg) > MaxNameLen:
		return detail(ErrInvalidURN, "name longer than %d bytes", MaxNameLen)
	case hasEncodedTraversal(seg):
		return detail(ErrTraversal, "percent-encoded dot, slash, backslash or NUL")
	case strings.HasPrefix(seg, ReservedPrefix) || strings.HasSuffix(seg, ".attrs"):
		return detail(ErrReservedName, "%q", seg)
	case hasEscapeSequence(seg):
		return detail(ErrReservedName, "%q holds the escape form __0x<hex>__, which stores rewrite", seg)
	}
	return nil
}

// hasEscapeSequence reports whether s holds "__0x<hex>__", the form in
// which the gocloud drivers (fileblob on disk, s3blob) escape characters
// of a key: they rewrite such a text when they store the key and turn it
// back into a character when they list it, so the name on disk or in the
// bucket would not be the name afs was given.
func hasEscapeSequence(s string) bool {
	for {
		i := strings.Index(s, "__0x")
		if i < 0 {
			return false
		}
		s = s[i+4:]
		end := strings.IndexByte(s, '_')
		if end >= 0 && strings.HasPrefix(s[end:], "__") {
			if _, err := strconv.ParseInt(s[:end], 16, 32); err == nil {
				return true
			}
		}
	}
}

// hasEncodedTraversal reports whether s holds %2e, %2f, %5c or %00 in any
// letter case.
func hasEncodedTraversal(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		switch strings.ToLower(s[i+1 : i+3]) {
		case "2e", "2f", "5c", "00":
			return true
		}
	}
	return false
}

// addressable reports whether an object key can be reached through afs:
// a valid path, or the folder marker inside a valid path.
func addressable(key string) bool {
	if dir, base := path.Split(key); base == FolderMarker {
		return dir == "" || validPath(strings.TrimSuffix(dir, "/")) == nil
	}
	return validPath(key) == nil
}
