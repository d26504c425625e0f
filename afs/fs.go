package afs

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
	"golang.org/x/sync/errgroup"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/identity"
)

// Bus topics of the events an [FS] emits after each change.
const (
	TopicSaved   = "afs.saved"   // a file was written (Save, Copy) or a folder made (Mkdir, Copy)
	TopicDeleted = "afs.deleted" // a file or folder was deleted
	TopicMoved   = "afs.moved"   // a file or folder was moved; From is where it was
)

// Event is the payload of the afs bus events.
type Event struct {
	URN    URN    `json:"urn"`
	From   URN    `json:"from,omitzero"`
	Folder bool   `json:"folder,omitempty"`
	Size   int64  `json:"size,omitempty"`
	User   string `json:"user,omitempty"`
}

// Emitter publishes events. *bus.Bus satisfies it.
type Emitter interface {
	Emit(ctx context.Context, topic string, payload any) error
}

// Test hooks (see export_test.go); nil outside tests.
var (
	hookBeforePlace func(key string) // just before a file is put in place on disk
	hookWritten     func(key string) // after a copy is written, before it is verified
	hookInGroup     func(key string) // in each worker of a folder copy or delete
)

// Config is the afs part of the application's configuration, read from
// the environment by the kernel's config loader (WEBOS_AFS_SOURCES,
// WEBOS_AFS_MAX_UPLOAD).
type Config struct {
	// Sources names the sources and where they live; see [ParseSources]
	// and [OpenSource]. URLs may hold credentials, hence a Secret.
	Sources webos.Secret `env:"AFS_SOURCES" envDefault:"local=file://./data/files"`
	// MaxUpload is the largest upload the HTTP API accepts, in bytes.
	MaxUpload int64 `env:"AFS_MAX_UPLOAD" envDefault:"1073741824" validate:"gt=0"`
}

// Options configures an [FS].
type Options struct {
	// Emitter receives afs.saved, afs.deleted and afs.moved events. nil
	// means no events.
	Emitter Emitter
	// Logger reports events that could not be emitted; nil means
	// slog.Default().
	Logger *slog.Logger
}

// FS is the file system over all mounted sources. Its methods are safe for
// concurrent use. Every operation takes a context first: it carries the
// acting user (named in events) and cancels the work.
type FS struct {
	mu      sync.RWMutex
	sources map[string]*Source
	emitter Emitter
	log     *slog.Logger
	locks   pathLocks // conditional saves
}

// New returns an FS without sources; add them with [FS.Mount].
func New(opts Options) *FS {
	l := opts.Logger
	if l == nil {
		l = slog.Default()
	}
	return &FS{sources: map[string]*Source{}, emitter: opts.Emitter, log: l}
}

// Open returns an FS with the sources of spec (see [ParseSources]) opened
// and mounted. On error, the sources opened so far are closed again.
func Open(ctx context.Context, spec string, opts Options) (*FS, error) {
	specs, err := ParseSources(spec)
	if err != nil {
		return nil, err
	}
	f := New(opts)
	for _, s := range specs {
		src, err := OpenSource(ctx, s.URL)
		if err == nil {
			err = f.Mount(s.Name, src)
			if err != nil {
				_ = src.Close()
			}
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("afs: source %q: %w", s.Name, err)
		}
	}
	return f, nil
}

// Mount makes s available under name; the FS now owns s and closes it in
// [FS.Close]. A name that is taken is an error.
func (f *FS) Mount(name string, s *Source) error {
	if err := validSource(name); err != nil {
		return err
	}
	if s == nil || s.bucket == nil {
		return errors.New("afs: Mount of a nil source")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.sources[name]; ok {
		return fmt.Errorf("afs: source %q is already mounted", name)
	}
	f.sources[name] = s
	return nil
}

// Sources returns the names of the mounted sources, sorted.
func (f *FS) Sources() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	names := make([]string, 0, len(f.sources))
	for n := range f.sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Source returns the source mounted under name.
func (f *FS) Source(name string) (*Source, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.sources[name]
	return s, ok
}

// Close closes every source.
func (f *FS) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for name, s := range f.sources {
		if err := s.Close(); err != nil {
			errs = append(errs, fmt.Errorf("afs: close %q: %w", name, err))
		}
		delete(f.sources, name)
	}
	return errors.Join(errs...)
}

// source returns the source of u after checking u's path on it.
func (f *FS) source(u URN) (*Source, error) {
	if u.IsZero() {
		return nil, detail(ErrInvalidURN, "zero URN")
	}
	f.mu.RLock()
	s, ok := f.sources[u.source]
	f.mu.RUnlock()
	if !ok {
		return nil, detail(ErrUnknownSource, "%q", u.source)
	}
	if err := s.guard(u.path); err != nil {
		return nil, err
	}
	return s, nil
}

