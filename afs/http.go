package afs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/trace"
)

// Permissions the HTTP API asks for, unless [HandlerOptions] names others.
const (
	PermRead  = "files.read"
	PermWrite = "files.write"
)

// DefaultMaxUpload is the upload limit of a [Handler] whose options set
// none: 1 GiB.
const DefaultMaxUpload = 1 << 30

// HandlerOptions configures the HTTP API.
type HandlerOptions struct {
	// MaxUpload is the largest request body an upload may have, in bytes;
	// larger uploads are answered 413 and leave nothing stored. 0 means
	// DefaultMaxUpload; take it from [Config.MaxUpload].
	MaxUpload int64
	// Authorize is asked before each request is served whether the
	// request may have perm (ReadPerm or WritePerm). A non-nil error is the
	// answer, as JSON with the status webos.StatusOf gives (return errors
	// wrapping webos.ErrUnauthorized or webos.ErrForbidden). Mounted on a
	// module's router ([Handler.Routes]) the application's authorizer
	// guards every route and Authorize, when set, is asked as well; served
	// on its own ([Handler.ServeHTTP], [Handler.Register]) a Handler without
	// Authorize refuses every request — pass [AllowAll] to open it.
	Authorize func(r *http.Request, perm string) error
	// ReadPerm and WritePerm name the permissions for reading (list,
	// download) and writing (upload, delete, move, copy, mkdir); defaults
	// PermRead and PermWrite.
	ReadPerm, WritePerm string
}

// Handler is the HTTP API over an [FS]. Paths are relative to where it is
// mounted; a file is addressed as /files/<source>/<path>:
//
//	GET    /list/<source>/<path>   list a folder: ?recursive=true&page_size=N&page_token=T
//	GET    /files/<source>/<path>  download (HEAD, Range, If-None-Match, If-Range)
//	PUT    /files/<source>/<path>  upload the raw request body as the file
//	POST   /files/<source>/<path>  upload the files of a multipart/form-data body into the folder
//	DELETE /files/<source>/<path>  delete a file, or a folder with ?recursive=true
//	POST   /mkdir/<source>/<path>  make a folder
//	POST   /move                   {"from": URN, "to": URN, "overwrite": bool}
//	POST   /copy                   {"from": URN, "to": URN, "overwrite": bool}
//
// Uploads are streamed to the store; a failed, cancelled or too-large
// upload leaves nothing and keeps every file that was there, also for a
// multipart form whose later part fails. A PUT may be conditional, to
// avoid lost updates between concurrent writers:
//
//	If-Match: "<etag>"   replace only while the file's ETag (as GET and HEAD
//	                     and the answer of a PUT give it) is this one; a
//	                     comma-separated list or * (any existing file) too
//	If-None-Match: *     create only: fail when the file exists
//
// A condition that does not hold is answered 412 Precondition Failed with
// a JSON error, and nothing is stored. If-None-Match with ETags is 400.
// See the package documentation for what each source guarantees when
// writers race. Downloads carry Content-Type, Content-Length,
// ETag, Last-Modified and a Content-Disposition that is safe for any file
// name: inline for images, audio, video, PDF and plain text, an attachment
// otherwise or with ?download=true. Every error is JSON with its status:
// 400 for malformed or traversing paths, reserved names and overlapping
// copies, 404 for missing files, 409 for an existing destination, 412 for
// a failed upload condition, 413 for uploads over the limit.
//
// Mount it with [Handler.Routes] on a webos.Router, with [Handler.Register]
// on an *http.ServeMux, or serve it as an http.Handler of its own.
type Handler struct {
	fs   *FS
	opts HandlerOptions
	mux  *http.ServeMux
}

