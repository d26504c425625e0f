package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
)

// Ingested is the outcome of adding one file: the asset, and whether it
// was already in the library (the same content, added before).
type Ingested struct {
	Asset     Asset `json:"asset"`
	Duplicate bool  `json:"duplicate"`
}

// Ingest adds the file name with content r to the library of the user in
// ctx. The content is read once, into a temporary file, while its SHA-256
// is computed and its type sniffed; content the user already has is not
// stored again — the existing asset comes back with Duplicate set. A
// name whose extension claims an image, a video, audio or a PDF whose
// content is something else is refused (422), so that an executable
// renamed photo.jpg never becomes an "image". Images get their
// derivatives from a background task.
func (m *Module) Ingest(ctx context.Context, name string, r io.Reader) (*Ingested, error) {
	owner := identity.ID(ctx)
	if owner == "" {
		return nil, store.ErrNoUser
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "" || name == "." || name == "/" || len(name) > 255 {
		return nil, webos.Invalid("name", "must be a file name of 1 to 255 characters")
	}
	tmp, err := os.CreateTemp(m.tmp, "ingest-*")
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, sum), io.LimitReader(r, m.cfg.MaxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", webos.ErrBadRequest, name, err)
	}
	if n > m.cfg.MaxUpload {
		return nil, fmt.Errorf("%w: %s is larger than the limit of %d bytes", webos.ErrTooLarge, name, m.cfg.MaxUpload)
	}
	head := make([]byte, 512)
	k, _ := tmp.ReadAt(head, 0)
	typ := sniff(head[:k])
	kind := kindOf(typ)
	if claimed := claimedKind(name); claimed != "" && claimed != kind {
		return nil, webos.Invalid("file", fmt.Sprintf("%s is named as %s file but its content is %s", name, article(claimed), typ))
	}
	hash := hex.EncodeToString(sum.Sum(nil))
	if a, err := m.assets.FindOne(ctx, store.Eq("sha256", hash)); err == nil {
		return &Ingested{Asset: *a, Duplicate: true}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	a := Asset{Name: name, Type: typ, Kind: kind, Size: n, SHA256: hash, Title: strings.TrimSuffix(name, path.Ext(name)),
		Tags: []string{}, Albums: []string{}, Derivatives: []Derivative{}, Thumbs: ThumbsNone}
	if len(a.Title) > 200 {
		a.Title = a.Title[:200]
	}
	if kind == KindImage {
		if _, err := tmp.Seek(0, io.SeekStart); err == nil {
			if x, err := ReadEXIF(tmp); err == nil {
				a.EXIF = x
				a.Camera = camera(x.Make, x.Model)
			}
		}
		if _, err := tmp.Seek(0, io.SeekStart); err == nil {
			if cfg, _, err := image.DecodeConfig(tmp); err == nil {
				a.Width, a.Height = cfg.Width, cfg.Height
				if a.EXIF.Orientation >= 5 {
					a.Width, a.Height = a.Height, a.Width
				}
			}
		}
		if thumbnailable[typ] {
			a.Thumbs = ThumbsPending
		}
	}
	a.Date = a.EXIF.TakenAt
	if a.Date.IsZero() {
		a.Date = time.Now().UTC().Truncate(time.Millisecond)
	}
	dst, err := m.root.Join(owner + "/" + hash[:2] + "/" + hash + extFor(typ, name))
	if err != nil {
		return nil, err
	}
	a.URN = dst.String()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := m.fs.Save(ctx, dst, tmp, &afs.SaveOptions{ContentType: typ, IfNoneMatch: true}); err != nil && !errors.Is(err, afs.ErrPrecondition) {
		return nil, err
	}
	if err := m.assets.Insert(ctx, &a); err != nil {
		if errors.Is(err, store.ErrConflict) { // the same content, added at the same moment
			if b, err := m.assets.FindOne(ctx, store.Eq("sha256", hash)); err == nil {
				return &Ingested{Asset: *b, Duplicate: true}, nil
			}
		}
		return nil, err
	}
	if a.Thumbs == ThumbsPending {
		m.queueThumbnail(ctx, a.ID)
	}
	return &Ingested{Asset: a}, nil
}

// camera is "make model", without the make twice when the model names it.
func camera(mk, model string) string {
	if mk != "" && strings.HasPrefix(strings.ToLower(model), strings.ToLower(mk)) {
		return strings.TrimSpace(model)
	}
	return strings.TrimSpace(mk + " " + model)
}

func article(kind string) string {
	if kind == KindImage || kind == KindAudio {
		return "an " + kind
	}
	if kind == KindPDF {
		return "a PDF"
	}
	return "a " + kind
}

// queueThumbnail enqueues the derivatives of asset id. The task belongs to
// no user: derivatives are the library's own work, so a large import is
// not held to the per-user limit of queued tasks; the queue's bounded
// concurrency and the memory budget keep it from taking the server. An
// enqueue that fails leaves the asset pending, for "regenerate missing".
func (m *Module) queueThumbnail(ctx context.Context, id string) {
	qctx, cancel := context.WithTimeout(context.WithoutCancel(withoutUser(ctx)), 5*time.Second)
	defer cancel()
	if _, err := m.thumbnail.Enqueue(qctx, thumbTask{Asset: id}); err != nil {
		m.log.WarnContext(ctx, "media: thumbnail not queued; regenerate missing thumbnails to make it", "asset", id, "err", err)
	}
}

// withoutUser returns ctx with no acting user.
func withoutUser(ctx context.Context) context.Context { return identity.With(ctx, nil) }

// thumbTask is the payload of the thumbnail task.
type thumbTask struct {
	Asset string `json:"asset"`
}

// runThumbnail makes the derivatives of one asset. A failure counts in the
// asset; after MaxAttempts, or at once when the header alone shows the
// image cannot be decoded within the limits, the asset is quarantined
// with the reason and the task ends: it is never queued again by itself.
func (m *Module) runThumbnail(ctx context.Context, p thumbTask) (any, error) {
	a, err := m.assets.Unscoped().Get(ctx, p.Asset)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	if a.Thumbs != ThumbsPending {
		return map[string]string{"thumbs": a.Thumbs}, nil
	}
	if err := m.makeDerivatives(ctx, a); err != nil {
		return nil, err
	}
	return map[string]string{"thumbs": ThumbsReady}, nil
}

// makeDerivatives makes and stores the ladder of a, or records the failure.
func (m *Module) makeDerivatives(ctx context.Context, a *Asset) error {
	u, err := afs.Parse(a.URN)
	if err != nil {
		return m.quarantine(ctx, a, err.Error())
	}
	open := func() (io.ReadCloser, error) { return m.fs.Open(ctx, u) }
	ds, err := m.thumbs.derive(ctx, open, a.EXIF.Orientation)
	switch {
	case err == nil:
	case errors.Is(err, ErrTooManyPixels), errors.Is(err, ErrOverBudget), errors.Is(err, afs.ErrNotFound):
		return tasks.Permanent(m.quarantine(ctx, a, err.Error()))
	case ctx.Err() != nil:
		return err // shutting down or timed out: not the image's fault
	default:
		b, uerr := m.assets.Unscoped().Update(ctx, a.ID, store.Inc("attempts", 1), store.Set("reason", err.Error()))
		if uerr != nil {
			return uerr
		}
		if b.Attempts >= m.cfg.MaxAttempts {
			return tasks.Permanent(m.quarantine(ctx, b, fmt.Sprintf("after %d attempts: %v", b.Attempts, err)))
		}
		return err
	}
	out := make([]Derivative, 0, len(ds))
	for _, d := range ds {
		du, err := m.root.Join(a.CreatedBy + "/d/" + a.ID + fmt.Sprintf(".w%d.jpg", d.px))
		if err != nil {
			return err
		}
		if _, err := m.fs.Save(ctx, du, bytes.NewReader(d.jpeg), &afs.SaveOptions{ContentType: "image/jpeg"}); err != nil {
			return err
		}
		out = append(out, Derivative{Size: d.px, URN: du.String(), Width: d.w, Height: d.h})
	}
	b, err := m.assets.Unscoped().Update(ctx, a.ID, store.Set("derivatives", out), store.Set("thumbs", ThumbsReady), store.Set("reason", ""))
	if errors.Is(err, store.ErrNotFound) {
		m.removeFiles(ctx, out, "") // deleted while we worked
		return nil
	}
	if err != nil {
		return err
	}
	_ = m.app.Bus().Emit(ctx, TopicThumbnailed, *b)
	return nil
}

// quarantine marks a as one whose derivatives cannot be made, with the
// reason, and returns an error saying so.
func (m *Module) quarantine(ctx context.Context, a *Asset, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	b, err := m.assets.Unscoped().Update(ctx, a.ID, store.Set("thumbs", ThumbsQuarantined), store.Set("reason", reason))
	if err == nil {
		_ = m.app.Bus().Emit(ctx, TopicThumbnailed, *b)
	}
	m.log.WarnContext(ctx, "media: asset quarantined", "asset", a.ID, "reason", reason)
	return fmt.Errorf("media: %s quarantined: %s", a.ID, reason)
}

// removeFiles deletes derivatives and, when original is set, the original.
func (m *Module) removeFiles(ctx context.Context, ds []Derivative, original string) {
	for _, d := range ds {
		if u, err := afs.Parse(d.URN); err == nil {
			_ = m.fs.Delete(ctx, u, nil)
		}
	}
	if original != "" {
		if u, err := afs.Parse(original); err == nil {
			_ = m.fs.Delete(ctx, u, nil)
		}
	}
}

// importTask is the payload of the folder import.
type importTask struct {
	Folder string `json:"folder" validate:"required"`
}

// ImportSummary is the result of a folder import.
type ImportSummary struct {
	Added      int      `json:"added"`
	Duplicates int      `json:"duplicates"`
	Refused    []string `json:"refused"`
}

// runImport adds every file below an afs folder to the library of the
// user who started it, one after the other; files it cannot take are
// listed in the summary, not fatal.
func (m *Module) runImport(ctx context.Context, p importTask) (any, error) {
	folder, err := afs.Parse(p.Folder)
	if err != nil {
		return nil, tasks.Permanent(err)
	}
	sum := ImportSummary{Refused: []string{}}
	token, done := "", 0
	for {
		pg, err := m.fs.List(ctx, folder, &afs.ListOptions{Recursive: true, PageSize: 200, PageToken: token})
		if err != nil {
			return nil, err
		}
		for _, it := range pg.Items {
			if it.Folder || strings.HasPrefix(it.URN.Path(), m.root.Path()+"/") && it.URN.Source() == m.root.Source() {
				continue
			}
			f, err := m.fs.Open(ctx, it.URN)
			if err != nil {
				sum.Refused = append(sum.Refused, it.Name+": "+err.Error())
				continue
			}
			res, err := m.Ingest(ctx, it.Name, f)
			f.Close()
			switch {
			case err != nil:
				if len(sum.Refused) < 100 {
					sum.Refused = append(sum.Refused, it.Name+": "+err.Error())
				}
			case res.Duplicate:
				sum.Duplicates++
			default:
				sum.Added++
			}
			done++
			_ = tasks.Progress(ctx, 0, fmt.Sprintf("%d files: %d added, %d duplicates", done, sum.Added, sum.Duplicates))
		}
		if pg.NextPageToken == "" {
			break
		}
		token = pg.NextPageToken
	}
	return sum, nil
}

// regenerateTask is the payload of "regenerate missing thumbnails".
type regenerateTask struct{}

// RegenerateSummary is the result of "regenerate missing thumbnails".
type RegenerateSummary struct {
	Made        int `json:"made"`
	Quarantined int `json:"quarantined"`
}

// runRegenerate makes the derivatives of every pending asset of every
// user, one at a time in this one task, through the same memory budget:
// however many are missing, it adds one decode to the server's load, and
// quarantined assets are left alone.
func (m *Module) runRegenerate(ctx context.Context, _ regenerateTask) (any, error) {
	var sum RegenerateSummary
	after := ""
	for {
		pg, err := m.assets.Unscoped().Page(ctx, store.Query{Where: store.Eq("thumbs", ThumbsPending), Sort: []string{"_id"}, Limit: 100, After: after})
		if err != nil {
			return nil, err
		}
		for i := range pg.Items {
			a := &pg.Items[i]
			err := m.makeDerivatives(ctx, a)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil {
				sum.Quarantined++
			} else {
				sum.Made++
			}
			_ = tasks.Progress(ctx, 0, fmt.Sprintf("%d made, %d failed", sum.Made, sum.Quarantined))
		}
		if pg.Next == "" {
			return sum, nil
		}
		after = pg.Next
	}
}

// incoming returns a new folder for one upload of the user in ctx.
func (m *Module) incoming(ctx context.Context) (afs.URN, error) {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	u, err := m.root.Join("incoming/" + identity.ID(ctx) + "/" + hex.EncodeToString(raw[:]))
	if err != nil {
		return afs.URN{}, err
	}
	return u, m.fs.Mkdir(ctx, u)
}

// isIncoming reports whether u lies in an upload folder of the user in ctx.
func (m *Module) isIncoming(ctx context.Context, u afs.URN) bool {
	base, err := m.root.Join("incoming/" + identity.ID(ctx))
	return err == nil && u.Source() == base.Source() && strings.HasPrefix(u.Path(), base.Path()+"/")
}
