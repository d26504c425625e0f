package afs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	gcaws "gocloud.dev/aws"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/blob/s3blob"
)

// Source is one storage area that an [FS] mounts under a name: a bucket,
// and, for a folder on the local disk, that folder. Make one with
// [OpenSource] from a URL, [OpenDir] for a local folder, or [NewSource] for
// any *blob.Bucket.
//
// A disk source (from OpenDir or a file:// URL) is more than its bucket:
// afs refuses paths that resolve through a symbolic link to a place outside
// the folder, and reads files straight from disk, so that downloads can use
// the kernel's zero-copy path. A fileblob bucket wrapped with NewSource gets
// neither; use OpenDir for disk folders.
type Source struct {
	bucket *blob.Bucket
	dir    string
	root   *os.Root
	// renameMu serialises no-replace renames on a disk without hard links.
	renameMu sync.Mutex
}

// NewSource returns a source over b. Closing the source closes b.
func NewSource(b *blob.Bucket) *Source { return &Source{bucket: b} }

// OpenDir returns a disk source over the folder dir, creating it when it
// does not exist. Files are written to a temporary file and renamed into
// place; when the system's temporary folder is on another file system, the
// temporary files go next to their destination instead.
func OpenDir(dir string) (*Source, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("afs: disk source %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil { // #nosec G703 -- dir is the folder the application configures, not a request path: creating it is what OpenDir is for
		return nil, fmt.Errorf("afs: disk source: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("afs: disk source: %w", err)
	}
	b, err := fileblob.OpenBucket(abs, &fileblob.Options{NoTempDir: !renamesFromTempDir(root)})
	if err != nil {
		_ = root.Close()
		return nil, fmt.Errorf("afs: disk source: %w", err)
	}
	return &Source{bucket: b, dir: abs, root: root}, nil
}

// renamesFromTempDir reports whether a file made in os.TempDir can be
// renamed into root, that is, whether both lie on one file system.
func renamesFromTempDir(root *os.Root) bool {
	f, err := os.CreateTemp("", "afs-probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	_ = f.Close()
	defer os.Remove(name)
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	dst := filepath.Join(root.Name(), ".afs-probe-"+hex.EncodeToString(rnd[:]))
	if err := os.Rename(name, dst); err != nil { // #nosec G703 -- both names are made here: a temporary file and a random probe name in the source's own folder
		return false
	}
	_ = os.Remove(dst) // #nosec G703 -- the random probe name made above in the source's own folder
	return true
}

// Bucket returns the source's bucket.
func (s *Source) Bucket() *blob.Bucket { return s.bucket }

// Dir returns the local folder of a disk source, "" for other sources.
func (s *Source) Dir() string { return s.dir }

// Close closes the bucket (and the folder of a disk source).
func (s *Source) Close() error {
	err := s.bucket.Close()
	if s.root != nil {
		err = errors.Join(err, s.root.Close())
	}
	return err
}

// guard refuses, on a disk source, a key that resolves through a symbolic
// link to a place outside the folder. A key that does not exist (yet) is
// fine as long as its existing ancestors stay inside. Other sources have
// no links to follow.
func (s *Source) guard(key string) error {
	if s.root == nil || key == "" {
		return nil
	}
	_, err := s.root.Stat(key)
	return rootErr(err, true)
}

// rootErr classifies an error from s.root. With missingOK, a path that
// does not exist is no error.
func rootErr(err error, missingOK bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		if missingOK {
			return nil
		}
		return ErrNotFound
	case errors.Is(err, syscall.ELOOP) || strings.Contains(err.Error(), "escapes from parent"):
		// os.Root's words for a link that leads out of it.
		return detail(ErrOutsideRoot, "%v", unwrapPathErr(err))
	}
	return mapErr(err)
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// An Opener opens a source from a URL whose scheme it was registered for
// with [Register], in the manner of database/sql drivers and gocloud URL
// openers.
type Opener interface {
	OpenSource(ctx context.Context, u *url.URL) (*Source, error)
}

// OpenerFunc adapts a function to an [Opener].
type OpenerFunc func(ctx context.Context, u *url.URL) (*Source, error)

// OpenSource calls f.
func (f OpenerFunc) OpenSource(ctx context.Context, u *url.URL) (*Source, error) { return f(ctx, u) }

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// Register makes an opener available for URLs with the given scheme. It
// panics when scheme is empty, o is nil, or the scheme is taken: that is a
// programming error, found at init time. The schemes "file", "mem" and "s3"
// are registered by this package.
func Register(scheme string, o Opener) {
	if scheme == "" || o == nil {
		panic("afs: Register with an empty scheme or a nil opener")
	}
	openersMu.Lock()
	defer openersMu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic("afs: Register called twice for scheme " + scheme)
	}
	openers[scheme] = o
}

// Schemes returns the registered URL schemes, sorted.
func Schemes() []string {
	openersMu.RLock()
	defer openersMu.RUnlock()
	s := make([]string, 0, len(openers))
	for k := range openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

func init() {
	Register("file", OpenerFunc(openFile))
	Register("mem", OpenerFunc(openMem))
	Register("s3", OpenerFunc(openS3))
}

// OpenSource opens a source from a URL:
//
//   - file:///var/lib/webos/files — a folder on the local disk, made when
//     missing (see [OpenDir]); file://./data/files is relative to the
//     working directory. The query parameter no_tmp_dir=true writes
//     temporary files next to their destination.
//   - mem:// — an empty in-memory bucket, for tests and demos.
//   - s3://bucket?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1
//     — an S3 bucket, with the query parameters of gocloud's s3blob.
//     Credentials come from the AWS default chain (AWS_ACCESS_KEY_ID and
//     AWS_SECRET_ACCESS_KEY, shared config files, roles) or from the URL's
//     user info, s3://ACCESS_KEY:SECRET@bucket?..., percent-encoded. Many
//     S3-compatible servers want request_checksum_calculation=when_required
//     and response_checksum_validation=when_required.
//
// Other schemes are looked up among the openers given to [Register], then
// among the gocloud drivers linked into the program (for example gs:// when
// gocloud.dev/blob/gcsblob is imported). Errors never show the URL's
// password.
func OpenSource(ctx context.Context, rawURL string) (*Source, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("afs: source URL: %w", redactURLError(err))
	}
	openersMu.RLock()
	o, ok := openers[u.Scheme]
	openersMu.RUnlock()
	if ok {
		s, err := o.OpenSource(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("afs: open %s: %w", u.Redacted(), err)
		}
		return s, nil
	}
	if blob.DefaultURLMux().ValidBucketScheme(u.Scheme) {
		b, err := blob.DefaultURLMux().OpenBucketURL(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("afs: open %s: %w", u.Redacted(), err)
		}
		return NewSource(b), nil
	}
	return nil, fmt.Errorf("afs: open %s: no opener for scheme %q", u.Redacted(), u.Scheme)
}

func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New("malformed URL: " + unwrapURLErr(ue))
	}
	return err
}