// Mux is where [Handler.Register] puts the routes; *http.ServeMux is one.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// NewHandler returns the HTTP API over fsys.
func NewHandler(fsys *FS, opts HandlerOptions) *Handler {
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.ReadPerm == "" {
		opts.ReadPerm = PermRead
	}
	if opts.WritePerm == "" {
		opts.WritePerm = PermWrite
	}
	h := &Handler{fs: fsys, opts: opts, mux: http.NewServeMux()}
	h.Register(h.mux)
	h.mux.Handle("/", webos.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
		return fmt.Errorf("%w: no such route", webos.ErrNotFound)
	}))
	return h
}

type route struct {
	pattern string
	write   bool
	upload  bool // streams a large body: the handler enforces its own limit
	stream  bool // long-lived: no request deadline
	fn      webos.HandlerFunc
}

func (h *Handler) routes() []route {
	return []route{
		{pattern: "GET /list/{source}", fn: h.list},
		{pattern: "GET /list/{source}/{path...}", fn: h.list},
		{pattern: "GET /files/{source}/{path...}", fn: h.download, stream: true},
		{pattern: "PUT /files/{source}/{path...}", fn: h.upload, write: true, upload: true, stream: true},
		{pattern: "POST /files/{source}", fn: h.uploadForm, write: true, upload: true, stream: true},
		{pattern: "POST /files/{source}/{path...}", fn: h.uploadForm, write: true, upload: true, stream: true},
		{pattern: "DELETE /files/{source}/{path...}", fn: h.delete, write: true},
		{pattern: "POST /mkdir/{source}/{path...}", fn: h.mkdir, write: true},
		{pattern: "POST /move", fn: h.move, write: true, stream: true},
		{pattern: "POST /copy", fn: h.copy, write: true, stream: true},
	}
}

// AllowAll is an [HandlerOptions.Authorize] that lets every request
// through: for a single-user tool on a trusted machine, and for tests.
func AllowAll(*http.Request, string) error { return nil }

// errNoAuthorize answers every request of a Handler served on its own
// without HandlerOptions.Authorize.
var errNoAuthorize = fmt.Errorf("%w: the files API has no authorizer", webos.ErrUnauthorized)

// perm returns the permission a route needs.
func (h *Handler) perm(rt route) string {
	if rt.write {
		return h.opts.WritePerm
	}
	return h.opts.ReadPerm
}

// guarded wraps a route's handler in the Authorize check; without one, a
// Handler served on its own (kernel false) refuses every request.
func (h *Handler) guarded(rt route, kernel bool) http.Handler {
	authorize := h.opts.Authorize
	if authorize == nil {
		if kernel {
			return rt.fn
		}
		authorize = func(*http.Request, string) error { return errNoAuthorize }
	}
	perm, fn := h.perm(rt), rt.fn
	return webos.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		if err := authorize(r, perm); err != nil {
			return err
		}
		return fn(w, r)
	})
}

// Register adds the API's routes to m, with patterns such as
// "GET /files/{source}/{path...}".
func (h *Handler) Register(m Mux) {
	for _, rt := range h.routes() {
		m.Handle(rt.pattern, h.guarded(rt, false))
	}
}

// Routes adds the API's routes to a module's router, each guarded by its
// permission through the application's authorizer ([webos.Router.Require]):
// upload routes get no kernel body limit (they enforce MaxUpload
// themselves) and transfers no request deadline.
func (h *Handler) Routes(r *webos.Router) {
	for _, rt := range h.routes() {
		var opts []webos.RouteOption
		if rt.upload {
			opts = append(opts, webos.BodyLimit(-1))
		}
		if rt.stream {
			opts = append(opts, webos.Stream())
		}
		r.Require(h.perm(rt)).Handle(rt.pattern, h.guarded(rt, true), opts...)
	}
}

// ServeHTTP serves the API at the root of its own server. A request path
// with "." or ".." segments or an empty segment is refused with 400 before
// routing (a mounting http.ServeMux would redirect it to the cleaned path).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !cleanRequestPath(r.URL.Path) {
		webos.WriteError(w, r, detail(ErrTraversal, "unclean request path"))
		return
	}
	h.mux.ServeHTTP(w, r)
}