// Info describes a file or folder.
type Info struct {
	URN    URN    `json:"urn"`
	Name   string `json:"name"`
	Folder bool   `json:"folder,omitempty"`
	// Size is the file's size in bytes; 0 for folders.
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time,omitzero"`
	// ContentType, ETag and Metadata are known from Stat and Open; listings
	// leave them empty.
	ContentType string `json:"content_type,omitempty"`
	// ETag identifies this version of the content, quoted as in HTTP: the
	// HTTP API sends it as the ETag header and compares it with If-Match
	// (see [SaveOptions.IfMatch]). On a disk source it derives from the
	// file's modification time and size, on S3 it is the object's ETag.
	ETag string `json:"etag,omitempty"`
	// MD5 is the content's MD5 sum when the store knows it (not for S3
	// objects uploaded in parts).
	MD5 []byte `json:"-"`
	// Metadata holds the key/value pairs given to Save; keys are lower case.
	Metadata map[string]string `json:"metadata,omitempty"`
}

func fileInfo(u URN, a *blob.Attributes) Info {
	return Info{
		URN: u, Name: u.Name(), Size: a.Size, ModTime: a.ModTime, ContentType: a.ContentType,
		ETag: quoteETag(a.ETag), MD5: a.MD5, Metadata: a.Metadata,
	}
}

func folderInfo(u URN) Info { return Info{URN: u, Name: u.Name(), Folder: true} }

// mapErr turns driver errors into afs errors.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case gcerrors.Code(err) == gcerrors.NotFound, errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENOTDIR):
		return ErrNotFound
	case errors.Is(err, syscall.EISDIR):
		return ErrIsFolder
	case gcerrors.Code(err) == gcerrors.FailedPrecondition:
		return ErrExists
	case unreachable(err):
		return &unreachableError{cause: err}
	}
	return err
}

// unreachable reports whether err says the storage's server could not be
// reached or dropped the connection, rather than refused the operation.
func unreachable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

// unreachableError is [ErrUnavailable] with its cause, which names
// internal addresses: logged, never shown to clients (the kernel answers
// a 5xx with its status's text only).
type unreachableError struct{ cause error }

func (e *unreachableError) Error() string { return ErrUnavailable.Error() + ": " + e.cause.Error() }

func (e *unreachableError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

// Stat describes the file or folder at u. A folder exists while it holds
// a file or a folder marker (see [FS.Mkdir]); the root of a source always
// exists.
func (f *FS) Stat(ctx context.Context, u URN) (Info, error) {
	s, err := f.source(u)
	if err != nil {
		return Info{}, pathErr("stat", u, err)
	}
	info, err := f.stat(ctx, s, u)
	return info, pathErr("stat", u, err)
}

func (f *FS) stat(ctx context.Context, s *Source, u URN) (Info, error) {
	if u.IsRoot() {
		return folderInfo(u), nil
	}
	a, err := s.bucket.Attributes(ctx, u.key())
	if err == nil {
		return fileInfo(u, a), nil
	}
	if err = mapErr(err); !errors.Is(err, ErrNotFound) {
		return Info{}, err
	}
	ok, err := s.hasPrefix(ctx, u.prefix())
	if err != nil {
		return Info{}, err
	}
	if ok {
		return folderInfo(u), nil
	}
	return Info{}, ErrNotFound
}

// hasPrefix reports whether any object's key starts with prefix.
func (s *Source) hasPrefix(ctx context.Context, prefix string) (bool, error) {
	objs, _, err := s.bucket.ListPage(ctx, blob.FirstPageToken, 1, &blob.ListOptions{Prefix: prefix})
	if err != nil {
		return false, mapErr(err)
	}
	return len(objs) > 0, nil
}

// SaveOptions tunes [FS.Save]. The zero value is fine.
type SaveOptions struct {
	// ContentType of the file; when empty it is guessed from the name's
	// extension, then from the first 512 bytes.
	ContentType string
	// Metadata is stored with the file; keys are stored in lower case.
	Metadata map[string]string
	// MaxSize, when positive, is the largest size accepted: a larger
	// content fails with [ErrTooLarge] and nothing is stored.
	MaxSize int64
	// IfMatch, when not empty, saves only if the file exists and its ETag
	// (as [Info.ETag] and the HTTP API's ETag header give it, quoted or
	// not) is this one; "*" means any existing file. Otherwise the error
	// is [ErrPrecondition].
	IfMatch string
	// IfNoneMatch saves only if no file exists at the URN yet (create
	// only); otherwise the error is [ErrPrecondition].
	IfNoneMatch bool
}

// Save writes the content of r to the file u, replacing any file there,
// and returns its description. The content is streamed: it is never held in
// memory as a whole. Until Save returns, readers see the old file (or
// none). When r fails, the content is larger than opts.MaxSize, or ctx is
// cancelled, nothing is stored and the old file, if any, stays. With
// opts.IfMatch or opts.IfNoneMatch the save is conditional and fails with
// [ErrPrecondition], storing nothing, when the file is not as expected;
// the package documentation says how each source holds the condition
// against concurrent writers.
func (f *FS) Save(ctx context.Context, u URN, r io.Reader, opts *SaveOptions) (Info, error) {
	info, err := f.save(ctx, u, r, opts)
	if err != nil {
		return Info{}, pathErr("save", u, err)
	}
	f.emit(ctx, TopicSaved, Event{URN: u, Size: info.Size})
	return info, nil
}

func (f *FS) save(ctx context.Context, u URN, r io.Reader, opts *SaveOptions) (Info, error) {
	if opts == nil {
		opts = &SaveOptions{}
	}
	s, err := f.saveTarget(ctx, u)
	if err != nil {
		return Info{}, err
	}
	switch {
	case opts.IfMatch == "" && !opts.IfNoneMatch:
		// The drivers replace a file in one step: fileblob renames a
		// temporary file into place, S3 and memblob commit at Close.
		_, err = s.write(ctx, u.key(), u, r, opts, nil)
	case s.isS3():
		err = saveS3If(ctx, s, u, r, opts)
	default:
		err = f.saveStagedIf(ctx, s, u, r, opts)
	}
	if err != nil {
		return Info{}, err
	}
	a, err := s.bucket.Attributes(ctx, u.key())
	if err != nil {
		return Info{}, mapErr(err)
	}
	return fileInfo(u, a), nil
}

// saveTarget returns the source of u after checking that a file may be
// saved at u.
func (f *FS) saveTarget(ctx context.Context, u URN) (*Source, error) {
	s, err := f.source(u)
	if err != nil {
		return nil, err
	}
	if u.IsRoot() {
		return nil, ErrRoot
	}
	if ok, err := s.hasPrefix(ctx, u.prefix()); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrIsFolder
	}
	return s, nil
}

