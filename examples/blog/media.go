package blog

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	g "maragu.dev/gomponents"
	h "maragu.dev/gomponents/html"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
)

// Images are not copied into the blog: a post refers to files of afs by
// their URNs, and GET /blog/media/{source}/{path} serves a file only while
// it may be seen — to everyone while a published post refers to it (in
// its body or as its cover), and to writers while a post they may edit
// does (writers who hold afs.PermRead, any file, as the files API gives
// it to them), so that the editor's preview shows a draft's images, and to
// whoever holds a draft's preview link (its token rides on the image
// URLs of the preview page) for the images that draft shows. Any other
// file of afs is 404 there, whoever asks: a file leaves the public web
// when the last post that shows it is unpublished, deleted or edited not
// to show it.

// mediaAllowed reports whether the user in ctx may download the file u.
func (m *Module) mediaAllowed(ctx context.Context, u string) (bool, error) {
	n, err := m.posts.CountUpTo(ctx, publicWhere(m.now(), store.Eq("images", u)), 1)
	if err != nil || n > 0 {
		return n > 0, err
	}
	uid := identity.ID(ctx)
	if uid == "" || !m.app.Can(ctx, PermWrite) {
		return false, nil
	}
	if m.app.Can(ctx, afs.PermRead) {
		// A writer who may read every file sees the one just picked in
		// the preview before the post is saved.
		return true, nil
	}
	f := store.Eq("images", u)
	if !m.app.Can(ctx, PermAdmin) {
		f = store.And(f, store.Eq("author", uid))
	}
	n, err = m.posts.CountUpTo(ctx, f, 1)
	return n > 0, err
}

func (m *Module) media(w http.ResponseWriter, r *http.Request) error {
	u, err := afs.NewURN(r.PathValue("source"), r.PathValue("path"))
	if err != nil {
		return notFound("file")
	}
	ok, err := m.mediaAllowed(r.Context(), u.String())
	if err != nil {
		return err
	}
	if !ok {
		ok = m.previewShows(r.Context(), r.URL.Query().Get("preview"), u.String())
	}
	if !ok {
		return notFound("file")
	}
	f, err := m.fs.Open(r.Context(), u)
	if err != nil {
		if errors.Is(err, afs.ErrNotFound) {
			return notFound("file")
		}
		return err
	}
	defer f.Close()
	info := f.Info()
	hd := w.Header()
	ctype := info.ContentType
	if !strings.HasPrefix(ctype, "image/") || ctype == "image/svg+xml" {
		ctype = "application/octet-stream" // shown by no browser as a page
		hd.Set("Content-Disposition", "attachment")
	}
	hd.Set("Content-Type", ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "public, no-cache")
	if info.ETag != "" {
		hd.Set("ETag", info.ETag)
	}
	afs.ServeContent(w, r, info.ModTime, f)
	return nil
}

// imageTypes are the images an upload may be, by their sniffed type. SVG
// is not among them: it can carry script.
var imageTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}

// maxImage is the largest image an author may upload.
const maxImage = 10 << 20

// Upload saves one image into the image folder of the settings, under
// a name no other upload has, and returns its URN.
func (m *Module) Upload(ctx context.Context, name string, r io.Reader) (afs.URN, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return afs.URN{}, fmt.Errorf("%w: reading the upload", webos.ErrBadRequest)
	}
	head = head[:n]
	ctype := http.DetectContentType(head)
	ext, ok := imageTypes[ctype]
	if !ok {
		return afs.URN{}, webos.Invalid("file", "must be a PNG, JPEG, GIF or WebP image")
	}
	folder, err := afs.Parse(strings.TrimRight(m.settings.Get(ctx).ImageFolder, "/"))
	if err != nil {
		return afs.URN{}, fmt.Errorf("blog: the image folder setting: %w", err)
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), path.Ext(name))
	base = Slugify(base)
	rnd := make([]byte, 6)
	_, _ = rand.Read(rnd)
	now := m.now().UTC()
	p := fmt.Sprintf("%s/%04d/%02d/%s-%s%s", folder.Path(), now.Year(), now.Month(), base, hex.EncodeToString(rnd), ext)
	u, err := afs.NewURN(folder.Source(), strings.TrimPrefix(p, "/"))
	if err != nil {
		return afs.URN{}, err
	}
	body := io.MultiReader(strings.NewReader(string(head)), io.LimitReader(r, maxImage-int64(n)+1))
	lr := &limited{r: body, n: maxImage}
	if _, err := m.fs.Save(ctx, u, lr, &afs.SaveOptions{ContentType: ctype, IfNoneMatch: true}); err != nil {
		if lr.over {
			return afs.URN{}, fmt.Errorf("%w: an image has at most %d MiB", webos.ErrTooLarge, maxImage>>20)
		}
		return afs.URN{}, err
	}
	return u, nil
}

