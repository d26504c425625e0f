package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/webos-go/webos"
)

//go:embed static/htmx.min.js static/webos.js static/webos.css
var staticFS embed.FS

// Assets serves static files under one URL prefix with content-hashed names
// ("webos.css" is served as "webos.1a2b3c4d5e.css"), so that they can be
// cached forever: every response carries
// "Cache-Control: public, max-age=31536000, immutable" and a changed file
// gets a new URL. Text files are also kept gzip-compressed. The zero value
// is not usable; create one with [NewAssets].
type Assets struct {
	prefix string

	mu       sync.RWMutex
	byName   map[string]*asset
	byHashed map[string]*asset
}

type asset struct {
	hashed string
	ctype  string
	etag   string
	body   []byte
	gz     []byte // nil when compression does not pay
}

// NewAssets returns an empty set of assets served under prefix, e.g.
// "/ui/static".
func NewAssets(prefix string) *Assets {
	return &Assets{
		prefix:   strings.TrimRight(prefix, "/"),
		byName:   map[string]*asset{},
		byHashed: map[string]*asset{},
	}
}

// Add adds (or replaces) the file name with the given content. The name is
// a plain file name such as "app.js"; its extension sets the content type.
func (a *Assets) Add(name string, body []byte) {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:5])
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + h + ext
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	as := &asset{hashed: hashed, ctype: ctype, etag: `"` + h + `"`, body: body}
	if compressible(ctype) && len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			as.gz = buf.Bytes()
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.byName[name]; ok {
		delete(a.byHashed, old.hashed)
	}
	a.byName[name] = as
	a.byHashed[hashed] = as
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// URL returns the hashed URL of the file name, or "" when there is no such
// file.
func (a *Assets) URL(name string) string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	as, ok := a.byName[name]
	if !ok {
		return ""
	}
	return a.prefix + "/" + as.hashed
}

// ServeHTTP serves the file whose hashed name is the last path segment of
// the request. An unknown name — also an outdated hash — is 404.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.URL.Path)
	a.mu.RLock()
	as, ok := a.byHashed[name]
	a.mu.RUnlock()
	if !ok {
		webos.WriteError(w, r, fmt.Errorf("%w: no static file %q", webos.ErrNotFound, name))
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", as.etag)
	h.Set("Content-Type", as.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	if as.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, as.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && acceptsGzip(r) {
		body = as.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			f, err := strconv.ParseFloat(q, 64)
			return err == nil && f > 0
		}
		return true
	}
	return false
}

// builtinAssets returns the shell's embedded files plus the theme's
// stylesheet.
func builtinAssets(prefix string, theme Theme) *Assets {
	a := NewAssets(prefix)
	for _, name := range []string{"htmx.min.js", "webos.js", "webos.css"} {
		b, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			panic("ui: embedded file missing: " + name) // a build problem, caught by every test
		}
		a.Add(name, b)
	}
	a.Add("theme.css", []byte(theme.CSS()))
	a.Add("favicon.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="`+
		theme.Light.Accent+`" stroke-width="2.5" stroke-linejoin="round"><path d="`+iconPaths["grid"]+`"/></svg>`))
	return a
}