func unwrapURLErr(ue *url.Error) string {
	// url.Error quotes the whole input, which may hold a password.
	return ue.Err.Error()
}

func openFile(_ context.Context, u *url.URL) (*Source, error) {
	p := u.Path
	switch {
	case u.Opaque != "":
		p = u.Opaque // file:relative/path
	case u.Host == ".":
		p = strings.TrimPrefix(p, "/") // file://./relative/path
	case u.Host != "" && u.Host != "localhost":
		return nil, errors.New("file URL must name a local path: file:///abs/path or file://./rel/path")
	}
	if p == "" {
		return nil, errors.New("file URL without a path")
	}
	q := u.Query()
	noTmp := false
	for k, v := range q {
		switch k {
		case "no_tmp_dir":
			b, err := strconv.ParseBool(v[0])
			if err != nil {
				return nil, fmt.Errorf("invalid value for no_tmp_dir: %w", err)
			}
			noTmp = b
		default:
			return nil, fmt.Errorf("unknown query parameter %q", k)
		}
	}
	s, err := OpenDir(filepath.FromSlash(p))
	if err != nil || !noTmp {
		return s, err
	}
	_ = s.bucket.Close()
	s.bucket, err = fileblob.OpenBucket(s.dir, &fileblob.Options{NoTempDir: true})
	if err != nil {
		_ = s.root.Close()
		return nil, err
	}
	return s, nil
}