// limited fails a read past n bytes, so that a too-large upload stores
// nothing.
type limited struct {
	r    io.Reader
	n    int64
	over bool
}

var errTooLarge = errors.New("blog: image too large")

func (l *limited) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		l.over = true
		return 0, errTooLarge
	}
	return k, err
}

// Preview links: /blog/preview/<token> shows a draft to whoever has the
// link until it expires. The token is the post id and the expiry, signed
// with HMAC-SHA256 by a key made of the application's secret keys
// (WEBOS_SECRET_KEYS; without them, a key of the process, so links end
// with it). Rotating the keys ends the links signed with retired ones.

// PreviewLink returns a signed link to the post id that works until
// expires.
func (m *Module) PreviewLink(ctx context.Context, id string) (link string, expires time.Time, err error) {
	if _, err := m.editable(ctx, id); err != nil {
		return "", time.Time{}, err
	}
	expires = m.now().Add(time.Duration(m.settings.Get(ctx).PreviewTTL) * time.Hour).UTC().Truncate(time.Second)
	payload := id + "." + strconv.FormatInt(expires.Unix(), 10)
	return m.prefix + "/preview/" + payload + "." + sign(m.keys[0], payload), expires, nil
}

func sign(key []byte, payload string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// checkPreview returns the post id of a valid, unexpired token.
func (m *Module) checkPreview(token string) (string, bool) {
	id, rest, ok1 := strings.Cut(token, ".")
	exp, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || len(token) > 200 {
		return "", false
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || m.now().Unix() >= secs {
		return "", false
	}
	for _, k := range m.keys {
		if hmac.Equal([]byte(sign(k, id+"."+exp)), []byte(sig)) {
			return id, true
		}
	}
	return "", false
}

func (m *Module) previewPage(w http.ResponseWriter, r *http.Request) error {
	id, ok := m.checkPreview(r.PathValue("token"))
	if !ok {
		return notFound("preview (the link is wrong or expired)")
	}
	p, err := m.posts.Get(r.Context(), id)
	if err != nil {
		return notFound("post")
	}
	s := m.settings.Get(r.Context())
	pm := m.postMeta(p, true)
	// The draft's images come with the link's token: see previewShows.
	token := r.PathValue("token")
	shown := *p
	shown.HTML = mediaSrc.ReplaceAllString(p.HTML, `src="$1?preview=`+token+`"`)
	cover := shown.Cover
	shown.Cover = "" // shown above the article, with the token
	p = &shown
	var buf strings.Builder
	if err := m.document(r, s, pm, g.Group{h.P(h.Class("preview-banner"), h.Role("status"),
		g.Textf("Preview of a %s post: only people with this link see it.", p.Status)),
		g.If(cover != "", h.Img(h.Class("cover"), h.Src(m.render.MediaURL(cover)+"?preview="+token), h.Alt(""))),
		m.article(p)}).Render(&buf); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Security-Policy", publicCSP)
	hd.Set("X-Robots-Tag", "noindex")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, buf.String())
	return nil
}

// mediaSrc finds the media links in the pipeline's output.
var mediaSrc = regexp.MustCompile(`src="(/[^"?]*/media/[^"?]*)"`)

// previewShows reports whether token is a valid preview link of a post
// that shows the file u: whoever has the link sees the draft's images.
func (m *Module) previewShows(ctx context.Context, token, u string) bool {
	if token == "" {
		return false
	}
	id, ok := m.checkPreview(token)
	if !ok {
		return false
	}
	n, err := m.posts.CountUpTo(ctx, store.And(store.Eq("_id", id), store.Eq("images", u)), 1)
	return err == nil && n > 0
}