// write streams r into the object key, which is u's or a staging key next
// to it, and returns the folders it made on a disk source. On failure
// nothing is stored and the folders are removed again.
func (s *Source) write(ctx context.Context, key string, u URN, r io.Reader, opts *SaveOptions, tune func(*blob.WriterOptions)) ([]string, error) {
	ct := opts.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(u.path))
	}
	made := s.missingDirs(key)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wo := &blob.WriterOptions{ContentType: ct, Metadata: opts.Metadata}
	if tune != nil {
		tune(wo)
	}
	w, err := s.bucket.NewWriter(wctx, key, wo)
	if err != nil {
		s.removeDirs(made)
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, detail(ErrNotFolder, "a parent of %s is a file", u)
		}
		return nil, mapErr(err)
	}
	src := r
	if opts.MaxSize > 0 {
		src = &io.LimitedReader{R: r, N: opts.MaxSize + 1}
	}
	n, err := io.Copy(w, src)
	if err == nil && opts.MaxSize > 0 && n > opts.MaxSize {
		err = detail(ErrTooLarge, "more than %d bytes", opts.MaxSize)
	}
	if err == nil {
		// Check again: a link may have been put in place meanwhile.
		err = s.guard(u.path)
	}
	if err != nil {
		cancel() // aborts the write: Close discards it
		_ = w.Close()
		s.removeDirs(made)
		return nil, mapErr(err)
	}
	if err := w.Close(); err != nil {
		s.removeDirs(made)
		return nil, mapErr(err)
	}
	return made, nil
}

// saveS3If saves with a condition that S3 itself checks when it commits
// the upload (If-None-Match: * and If-Match on PutObject and
// CompleteMultipartUpload), so that no other writer, in this process or
// another, can come in between.
func saveS3If(ctx context.Context, s *Source, u URN, r io.Reader, opts *SaveOptions) error {
	var ifMatch string
	if opts.IfMatch != "" {
		a, err := s.bucket.Attributes(ctx, u.key())
		if err != nil {
			return preconditionErr(mapErr(err), true)
		}
		if !etagMatches(opts.IfMatch, a.ETag) {
			return detail(ErrPrecondition, "the file's ETag is %s", quoteETag(a.ETag))
		}
		ifMatch = quoteETag(a.ETag) // for "*" too: the file that is there now
	}
	_, err := s.write(ctx, u.key(), u, r, opts, func(wo *blob.WriterOptions) {
		wo.IfNotExist = opts.IfNoneMatch
		if ifMatch == "" {
			return
		}
		wo.BeforeWrite = func(as func(any) bool) error {
			var in *transfermanager.UploadObjectInput
			if !as(&in) {
				return errors.New("afs: the S3 driver does not let uploads carry If-Match")
			}
			in.IfMatch = aws.String(ifMatch)
			return nil
		}
	})
	return preconditionErr(err, ifMatch != "")
}

// saveStagedIf saves with a condition on a source that cannot check it
// itself: the content is staged next to the file, then, under a per-path
// lock, the condition is checked and the staged file put in place. On a
// disk source create-only is one link(2), which holds against every
// writer; the If-Match check holds against the writers of this process.
func (f *FS) saveStagedIf(ctx context.Context, s *Source, u URN, r io.Reader, opts *SaveOptions) error {
	stage := stageKey(u.key())
	made, err := s.write(ctx, stage, u, r, opts, nil)
	if err != nil {
		return err
	}
	unlock := f.locks.lock(u)
	defer unlock()
	err = func() error {
		if opts.IfMatch != "" {
			a, err := s.bucket.Attributes(ctx, u.key())
			if err != nil {
				return preconditionErr(mapErr(err), true)
			}
			if !etagMatches(opts.IfMatch, a.ETag) {
				return detail(ErrPrecondition, "the file's ETag is %s", quoteETag(a.ETag))
			}
		}
		return preconditionErr(s.place(ctx, stage, u.key(), opts.IfNoneMatch), false)
	}()
	if err != nil {
		s.drop(ctx, stage)
		s.removeDirs(made)
	}
	return err
}

