package files

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/trace"
)

// The resumable uploads follow tus 1.0 (https://tus.io/protocols/resumable-upload)
// with its creation and termination extensions: POST makes an upload of a
// declared length, HEAD tells how much of it arrived, PATCH appends from
// that offset, DELETE gives it up. Every byte that reaches the server is
// kept in a part file in the upload folder, also when the connection
// drops mid-request, so the client resumes where the server stands, after
// a dropped connection or a restart of the server. Only when the last
// byte is in is the file saved to its afs destination, in one staged
// write: no half file is ever visible there.

// TusVersion is the version of the tus protocol the uploads speak.
const TusVersion = "1.0.0"

// upload is the state of one resumable upload, kept as JSON beside its
// part file.
type upload struct {
	ID       string    `json:"id"`
	Owner    string    `json:"owner"`
	Folder   afs.URN   `json:"folder"`
	Name     string    `json:"name"`
	Type     string    `json:"type,omitempty"`
	Conflict string    `json:"conflict"`
	Length   int64     `json:"length"`
	Created  time.Time `json:"created"`
}

// uploads keeps the unfinished uploads in a folder.
type uploads struct {
	dir    string
	max    int64
	expiry time.Duration

	mu    sync.Mutex
	busy  map[string]bool // uploads a PATCH is writing to
	stop  chan struct{}
	done  chan struct{}
	close func()
}

func openUploads(dir string, maxSize int64, expiry time.Duration) (*uploads, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	u := &uploads{dir: dir, max: maxSize, expiry: expiry, busy: map[string]bool{},
		stop: make(chan struct{}), done: make(chan struct{})}
	var once sync.Once
	u.close = func() { once.Do(func() { close(u.stop); <-u.done }) }
	go u.sweep()
	return u, nil
}

// sweep removes uploads untouched for longer than the expiry, hourly.
func (u *uploads) sweep() {
	defer close(u.done)
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		u.expire(time.Now())
		select {
		case <-u.stop:
			return
		case <-t.C:
		}
	}
}

func (u *uploads) expire(now time.Time) {
	entries, _ := os.ReadDir(u.dir)
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !validID(id) {
			continue
		}
		fi, err := os.Stat(u.path(id, ".part"))
		if err != nil || now.Sub(fi.ModTime()) > u.expiry {
			u.remove(id)
		}
	}
}

func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (u *uploads) path(id, ext string) string { return filepath.Join(u.dir, id+ext) }

func (u *uploads) remove(id string) {
	_ = os.Remove(u.path(id, ".part"))
	_ = os.Remove(u.path(id, ".json"))
}

// errNoUpload is the answer for an unknown upload, also another user's.
var errNoUpload = fmt.Errorf("%w: no such upload (it finished, expired or was cancelled)", webos.ErrNotFound)

// load returns the upload id of the user in ctx and how many bytes of it
// arrived.
func (u *uploads) load(ctx context.Context, id string) (*upload, int64, error) {
	if !validID(id) {
		return nil, 0, errNoUpload
	}
	b, err := os.ReadFile(u.path(id, ".json"))
	if err != nil {
		return nil, 0, errNoUpload
	}
	var up upload
	if err := json.Unmarshal(b, &up); err != nil || up.Owner != identity.ID(ctx) {
		return nil, 0, errNoUpload
	}
	fi, err := os.Stat(u.path(id, ".part"))
	if err != nil {
		return nil, 0, errNoUpload
	}
	return &up, fi.Size(), nil
}

func tusHeaders(w http.ResponseWriter) {
	w.Header().Set("Tus-Resumable", TusVersion)
	w.Header().Set("Cache-Control", "no-store")
}

// tusOK answers 412 to a request of another tus version and reports
// whether the request may go on.
func tusOK(w http.ResponseWriter, r *http.Request) bool {
	tusHeaders(w)
	if v := r.Header.Get("Tus-Resumable"); v != TusVersion {
		w.Header().Set("Tus-Version", TusVersion)
		writeStatus(w, r, http.StatusPreconditionFailed, "Tus-Resumable must be "+TusVersion)
		return false
	}
	return true
}

// writeStatus answers with a status the kernel's error mapping has no
// error for (412, 415), as JSON like every other error.
func writeStatus(w http.ResponseWriter, r *http.Request, status int, msg string) {
	webos.WriteJSON(w, status, webos.ErrorBody{Error: msg, TraceID: trace.ID(r.Context())})
}