func openMem(_ context.Context, u *url.URL) (*Source, error) {
	if u.Host != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, errors.New("mem URL takes no host, path or parameters (write mem://)")
	}
	return NewSource(memblob.OpenBucket(nil)), nil
}

func openS3(ctx context.Context, u *url.URL) (*Source, error) {
	if u.Host == "" {
		return nil, errors.New("s3 URL without a bucket (write s3://bucket?...)")
	}
	if u.User == nil {
		b, err := (&s3blob.URLOpener{}).OpenBucketURL(ctx, u)
		if err != nil {
			return nil, errors.New(strings.ReplaceAll(err.Error(), u.String(), u.Redacted()))
		}
		return NewSource(b), nil
	}
	// Static credentials from the URL: build the client ourselves, with the
	// same parameters s3blob understands.
	key := u.User.Username()
	secret, _ := u.User.Password()
	if key == "" || secret == "" {
		return nil, errors.New("s3 URL credentials must be ACCESS_KEY:SECRET")
	}
	q := u.Query()
	var opts []func(*s3.Options)
	for _, name := range []string{"use_path_style", "s3ForcePathStyle", "disable_https"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		q.Del(name)
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("invalid value for %q: %w", name, err)
		}
		if name == "disable_https" {
			opts = append(opts, func(o *s3.Options) { o.EndpointOptions.DisableHTTPS = on })
		} else {
			opts = append(opts, func(o *s3.Options) { o.UsePathStyle = on })
		}
	}
	cfg, err := gcaws.V2ConfigFromURLParams(ctx, q)
	if err != nil {
		return nil, err
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	client := s3.NewFromConfig(cfg, opts...)
	b, err := s3blob.OpenBucket(ctx, client, u.Host, &s3blob.Options{RequestChecksumCalculation: cfg.RequestChecksumCalculation})
	if err != nil {
		return nil, err
	}
	return NewSource(b), nil
}

// SourceSpec is one entry of a sources configuration: a name and the URL
// to open.
type SourceSpec struct {
	Name string
	URL  string
}

// String returns "name=url" with any password in the URL hidden.
func (s SourceSpec) String() string {
	if u, err := url.Parse(s.URL); err == nil {
		return s.Name + "=" + u.Redacted()
	}
	return s.Name + "=[unparsable URL]"
}

var specStart = regexp.MustCompile(`^\s*[a-z0-9][a-z0-9_-]*\s*=`)

// ParseSources parses a sources configuration such as the value of
// WEBOS_AFS_SOURCES:
//
//	local=file:///var/lib/webos/files,s3=s3://files?endpoint=http://127.0.0.1:9000&use_path_style=true
//
// Entries are name=URL, separated by commas; a comma that is not followed
// by a name and "=" belongs to the URL before it. Names follow the rules of
// URN source names; a name given twice is an error. Blank entries are
// ignored.
func ParseSources(spec string) ([]SourceSpec, error) {
	var parts []string
	for piece := range strings.SplitSeq(spec, ",") {
		if len(parts) > 0 && !specStart.MatchString(piece) && strings.TrimSpace(piece) != "" {
			parts[len(parts)-1] += "," + piece
			continue
		}
		parts = append(parts, piece)
	}
	var specs []SourceSpec
	seen := map[string]bool{}
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		name, raw, ok := strings.Cut(p, "=")
		name, raw = strings.TrimSpace(name), strings.TrimSpace(raw)
		if !ok || raw == "" {
			return nil, fmt.Errorf("afs: sources: entry %q: want name=URL", redactEntry(p))
		}
		if err := validSource(name); err != nil {
			return nil, fmt.Errorf("afs: sources: %q: %w", name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("afs: sources: %q given twice", name)
		}
		seen[name] = true
		specs = append(specs, SourceSpec{Name: name, URL: raw})
	}
	return specs, nil
}

func redactEntry(p string) string {
	if i := strings.Index(p, "@"); i >= 0 {
		return "[redacted]" + p[i:]
	}
	return p
}