// preconditionErr turns the errors of a failed condition into
// [ErrPrecondition]: an existing file, and with missing, a missing one.
func preconditionErr(err error, missing bool) error {
	switch {
	case errors.Is(err, ErrExists):
		return detail(ErrPrecondition, "the file exists")
	case missing && errors.Is(err, ErrNotFound):
		return detail(ErrPrecondition, "there is no such file")
	}
	return err
}

// etagMatches reports whether the ETag current is one of list, a
// comma-separated list of ETags (quoted or not) as in an HTTP If-Match
// header, or "*". Weak ETags never match.
func etagMatches(list, current string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	cur := quoteETag(current)
	for c := range strings.SplitSeq(list, ",") {
		c = strings.TrimSpace(c)
		if c != "" && !strings.HasPrefix(c, "W/") && quoteETag(c) == cur {
			return true
		}
	}
	return false
}

// pending is content staged next to the file u, not yet in place.
type pending struct {
	u     URN
	s     *Source
	stage string
	made  []string
}

// stage writes r to a staging object next to u, with the checks and
// options of [FS.Save] (conditions aside), for [FS.commit] to put in
// place. The caller discards it when it is not committed.
func (f *FS) stage(ctx context.Context, u URN, r io.Reader, opts *SaveOptions) (*pending, error) {
	s, err := f.saveTarget(ctx, u)
	if err != nil {
		return nil, err
	}
	p := &pending{u: u, s: s, stage: stageKey(u.key())}
	if p.made, err = s.write(ctx, p.stage, u, r, opts, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// discard removes the staged content and the folders made for it.
func (p *pending) discard(ctx context.Context) {
	p.s.drop(ctx, p.stage)
	p.s.removeDirs(p.made)
}

// commit puts staged files in place, all or none: each file it replaces
// is kept aside first (a hard link on disk, a copy elsewhere) and put back
// should a later one fail. The staging objects are gone afterwards, either
// way. Two files for one URN: the later one wins.
func (f *FS) commit(ctx context.Context, ps []*pending) ([]Info, error) {
	type placed struct {
		p      *pending
		backup string // "" when nothing was there
	}
	var done []placed
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			d := done[i]
			if d.backup != "" {
				_ = d.p.s.place(context.WithoutCancel(ctx), d.backup, d.p.u.key(), false)
			} else {
				d.p.s.drop(ctx, d.p.u.key())
				d.p.s.removeDirs(d.p.made)
			}
		}
	}
	last := map[URN]int{}
	for i, p := range ps {
		last[p.u] = i
	}
	for i, p := range ps {
		if last[p.u] != i {
			p.discard(ctx)
			continue
		}
		err := ctx.Err()
		if err == nil {
			if ok, herr := p.s.hasPrefix(ctx, p.u.prefix()); herr != nil {
				err = herr
			} else if ok {
				err = pathErr("save", p.u, ErrIsFolder)
			}
		}
		var backup string
		if err == nil {
			if ok, eerr := p.s.bucket.Exists(ctx, p.u.key()); eerr != nil {
				err = mapErr(eerr)
			} else if ok {
				backup, err = p.s.backup(ctx, p.u.key())
			}
		}
		if err == nil {
			err = p.s.place(ctx, p.stage, p.u.key(), false)
			if err != nil && backup != "" {
				p.s.drop(ctx, backup)
			}
		}
		if err != nil {
			undo()
			for _, q := range ps[i:] {
				q.discard(ctx)
			}
			return nil, pathErr("save", p.u, err)
		}
		done = append(done, placed{p, backup})
	}
	infos := make([]Info, 0, len(done))
	for _, d := range done {
		if d.backup != "" {
			d.p.s.drop(ctx, d.backup)
		}
		a, err := d.p.s.bucket.Attributes(ctx, d.p.u.key())
		if err != nil {
			return nil, pathErr("save", d.p.u, mapErr(err))
		}
		info := fileInfo(d.p.u, a)
		infos = append(infos, info)
		f.emit(ctx, TopicSaved, Event{URN: d.p.u, Size: info.Size})
	}
	return infos, nil
}

// missingDirs returns, on a disk source, the ancestors of p that do not
// exist yet, outermost first, so that a failed write can remove the
// folders it made.
func (s *Source) missingDirs(p string) []string {
	if s.root == nil {
		return nil
	}
	var missing []string
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if _, err := s.root.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
	}
	slices.Reverse(missing)
	return missing
}

// removeDirs removes the folders in dirs that are empty, innermost first.
func (s *Source) removeDirs(dirs []string) {
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := s.root.Remove(dirs[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return
		}
	}
}

// ListOptions tunes [FS.List]. The zero value lists one level, first page.
type ListOptions struct {
	// Recursive lists every file below the folder (no folder entries)
	// instead of one level of files and folders.
	Recursive bool
	// PageSize is the most entries per page: 1 to 1000, default 1000.
	PageSize int
	// PageToken continues a listing where the previous page ended.
	PageToken string
}

// Page is one page of a listing. Entries are sorted by key: on one level,
// a folder "a" sorts as "a/".
type Page struct {
	Items []Info `json:"items"`
	// NextPageToken is "" on the last page.
	NextPageToken string `json:"next_page_token,omitempty"`
}