func cleanRequestPath(p string) bool {
	for i, seg := range strings.Split(p, "/") {
		if i == 0 {
			continue
		}
		if seg == "." || seg == ".." {
			return false
		}
	}
	return !strings.Contains(p, "//")
}

func pathURN(r *http.Request) (URN, error) {
	return NewURN(r.PathValue("source"), r.PathValue("path"))
}

// listResponse is the JSON answer of a listing.
type listResponse struct {
	URN URN `json:"urn"`
	*Page
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	u, err := pathURN(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	opts := &ListOptions{PageToken: q.Get("page_token")}
	if opts.Recursive, err = boolParam(q.Get("recursive")); err != nil {
		return err
	}
	if v := q.Get("page_size"); v != "" {
		if opts.PageSize, err = strconv.Atoi(v); err != nil || opts.PageSize <= 0 {
			return fmt.Errorf("%w: page_size must be a positive number", webos.ErrBadRequest)
		}
	}
	page, err := h.fs.List(r.Context(), u, opts)
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, listResponse{URN: u, Page: page})
	return nil
}

func boolParam(v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%w: %q is not true or false", webos.ErrBadRequest, v)
	}
	return b, nil
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request) error {
	u, err := pathURN(r)
	if err != nil {
		return err
	}
	attach, err := boolParam(r.URL.Query().Get("download"))
	if err != nil {
		return err
	}
	f, err := h.fs.Open(r.Context(), u)
	if err != nil {
		return err
	}
	defer f.Close()
	info := f.Info()
	ct := info.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ct)
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Stored content is never to run as part of this site.
	hdr.Set("Content-Security-Policy", "sandbox")
	if info.ETag != "" {
		hdr.Set("ETag", quoteETag(info.ETag))
	}
	kind := "attachment"
	if !attach && inlineSafe(ct) {
		kind = "inline"
	}
	hdr.Set("Content-Disposition", ContentDisposition(kind, info.Name))
	var content io.ReadSeeker = f
	if f.os != nil {
		content = f.os // lets the server send the file with sendfile(2)
	}
	ServeContent(w, r, info.ModTime, content)
	return nil
}

// ServeContent is http.ServeContent for a file's content — ranges,
// conditional requests, HEAD — with the kernel's JSON errors instead of
// its plain-text ones: a range outside the file (416, Content-Range kept),
// a failed If-Match or If-Unmodified-Since (412), … answer
// {"error": "..."}. The caller sets Content-Type and the other headers
// first, as for http.ServeContent.
func ServeContent(w http.ResponseWriter, r *http.Request, modtime time.Time, content io.ReadSeeker) {
	http.ServeContent(&jsonErrors{ResponseWriter: w, r: r}, r, "", modtime, content)
}

// jsonErrors turns the plain-text error answers of http.ServeContent (416
// for a range outside the file, 412 for a failed If-Match, …) into the
// kernel's JSON errors, keeping Content-Range, and passes everything else
// through — ReadFrom included, so downloads keep using sendfile(2).
type jsonErrors struct {
	http.ResponseWriter
	r      *http.Request
	failed bool
}

func (j *jsonErrors) WriteHeader(code int) {
	if code < 400 || j.failed {
		j.ResponseWriter.WriteHeader(code)
		return
	}
	j.failed = true
	h := j.Header()
	for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Security-Policy", "ETag", "Content-Length", "Content-Encoding", "Last-Modified"} {
		h.Del(k)
	}
	msg := strings.ToLower(http.StatusText(code))
	if code == http.StatusRequestedRangeNotSatisfiable {
		msg = "requested range not satisfiable: the file has " + strings.TrimPrefix(h.Get("Content-Range"), "bytes */") + " bytes"
	}
	webos.WriteJSON(j.ResponseWriter, code, webos.ErrorBody{Error: msg, TraceID: trace.ID(j.r.Context())})
}