func (m *Module) uploadOptions(w http.ResponseWriter, r *http.Request) error {
	tusHeaders(w)
	w.Header().Set("Tus-Version", TusVersion)
	w.Header().Set("Tus-Extension", "creation,termination")
	w.Header().Set("Tus-Max-Size", strconv.FormatInt(m.uploads.max, 10))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// parseMetadata reads the Upload-Metadata header: comma-separated "key
// base64value" pairs.
func parseMetadata(h string) (map[string]string, error) {
	md := map[string]string{}
	if strings.TrimSpace(h) == "" {
		return md, nil
	}
	for pair := range strings.SplitSeq(h, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(pair), " ")
		if k == "" {
			return nil, errors.New("empty key")
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("value of %q is not base64", k)
		}
		md[k] = string(b)
	}
	return md, nil
}

// uploadCreate makes a new upload. Upload-Metadata names the file
// ("filename"), its folder ("folder", a URN), its type ("filetype") and
// the conflict policy ("conflict": skip, overwrite or keep; default keep).
func (m *Module) uploadCreate(w http.ResponseWriter, r *http.Request) error {
	if !tusOK(w, r) {
		return nil
	}
	n, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%w: Upload-Length must be the file's size in bytes", webos.ErrBadRequest)
	}
	if n > m.uploads.max {
		return fmt.Errorf("%w: the file is %s, the limit is %s", webos.ErrTooLarge, humanBytes(n), humanBytes(m.uploads.max))
	}
	md, err := parseMetadata(r.Header.Get("Upload-Metadata"))
	if err != nil {
		return fmt.Errorf("%w: Upload-Metadata: %v", webos.ErrBadRequest, err)
	}
	folder, err := parseURN("folder", md["folder"])
	if err != nil {
		return err
	}
	name := md["filename"]
	if err := validName("filename", name); err != nil {
		return err
	}
	if _, err := folder.Join(name); err != nil {
		return webos.Invalid("filename", problem(err))
	}
	if err := m.checkFolder(r, folder); err != nil {
		return err
	}
	conflict := md["conflict"]
	switch conflict {
	case "":
		conflict = ConflictKeep
	case ConflictSkip, ConflictOverwrite, ConflictKeep:
	default:
		return webos.Invalid("conflict", "must be skip, overwrite or keep")
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	up := upload{ID: hex.EncodeToString(raw[:]), Owner: identity.ID(r.Context()), Folder: folder, Name: name,
		Type: md["filetype"], Conflict: conflict, Length: n, Created: time.Now().UTC()}
	if len(up.Type) > 200 {
		up.Type = ""
	}
	if err := m.uploads.create(&up); err != nil {
		return err
	}
	w.Header().Set("Location", m.api("/uploads/"+up.ID))
	w.Header().Set("Upload-Offset", "0")
	if n == 0 {
		if _, err := m.finish(r.Context(), &up); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (u *uploads) create(up *upload) error {
	b, _ := json.Marshal(up)
	f, err := os.OpenFile(u.path(up.ID, ".part"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	tmp := u.path(up.ID, ".json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, u.path(up.ID, ".json"))
}

func (m *Module) uploadHead(w http.ResponseWriter, r *http.Request) error {
	if !tusOK(w, r) {
		return nil
	}
	id := r.PathValue("id")
	if _, _, err := m.uploads.load(r.Context(), id); err != nil {
		return err
	}
	// The offset is only known once no request is writing.
	if !m.uploads.lock(r.Context(), id) {
		return fmt.Errorf("%w: another request is writing this upload", webos.ErrConflict)
	}
	up, off, err := m.uploads.load(r.Context(), id)
	m.uploads.unlock(id)
	if err != nil {
		return err
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(off, 10))
	w.Header().Set("Upload-Length", strconv.FormatInt(up.Length, 10))
	w.WriteHeader(http.StatusOK)
	return nil
}

// uploadPatch appends the body at Upload-Offset. What arrives is on disk
// as it arrives: a request cut short keeps its bytes, and the next HEAD
// tells the client where to go on.
func (m *Module) uploadPatch(w http.ResponseWriter, r *http.Request) error {
	if !tusOK(w, r) {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/offset+octet-stream" {
		writeStatus(w, r, http.StatusUnsupportedMediaType, "Content-Type must be application/offset+octet-stream")
		return nil
	}
	id := r.PathValue("id")
	up, off, err := m.uploads.load(r.Context(), id)
	if err != nil {
		return err
	}
	want, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || want < 0 {
		return fmt.Errorf("%w: Upload-Offset must be a number of bytes", webos.ErrBadRequest)
	}
	// A body that does not start where the upload stands is refused at
	// once, without reading it (and without keeping the connection, which
	// would read it): a browser that retries a request cut off by a
	// dropped connection sends it from its start.
	mismatch := func(off int64) error {
		w.Header().Set("Upload-Offset", strconv.FormatInt(off, 10))
		w.Header().Set("Connection", "close")
		return fmt.Errorf("%w: Upload-Offset is %d, the server has %d bytes", webos.ErrConflict, want, off)
	}
	if want < off {
		return mismatch(off)
	}
	if !m.uploads.tryLock(id) {
		w.Header().Set("Connection", "close")
		return fmt.Errorf("%w: another request is writing this upload; ask for its offset (HEAD) and go on from there", webos.ErrConflict)
	}
	defer m.uploads.unlock(id)
	if _, off, err = m.uploads.load(r.Context(), id); err != nil {
		return err
	}
	if want != off {
		return mismatch(off)
	}
	f, err := os.OpenFile(m.uploads.path(id, ".part"), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errNoUpload
	}
	n, copyErr := io.Copy(f, io.LimitReader(r.Body, up.Length-off))
	closeErr := f.Close()
	off += n
	w.Header().Set("Upload-Offset", strconv.FormatInt(off, 10))
	if copyErr != nil {
		return fmt.Errorf("%w: the upload stopped at %d of %d bytes; resume from there", webos.ErrBadRequest, off, up.Length)
	}
	if closeErr != nil {
		return closeErr
	}
	if off == up.Length {
		if _, err := m.finish(r.Context(), up); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// lock takes the upload id for one request. A request that finds it
// taken waits a little for the other one to end: after a dropped
// connection the client asks again at once, while the request that lost
// its connection still writes what arrived.
func (u *uploads) lock(ctx context.Context, id string) bool {
	deadline := time.Now().Add(lockWait)
	for {
		u.mu.Lock()
		if !u.busy[id] {
			u.busy[id] = true
			u.mu.Unlock()
			return true
		}
		u.mu.Unlock()
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tryLock takes the upload id for one request if no other has it.
func (u *uploads) tryLock(id string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.busy[id] {
		return false
	}
	u.busy[id] = true
	return true
}

// lockWait is how long a request waits for another one on the same upload.
const lockWait = 5 * time.Second

func (u *uploads) unlock(id string) {
	u.mu.Lock()
	delete(u.busy, id)
	u.mu.Unlock()
}

// finish saves a complete upload to its destination and forgets it.
func (m *Module) finish(ctx context.Context, up *upload) (afs.URN, error) {
	dst, err := up.Folder.Join(up.Name)
	if err != nil {
		return afs.URN{}, err
	}
	opts := &afs.SaveOptions{ContentType: up.Type}
	if _, err := m.fs.Stat(ctx, dst); err == nil {
		switch up.Conflict {
		case ConflictSkip:
			m.uploads.remove(up.ID)
			return afs.URN{}, fmt.Errorf("%w: %s exists and was kept", afs.ErrExists, up.Name)
		case ConflictKeep:
			if dst, err = m.freeName(ctx, dst); err != nil {
				return afs.URN{}, err
			}
			opts.IfNoneMatch = true
		}
	} else {
		opts.IfNoneMatch = true
	}
	f, err := os.Open(m.uploads.path(up.ID, ".part"))
	if err != nil {
		return afs.URN{}, errNoUpload
	}
	defer f.Close()
	if _, err := m.fs.Save(ctx, dst, f, opts); err != nil {
		return afs.URN{}, err
	}
	m.uploads.remove(up.ID)
	return dst, nil
}

func (m *Module) uploadDelete(w http.ResponseWriter, r *http.Request) error {
	if !tusOK(w, r) {
		return nil
	}
	id := r.PathValue("id")
	if _, _, err := m.uploads.load(r.Context(), id); err != nil {
		return err
	}
	if !m.uploads.lock(r.Context(), id) {
		return fmt.Errorf("%w: another request is writing this upload", webos.ErrConflict)
	}
	defer m.uploads.unlock(id)
	m.uploads.remove(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