// List lists the folder u. A folder that does not exist is [ErrNotFound];
// a file is [ErrNotFolder]. Objects whose keys are no valid afs paths
// (written by other tools) and, on disk sources, links that lead outside
// the folder are left out.
func (f *FS) List(ctx context.Context, u URN, opts *ListOptions) (*Page, error) {
	p, err := f.list(ctx, u, opts)
	return p, pathErr("list", u, err)
}

func (f *FS) list(ctx context.Context, u URN, opts *ListOptions) (*Page, error) {
	if opts == nil {
		opts = &ListOptions{}
	}
	s, err := f.source(u)
	if err != nil {
		return nil, err
	}
	size := opts.PageSize
	switch {
	case size == 0:
		size = 1000
	case size < 0 || size > 1000:
		return nil, fmt.Errorf("%w: page size must be 1 to 1000", webos.ErrBadRequest)
	}
	token := blob.FirstPageToken
	if opts.PageToken != "" {
		if token, err = base64.RawURLEncoding.DecodeString(opts.PageToken); err != nil || len(token) == 0 {
			return nil, fmt.Errorf("%w: malformed page token", webos.ErrBadRequest)
		}
	}
	prefix := u.prefix()
	lo := &blob.ListOptions{Prefix: prefix}
	if !opts.Recursive {
		lo.Delimiter = "/"
	}
	objs, next, err := s.bucket.ListPage(ctx, token, size, lo)
	if err != nil {
		return nil, mapErr(err)
	}
	page := &Page{Items: []Info{}}
	if len(next) > 0 {
		page.NextPageToken = base64.RawURLEncoding.EncodeToString(next)
	}
	dirs := map[string]bool{}
	for _, o := range objs {
		if info, ok := s.entry(u, prefix, o, dirs); ok {
			page.Items = append(page.Items, info)
		}
	}
	if len(objs) == 0 && opts.PageToken == "" && !u.IsRoot() {
		if _, err := s.bucket.Attributes(ctx, u.key()); err == nil {
			return nil, ErrNotFolder
		}
		return nil, ErrNotFound
	}
	return page, nil
}

// entry turns a listed object into an Info, or reports that it is hidden.
// dirs remembers, on a disk source, which folders were found under their
// own names.
func (s *Source) entry(dir URN, prefix string, o *blob.ListObject, dirs map[string]bool) (Info, bool) {
	rel := strings.TrimPrefix(o.Key, prefix)
	if o.IsDir {
		name := strings.TrimSuffix(rel, "/")
		if validName(name) != nil || !s.literalDir(strings.TrimSuffix(o.Key, "/"), dirs) {
			return Info{}, false
		}
		return folderInfo(URN{source: dir.source, path: joinPath(dir.path, name)}), true
	}
	if strings.HasSuffix(o.Key, "/") || path.Base(o.Key) == FolderMarker || validPath(o.Key) != nil {
		return Info{}, false
	}
	info := Info{
		URN: URN{source: dir.source, path: o.Key}, Size: o.Size, ModTime: o.ModTime, MD5: o.MD5,
	}
	info.Name = info.URN.Name()
	if s.root != nil {
		if d := path.Dir(o.Key); len(d) >= len(prefix) && !s.literalDir(d, dirs) {
			return Info{}, false
		}
		if fi := (os.FileInfo)(nil); o.As(&fi) && fi.Name() != path.Base(o.Key) {
			return Info{}, false // the name on disk is in the escape form
		}
		size, ok := s.linkTarget(o)
		if !ok {
			return Info{}, false
		}
		if size >= 0 {
			info.Size = size
		}
	}
	return info, true
}

// literalDir reports whether the folder dir of a listing lies on disk
// under that very name. fileblob lists a name on disk that holds the
// escape form __0x<hex>__ (which afs never writes) under the character it
// stands for, a key that no URN reaches; listings leave such names out.
// Other sources store keys as given.
func (s *Source) literalDir(dir string, dirs map[string]bool) bool {
	if s.root == nil {
		return true
	}
	ok, seen := dirs[dir]
	if !seen {
		fi, err := s.root.Lstat(dir)
		ok = err == nil && fi.IsDir()
		dirs[dir] = ok
	}
	return ok
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Delete removes the file u, or the folder u with everything in it. A
// folder that holds more than its marker is only deleted with
// opts.Recursive; otherwise the error is [ErrNotEmpty]. The root of a
// source cannot be deleted.
func (f *FS) Delete(ctx context.Context, u URN, opts *DeleteOptions) error {
	folder, err := f.delete(ctx, u, opts)
	if err != nil {
		return pathErr("delete", u, err)
	}
	f.emit(ctx, TopicDeleted, Event{URN: u, Folder: folder})
	return nil
}

// DeleteOptions tunes [FS.Delete].
type DeleteOptions struct {
	// Recursive deletes a folder with its content.
	Recursive bool
}

func (f *FS) delete(ctx context.Context, u URN, opts *DeleteOptions) (folder bool, err error) {
	if opts == nil {
		opts = &DeleteOptions{}
	}
	s, err := f.source(u)
	if err != nil {
		return false, err
	}
	if u.IsRoot() {
		return false, ErrRoot
	}
	if _, err := s.bucket.Attributes(ctx, u.key()); err == nil {
		return false, mapErr(s.bucket.Delete(ctx, u.key()))
	} else if err = mapErr(err); !errors.Is(err, ErrNotFound) {
		return false, err
	}
	prefix := u.prefix()
	objs, _, err := s.bucket.ListPage(ctx, blob.FirstPageToken, 2, &blob.ListOptions{Prefix: prefix})
	if err != nil {
		return false, mapErr(err)
	}
	if len(objs) == 0 {
		return false, ErrNotFound
	}
	if !opts.Recursive && (len(objs) > 1 || objs[0].Key != prefix+FolderMarker) {
		return true, ErrNotEmpty
	}
	if s.root != nil {
		// os.Root never follows a link out of the folder while removing.
		return true, s.root.RemoveAll(u.path)
	}
	return true, s.deleteAll(ctx, prefix)
}

// removeEmpty removes, on a disk source, the folder u and its ancestors
// as long as they are empty.
func (f *FS) removeEmpty(u URN) {
	s, err := f.source(u)
	if err != nil || s.root == nil {
		return
	}
	for p := u; !p.IsRoot(); p = p.Parent() {
		if s.root.Remove(p.path) != nil {
			return
		}
	}
}

// deleteAll deletes every object whose key starts with prefix.
func (s *Source) deleteAll(ctx context.Context, prefix string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		o, err := it.Next(gctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = g.Wait()
			return mapErr(err)
		}
		key := o.Key
		goSafe(g, func() error {
			if hookInGroup != nil {
				hookInGroup(key)
			}
			if err := s.bucket.Delete(gctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return err
			}
			return nil
		})
	}
	return g.Wait()
}