func (j *jsonErrors) Write(b []byte) (int, error) {
	if j.failed {
		return len(b), nil // the plain-text message ServeContent adds
	}
	return j.ResponseWriter.Write(b)
}

func (j *jsonErrors) ReadFrom(src io.Reader) (int64, error) {
	if j.failed {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := j.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{j.ResponseWriter}, src)
}

func (j *jsonErrors) Unwrap() http.ResponseWriter { return j.ResponseWriter }

// quoteETag returns the ETag e in the quoted form of HTTP.
func quoteETag(e string) string {
	if e == "" || strings.HasPrefix(e, `"`) || strings.HasPrefix(e, `W/"`) {
		return e
	}
	return strconv.Quote(e)
}

// inlineSafe reports whether a browser may show content of type ct in
// place: passive media and plain text, never HTML, SVG or scripts.
func inlineSafe(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch {
	case mt == "image/svg+xml":
		return false
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"):
		return true
	}
	return mt == "application/pdf" || mt == "text/plain"
}

// ContentDisposition returns a Content-Disposition header value of the
// given kind ("inline" or "attachment") for a file name, safe for any
// name: an ASCII fallback in filename (with quotes, backslashes, control
// and non-ASCII characters replaced by "_") and the exact name, UTF-8 and
// percent-encoded, in filename* (RFC 6266, RFC 8187).
func ContentDisposition(kind, name string) string {
	var fb, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			fb.WriteByte('_')
		} else {
			fb.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if attrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	fallback := fb.String()
	if strings.Trim(fallback, "_. ") == "" {
		fallback = "download"
	}
	return kind + `; filename="` + fallback + `"; filename*=UTF-8''` + enc.String()
}

// attrChar reports whether b may appear unencoded in an RFC 8187 value.
func attrChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// uploadContentType is the type to store for an upload declared as ct:
// "" (guess from the name, then the content) for none or a generic type.
func uploadContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data":
		return ""
	}
	return ct
}

func (h *Handler) tooLarge(r *http.Request) error {
	if r.ContentLength > h.opts.MaxUpload {
		return detail(ErrTooLarge, "upload of %d bytes; the limit is %d", r.ContentLength, h.opts.MaxUpload)
	}
	return nil
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) error {
	u, err := pathURN(r)
	if err != nil {
		return err
	}
	if err := h.tooLarge(r); err != nil {
		return err
	}
	opts := &SaveOptions{
		ContentType: uploadContentType(r.Header.Get("Content-Type")),
		MaxSize:     h.opts.MaxUpload,
		IfMatch:     strings.TrimSpace(r.Header.Get("If-Match")),
	}
	switch inm := strings.TrimSpace(r.Header.Get("If-None-Match")); inm {
	case "":
	case "*":
		opts.IfNoneMatch = true
	default:
		return fmt.Errorf("%w: an upload takes If-None-Match: * only", webos.ErrBadRequest)
	}
	body := http.MaxBytesReader(w, r.Body, h.opts.MaxUpload)
	info, err := h.fs.Save(r.Context(), u, body, opts)
	if errors.Is(err, ErrPrecondition) {
		// The kernel knows no 412; it is this API's answer to a failed
		// If-Match or If-None-Match.
		webos.WriteJSON(w, http.StatusPreconditionFailed, webos.ErrorBody{Error: err.Error(), TraceID: trace.ID(r.Context())})
		return nil
	}
	if err != nil {
		return err
	}
	if info.ETag != "" {
		w.Header().Set("ETag", info.ETag)
	}
	webos.WriteJSON(w, http.StatusCreated, info)
	return nil
}

// partReader remembers the error of reading a form part, so that a
// malformed or cut-off body can be told from a failing store.
type partReader struct {
	r   io.Reader
	err error
}

func (p *partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		p.err = err
	}
	return n, err
}

// bodyErr classifies an error of reading the request body.
func bodyErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: malformed multipart body: %v", webos.ErrBadRequest, err)
}

// uploadForm saves each file part of a multipart/form-data body into the
// folder of the request path, under the part's file name. Other form
// fields are ignored. The files are staged first and put in place only
// when the whole body was read and every file stored; a request that
// fails in any way (a bad name, a body over the limit or cut off, the
// client gone) leaves every file as it was.
func (h *Handler) uploadForm(w http.ResponseWriter, r *http.Request) error {
	dir, err := pathURN(r)
	if err != nil {
		return err
	}
	if err := h.tooLarge(r); err != nil {
		return err
	}
	info, err := h.fs.Stat(r.Context(), dir)
	if err == nil && !info.Folder {
		return pathErr("save", dir, ErrNotFolder)
	}
	existed := err == nil
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("%w: want a multipart/form-data body: %v", webos.ErrBadRequest, err)
	}
	var staged []*pending
	fail := func(err error) error {
		ctx := context.WithoutCancel(r.Context())
		for _, p := range staged {
			p.discard(ctx)
		}
		if !existed {
			h.fs.removeEmpty(dir)
		}
		return err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(bodyErr(err))
		}
		name := part.FileName()
		if name == "" {
			_ = part.Close()
			continue
		}
		u, err := dir.Join(name)
		if err == nil && strings.Contains(name, "/") {
			err = pathErr("save", dir, detail(ErrInvalidURN, "file name %q holds a slash", name))
		}
		if err != nil {
			_ = part.Close()
			return fail(err)
		}
		pr := &partReader{r: part}
		p, err := h.fs.stage(r.Context(), u, pr, &SaveOptions{
			ContentType: uploadContentType(part.Header.Get("Content-Type")),
			MaxSize:     h.opts.MaxUpload,
		})
		_ = part.Close()
		if pr.err != nil {
			err = bodyErr(pr.err)
		}
		if err != nil {
			return fail(pathErr("save", u, err))
		}
		staged = append(staged, p)
	}
	if len(staged) == 0 {
		return fail(fmt.Errorf("%w: the form holds no file", webos.ErrBadRequest))
	}
	saved, err := h.fs.commit(r.Context(), staged)
	if err != nil {
		staged = nil // commit cleaned up
		return fail(err)
	}
	webos.WriteJSON(w, http.StatusCreated, map[string][]Info{"items": saved})
	return nil
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) error {
	u, err := pathURN(r)
	if err != nil {
		return err
	}
	recursive, err := boolParam(r.URL.Query().Get("recursive"))
	if err != nil {
		return err
	}
	if err := h.fs.Delete(r.Context(), u, &DeleteOptions{Recursive: recursive}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) mkdir(w http.ResponseWriter, r *http.Request) error {
	u, err := pathURN(r)
	if err != nil {
		return err
	}
	if err := h.fs.Mkdir(r.Context(), u); err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusCreated, folderInfo(u))
	return nil
}

// transferRequest is the JSON body of move and copy.
type transferRequest struct {
	From      string `json:"from" validate:"required"`
	To        string `json:"to" validate:"required"`
	Overwrite bool   `json:"overwrite"`
}

func (h *Handler) transfer(w http.ResponseWriter, r *http.Request, move bool) error {
	var req transferRequest
	if err := webos.Decode(r, &req); err != nil {
		return err
	}
	from, err := Parse(req.From)
	if err != nil {
		return err
	}
	to, err := Parse(req.To)
	if err != nil {
		return err
	}
	op := h.fs.Copy
	if move {
		op = h.fs.Move
	}
	info, err := op(r.Context(), from, to, &CopyOptions{Overwrite: req.Overwrite})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, info)
	return nil
}

func (h *Handler) move(w http.ResponseWriter, r *http.Request) error { return h.transfer(w, r, true) }

func (h *Handler) copy(w http.ResponseWriter, r *http.Request) error { return h.transfer(w, r, false) }