// Mkdir makes the folder u, with its parents, by writing a folder marker
// into it (see [FolderMarker]); an existing folder is fine. Folders on
// every source are prefixes of keys: a folder exists while it holds a file
// or a marker, so a folder made with Mkdir lasts until it is deleted, and
// a folder that only ever held files goes away with its last file. A file
// at u or at one of its parents is [ErrExists] or [ErrNotFolder].
func (f *FS) Mkdir(ctx context.Context, u URN) error {
	made, err := f.mkdir(ctx, u)
	if err != nil {
		return pathErr("mkdir", u, err)
	}
	if made {
		f.emit(ctx, TopicSaved, Event{URN: u, Folder: true})
	}
	return nil
}

func (f *FS) mkdir(ctx context.Context, u URN) (bool, error) {
	s, err := f.source(u)
	if err != nil {
		return false, err
	}
	if u.IsRoot() {
		return false, nil
	}
	if _, err := s.bucket.Attributes(ctx, u.key()); err == nil {
		return false, ErrExists
	}
	for p := u.Parent(); !p.IsRoot(); p = p.Parent() {
		if _, err := s.bucket.Attributes(ctx, p.key()); err == nil {
			return false, detail(ErrNotFolder, "%s is a file", p)
		}
	}
	marker := u.prefix() + FolderMarker
	if ok, err := s.bucket.Exists(ctx, marker); err != nil {
		return false, mapErr(err)
	} else if ok {
		return false, nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, marker, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return false, mapErr(err)
	}
	return true, mapErr(w.Close())
}

// CopyOptions tunes [FS.Copy] and [FS.Move].
type CopyOptions struct {
	// Overwrite replaces an existing destination file, or merges into an
	// existing destination folder. Without it, an existing destination is
	// [ErrExists].
	Overwrite bool
	// Progress, when set, is told how many more bytes were copied as the
	// copy goes on: while content streams between sources, and once per
	// file that a store copies itself. A copy that fails and is undone
	// has reported the bytes it had sent until then. A
	// folder's files are copied a few at a time, so Progress may be
	// called from several goroutines at once.
	Progress func(n int64)
}

// Copy copies the file or folder src to dst, within a source or across
// sources, and returns the description of dst. Content is streamed (or
// copied by the store itself within one source), never held in memory as
// a whole; each copied file is checked against its original (size, and
// MD5 where both stores know it) before it replaces anything, so a copy
// that fails its check keeps the file it was to replace. A folder cannot
// be copied into itself or onto a folder that holds it ([ErrSameFile]).
func (f *FS) Copy(ctx context.Context, src, dst URN, opts *CopyOptions) (Info, error) {
	info, err := f.copy(ctx, src, dst, opts, false)
	if err != nil {
		return Info{}, pathErr("copy", src, err)
	}
	f.emit(ctx, TopicSaved, Event{URN: dst, Folder: info.Folder, Size: info.Size})
	return info, nil
}

// Move moves the file or folder src to dst, within a source or across
// sources. Within one disk source it renames; without opts.Overwrite that
// rename never replaces a file that appeared meanwhile (link(2), then
// unlink). Otherwise it copies (as [FS.Copy] does, verified), then deletes
// the original. When any copy fails, the originals stay.
func (f *FS) Move(ctx context.Context, src, dst URN, opts *CopyOptions) (Info, error) {
	info, err := f.copy(ctx, src, dst, opts, true)
	if err != nil {
		return Info{}, pathErr("move", src, err)
	}
	f.emit(ctx, TopicMoved, Event{URN: dst, From: src, Folder: info.Folder, Size: info.Size})
	return info, nil
}

func (f *FS) copy(ctx context.Context, src, dst URN, opts *CopyOptions, move bool) (Info, error) {
	if opts == nil {
		opts = &CopyOptions{}
	}
	ss, err := f.source(src)
	if err != nil {
		return Info{}, err
	}
	ds, err := f.source(dst)
	if err != nil {
		return Info{}, err
	}
	if src.IsRoot() || dst.IsRoot() {
		return Info{}, ErrRoot
	}
	if src.Contains(dst) || dst.Contains(src) {
		// Into itself, or onto a folder that holds it: the copy would
		// write over its own source while reading it.
		return Info{}, ErrSameFile
	}
	sinfo, err := f.stat(ctx, ss, src)
	if err != nil {
		return Info{}, err
	}
	dinfo, err := f.stat(ctx, ds, dst)
	dstExists := err == nil
	switch {
	case err != nil && !errors.Is(err, ErrNotFound):
		return Info{}, err
	case dstExists && (!opts.Overwrite || dinfo.Folder != sinfo.Folder):
		return Info{}, ErrExists
	}
	if move && ss == ds && ss.root != nil && (!sinfo.Folder || !dstExists) {
		if err := ss.rename(src, dst, sinfo.Folder, opts.Overwrite); err != nil {
			return Info{}, err
		}
		return f.stat(ctx, ds, dst)
	}
	if !sinfo.Folder {
		if err := copyObject(ctx, ss, src.key(), ds, dst.key(), opts.Overwrite, opts.Progress); err != nil {
			return Info{}, err
		}
		if move {
			if err := ss.bucket.Delete(ctx, src.key()); err != nil {
				return Info{}, mapErr(err)
			}
		}
		return f.stat(ctx, ds, dst)
	}
	made := ds.missingDirs(dst.prefix() + FolderMarker)
	keys, err := copyFolder(ctx, ss, src.prefix(), ds, dst.prefix(), opts.Overwrite, opts.Progress)
	if err != nil {
		if !dstExists {
			ds.prune(dst.path)
			ds.removeDirs(made)
		}
		return Info{}, err
	}
	if move {
		if err := ss.deleteKeys(ctx, keys); err != nil {
			return Info{}, err
		}
		ss.prune(src.path)
	}
	return folderInfo(dst), nil
}

// rename moves a file (with its metadata file) or a folder within one disk
// source. Without overwrite, a file that appears at dst meanwhile is not
// replaced: the check and the move are one link(2) (one rename(2) for a
// folder, which never replaces a folder with content).
func (s *Source) rename(src, dst URN, folder, overwrite bool) error {
	if d := path.Dir(dst.path); d != "." {
		if err := s.root.MkdirAll(d, 0o777); err != nil {
			return rootErr(err, false)
		}
	}
	if folder {
		return s.renameDir(src.path, dst.path)
	}
	if hookBeforePlace != nil {
		hookBeforePlace(dst.path)
	}
	return s.renameFile(src.path, dst.path, !overwrite)
}

// copyFolder copies every object below sprefix to the same relative key
// below dprefix, folder markers included, and returns the keys copied.
// When one copy fails, the files the others made where there was none are
// deleted again; files they replaced stay replaced (each was checked).
func copyFolder(ctx context.Context, ss *Source, sprefix string, ds *Source, dprefix string, overwrite bool, progress func(int64)) (_ []string, err error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	var (
		keys    []string
		mu      sync.Mutex
		created []string
	)
	defer func() {
		if err != nil {
			for _, k := range created {
				ds.drop(ctx, k)
			}
		}
	}()
	it := ss.bucket.List(&blob.ListOptions{Prefix: sprefix})
	for {
		o, err := it.Next(gctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = g.Wait()
			return nil, mapErr(err)
		}
		if !addressable(o.Key) {
			continue // written by another tool under a name afs refuses: left alone
		}
		skey, dkey := o.Key, dprefix+strings.TrimPrefix(o.Key, sprefix)
		keys = append(keys, skey)
		goSafe(g, func() error {
			if hookInGroup != nil {
				hookInGroup(skey)
			}
			ow := overwrite || path.Base(skey) == FolderMarker // a marker replaces nothing of value
			existed := false
			if ow {
				ok, err := ds.bucket.Exists(gctx, dkey)
				if err != nil {
					return mapErr(err)
				}
				existed = ok
			}
			if err := copyObject(gctx, ss, skey, ds, dkey, ow, progress); err != nil {
				return err
			}
			if !existed {
				mu.Lock()
				created = append(created, dkey)
				mu.Unlock()
			}
			return nil
		})
	}
	return keys, g.Wait()
}

// deleteKeys deletes the objects with the given keys.
func (s *Source) deleteKeys(ctx context.Context, keys []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, key := range keys {
		goSafe(g, func() error {
			if hookInGroup != nil {
				hookInGroup(key)
			}
			if err := s.bucket.Delete(gctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
				return err
			}
			return nil
		})
	}
	return g.Wait()
}

// prune removes, on a disk source, the empty folders in and below dir.
func (s *Source) prune(dir string) {
	if s.root == nil {
		return
	}
	f, err := s.root.Open(dir)
	if err != nil {
		return
	}
	entries, _ := f.ReadDir(-1)
	_ = f.Close()
	for _, e := range entries {
		if e.IsDir() {
			s.prune(dir + "/" + e.Name())
		}
	}
	_ = s.root.Remove(dir)
}

// copyObject copies one object and verifies the copy before it takes the
// place of anything. The copy is written to a staging object next to dkey
// and put in place once it checks out (on disk always, where that is a
// rename and decides no-replace in one step; on object stores when there
// is a file at dkey to keep). Without overwrite, an existing dkey is
// [ErrExists]. progress, when not nil, is told of the bytes copied.
func copyObject(ctx context.Context, ss *Source, skey string, ds *Source, dkey string, overwrite bool, progress func(int64)) error {
	if err := ss.guard(skey); err != nil {
		return err
	}
	if err := ds.guard(dkey); err != nil {
		return err
	}
	sa, err := ss.bucket.Attributes(ctx, skey)
	if err != nil {
		return mapErr(err)
	}
	target := dkey
	if ds.root != nil {
		target = stageKey(dkey)
	} else if ok, err := ds.bucket.Exists(ctx, dkey); err != nil {
		return mapErr(err)
	} else if ok {
		if !overwrite {
			return ErrExists
		}
		target = stageKey(dkey)
	}
	made := ds.missingDirs(dkey)
	fail := func(err error) error {
		ds.drop(ctx, target)
		ds.removeDirs(made)
		return err
	}
	var sum []byte
	if ss == ds {
		if err := ss.bucket.Copy(ctx, target, skey, nil); err != nil {
			return fail(mapErr(err))
		}
		if progress != nil {
			progress(sa.Size)
		}
	} else if sum, err = streamCopy(ctx, ss, skey, sa, ds, target, progress); err != nil {
		return fail(err)
	}
	if hookWritten != nil {
		hookWritten(target)
	}
	da, err := ds.bucket.Attributes(ctx, target)
	if err != nil {
		return fail(mapErr(err))
	}
	switch {
	case da.Size != sa.Size:
		err = fmt.Errorf("%w: %s is %d bytes, its copy %d", ErrVerify, skey, sa.Size, da.Size)
	case len(da.MD5) > 0 && len(sa.MD5) > 0 && !bytes.Equal(da.MD5, sa.MD5):
		err = fmt.Errorf("%w: %s: MD5 differs", ErrVerify, skey)
	case len(da.MD5) > 0 && sum != nil && !bytes.Equal(da.MD5, sum):
		err = fmt.Errorf("%w: %s: MD5 of the copy differs from the bytes sent", ErrVerify, skey)
	}
	if err != nil {
		return fail(err)
	}
	if target != dkey {
		if err := ds.place(ctx, target, dkey, !overwrite); err != nil {
			return fail(err)
		}
	}
	return nil
}

// streamCopy copies an object between sources and returns the MD5 of the
// bytes read. On failure the caller removes what was written.
func streamCopy(ctx context.Context, ss *Source, skey string, sa *blob.Attributes, ds *Source, dkey string, progress func(int64)) ([]byte, error) {
	r, err := ss.openObject(ctx, skey)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := ds.bucket.NewWriter(wctx, dkey, &blob.WriterOptions{
		ContentType: sa.ContentType, DisableContentTypeDetection: sa.ContentType == "",
		CacheControl: sa.CacheControl, ContentDisposition: sa.ContentDisposition,
		ContentEncoding: sa.ContentEncoding, ContentLanguage: sa.ContentLanguage, Metadata: sa.Metadata,
	})
	if err != nil {
		return nil, mapErr(err)
	}
	h := md5.New()
	var dst io.Writer = w
	if progress != nil {
		dst = progressWriter{w, progress}
	}
	n, err := io.Copy(dst, io.TeeReader(r, h))
	sum := h.Sum(nil)
	switch {
	case err != nil:
	case n != sa.Size:
		err = fmt.Errorf("%w: read %d bytes of %s, want %d", ErrVerify, n, skey, sa.Size)
	case len(sa.MD5) > 0 && !bytes.Equal(sum, sa.MD5):
		err = fmt.Errorf("%w: %s: MD5 of the bytes read differs", ErrVerify, skey)
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return nil, mapErr(err)
	}
	if err := w.Close(); err != nil {
		return nil, mapErr(err)
	}
	return sum, nil
}

// progressWriter tells progress of every write that went through.
type progressWriter struct {
	w        io.Writer
	progress func(int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if n > 0 {
		p.progress(int64(n))
	}
	return n, err
}

// openObject opens an object for reading from its start: on a disk
// source, the file itself through the source's folder handle, which
// refuses links that leave it.
func (s *Source) openObject(ctx context.Context, key string) (io.ReadCloser, error) {
	if s.root != nil {
		f, err := s.root.Open(key)
		if err != nil {
			return nil, rootErr(err, false)
		}
		return f, nil
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, mapErr(err)
	}
	return r, nil
}

func (f *FS) emit(ctx context.Context, topic string, e Event) {
	if f.emitter == nil {
		return
	}
	e.User = identity.ID(ctx)
	if err := f.emitter.Emit(ctx, topic, e); err != nil {
		f.log.WarnContext(ctx, "afs: event not emitted", "topic", topic, "urn", e.URN.String(), "err", err)
	}
}
