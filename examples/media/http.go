package media

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/store"
)

// Routes serves the library under /media:
//
//	GET  /media/                          the gallery (?q, kind, album, camera, from, to: YYYY-MM-DD)
//	GET  /media/more?after=C&…            the next page of the gallery (an HTML fragment)
//	GET  /media/tile/{id}                 one tile of the gallery (polled while its thumbnail is made)
//	GET  /media/assets/{id}               the detail view
//	POST /media/assets/{id}               edit title, description, tags, albums (form or JSON)
//	GET  /media/assets/{id}/file/{size}   the original ("original") or a ladder size (256, 1280); others are 400
//	GET  /media/api/assets                the user's assets as refs, a page at a time (same filters; after=C)
//	GET  /media/api/assets/{id}           one asset
//	POST /media/api/uploads               → {"folder"}: a folder to upload into with the files app's tus API
//	POST /media/api/ingest                {"urns": [...]}: add uploaded (or any readable afs) files
//	POST /media/api/bulk                  {"ids", "action": tag|untag|album|delete, "value", "force"}
//	POST /media/api/import                {"folder"} → 202 {"task"}: import a folder in the background
//	POST /media/api/regenerate            → 202 {"task"}: make missing derivatives (media.admin)
//
// Everything needs media.use and sees only the user's own assets.
func (m *Module) Routes(r *webos.Router) {
	m.prefix = r.Prefix()
	use := r.Require(PermUse)
	small := webos.BodyLimit(256 << 10)
	use.HandleFunc("GET /{$}", m.gallery)
	use.HandleFunc("GET /more", m.more)
	use.HandleFunc("GET /tile/{id}", m.tile)
	use.HandleFunc("GET /assets/{id}", m.detail)
	use.HandleFunc("POST /assets/{id}", m.edit, small, webos.Describe(webos.Operation{
		Summary: "Edit an asset's title, description, tags and albums", Request: editBody{}, Response: Ref{}}))
	use.HandleFunc("GET /assets/{id}/file/{size}", m.file, webos.Stream())
	use.HandleFunc("GET /api/assets", m.listAPI, webos.Describe(webos.Operation{
		Summary: "The user's assets, newest first, a page at a time", Response: refPage{}}))
	use.HandleFunc("GET /api/assets/{id}", m.getAPI, webos.Describe(webos.Operation{Summary: "One asset", Response: Ref{}}))
	use.HandleFunc("POST /api/uploads", m.uploadFolder, small, webos.Describe(webos.Operation{
		Summary: "A folder to upload into with the files app's resumable uploads", Response: uploadFolder{}}))
	use.HandleFunc("POST /api/ingest", m.ingestAPI, small, webos.Timeout(10*time.Minute), webos.Describe(webos.Operation{
		Summary: "Add uploaded files to the library", Request: ingestBody{}, Response: []ingestResult{}}))
	use.HandleFunc("POST /api/bulk", m.bulk, small, webos.Describe(webos.Operation{
		Summary: "Tag, file into an album or delete several assets", Request: bulkBody{}, Response: bulkResult{}}))
	use.HandleFunc("POST /api/import", m.importAPI, small, webos.Describe(webos.Operation{
		Summary: "Import a folder of afs in the background", Request: importTask{}, Response: taskStarted{}, Status: http.StatusAccepted}))
	r.Require(PermUse, PermAdmin).HandleFunc("POST /api/regenerate", m.regenerateAPI, small, webos.Describe(webos.Operation{
		Summary: "Make the missing derivatives of every library", Response: taskStarted{}, Status: http.StatusAccepted}))
}

// Search returns the assets of the user in ctx whose title or file name
// contains q (ignoring case) or that carry the tag q, newest first, at
// most limit (1 to 100) of them. It is the library's search for other
// parts of the application, such as the command palette.
func (m *Module) Search(ctx context.Context, q string, limit int) ([]Ref, error) {
	limit = min(max(limit, 1), 100)
	pg, err := m.assets.Page(ctx, store.Query{Where: searchFilter(q), Sort: []string{"-date"}, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Ref, len(pg.Items))
	for i := range pg.Items {
		out[i] = m.ref(&pg.Items[i])
	}
	return out, nil
}

func searchFilter(q string) store.Filter {
	q = strings.TrimSpace(q)
	if q == "" {
		return store.Filter{}
	}
	return store.Or(store.Contains("title", q), store.Contains("name", q), store.Eq("tags", strings.ToLower(q)))
}

// query is what the gallery and the list API filter by.
type query struct {
	Q, Kind, Album, Camera string
	From, To               time.Time
	FromS, ToS             string
	After                  string
}

func parseQuery(r *http.Request) (query, error) {
	v := r.URL.Query()
	q := query{Q: strings.TrimSpace(v.Get("q")), Kind: v.Get("kind"), Album: strings.TrimSpace(v.Get("album")),
		Camera: strings.TrimSpace(v.Get("camera")), FromS: v.Get("from"), ToS: v.Get("to"), After: v.Get("after")}
	if len(q.Q) > 200 || len(q.Album) > 100 || len(q.Camera) > 200 || len(q.After) > 1000 {
		return q, fmt.Errorf("%w: a search term is too long", webos.ErrBadRequest)
	}
	if q.Kind != "" && kindIndex(q.Kind) < 0 {
		return q, webos.Invalid("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	var err error
	if q.FromS != "" {
		if q.From, err = time.Parse("2006-01-02", q.FromS); err != nil {
			return q, webos.Invalid("from", "must be a date, YYYY-MM-DD")
		}
	}
	if q.ToS != "" {
		if q.To, err = time.Parse("2006-01-02", q.ToS); err != nil {
			return q, webos.Invalid("to", "must be a date, YYYY-MM-DD")
		}
		q.To = q.To.Add(24 * time.Hour) // the whole day
	}
	return q, nil
}

func kindIndex(k string) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return -1
}

// empty reports whether q filters nothing.
func (q query) empty() bool {
	return q.Q == "" && q.Kind == "" && q.Album == "" && q.Camera == "" && q.From.IsZero() && q.To.IsZero()
}

func (q query) filter() store.Filter {
	fs := []store.Filter{}
	if q.Kind != "" {
		fs = append(fs, store.Eq("kind", q.Kind))
	}
	if q.Album != "" {
		fs = append(fs, store.Eq("albums", q.Album))
	}
	if q.Camera != "" {
		fs = append(fs, store.Eq("camera", q.Camera))
	}
	if !q.From.IsZero() {
		fs = append(fs, store.Gte("date", q.From))
	}
	if !q.To.IsZero() {
		fs = append(fs, store.Lt("date", q.To))
	}
	if q.Q != "" {
		fs = append(fs, searchFilter(q.Q))
	}
	if len(fs) == 0 {
		return store.Filter{}
	}
	return store.And(fs...)
}

// pageSize is how many tiles a page of the gallery has.
const pageSize = 60

func (m *Module) page(ctx context.Context, q query, limit int) (*store.Page[Asset], error) {
	pg, err := m.assets.Page(ctx, store.Query{Where: q.filter(), Sort: []string{"-date"}, Limit: limit, After: q.After})
	if err != nil && q.After != "" && errors.Is(err, webos.ErrBadRequest) {
		return nil, webos.Invalid("after", "is not a cursor of this list")
	}
	return pg, err
}

// refPage is a page of the list API.
type refPage struct {
	Items []Ref  `json:"items"`
	Next  string `json:"next,omitempty"`
}

func (m *Module) listAPI(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	limit := 30
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 100 {
			return webos.Invalid("limit", "must be a number from 1 to 100")
		}
	}
	pg, err := m.page(r.Context(), q, limit)
	if err != nil {
		return err
	}
	out := refPage{Items: make([]Ref, len(pg.Items)), Next: pg.Next}
	for i := range pg.Items {
		out.Items[i] = m.ref(&pg.Items[i])
	}
	webos.WriteJSON(w, http.StatusOK, out)
	return nil
}

// get returns the user's asset id, or a 404 naming the asset.
func (m *Module) get(ctx context.Context, id string) (*Asset, error) {
	if len(id) > 64 {
		return nil, fmt.Errorf("%w: no such asset", webos.ErrNotFound)
	}
	a, err := m.assets.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no such asset", webos.ErrNotFound)
	}
	return a, err
}

func (m *Module) getAPI(w http.ResponseWriter, r *http.Request) error {
	a, err := m.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, m.ref(a))
	return nil
}

// file serves the original or one ladder size of an asset to its owner.
func (m *Module) file(w http.ResponseWriter, r *http.Request) error {
	size := r.PathValue("size")
	px := 0
	if size != "original" {
		n, err := strconv.Atoi(size)
		if err != nil || !onLadder(n) {
			return fmt.Errorf("%w: size must be original or one of %s: derivatives are made only at those sizes", webos.ErrBadRequest, ladderText())
		}
		px = n
	}
	a, err := m.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	target, ctype := a.URN, a.Type
	if px > 0 {
		d, ok := a.derivative(px)
		if !ok {
			return fmt.Errorf("%w: the %d px size of this asset is not made (yet): its thumbnails are %s", webos.ErrNotFound, px, a.Thumbs)
		}
		target, ctype = d.URN, "image/jpeg"
	}
	u, err := afs.Parse(target)
	if err != nil {
		return err
	}
	f, err := m.fs.Open(r.Context(), u)
	if err != nil {
		return err
	}
	defer f.Close()
	hd := w.Header()
	if !servable(ctype) {
		ctype = "application/octet-stream"
		hd.Set("Content-Disposition", afs.ContentDisposition("attachment", a.Name))
	}
	hd.Set("Content-Type", ctype)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, max-age=3600")
	info := f.Info()
	if info.ETag != "" {
		hd.Set("ETag", info.ETag)
	}
	http.ServeContent(w, r, "", info.ModTime, f)
	return nil
}

// servable are the types the library shows in the browser; everything
// else downloads.
func servable(t string) bool {
	return thumbnailable[t] || t == "application/pdf" || strings.HasPrefix(t, "video/") || strings.HasPrefix(t, "audio/")
}

func ladderText() string {
	s := make([]string, len(Ladder))
	for i, px := range Ladder {
		s[i] = strconv.Itoa(px)
	}
	return strings.Join(s, ", ")
}

// uploadFolder is the answer of POST /media/api/uploads.
type uploadFolder struct {
	Folder string `json:"folder"`
	// Uploads is the files app's tus endpoint.
	Uploads string `json:"uploads"`
	// MaxUpload is the largest file, in bytes.
	MaxUpload int64 `json:"max_upload"`
}

func (m *Module) uploadFolder(w http.ResponseWriter, r *http.Request) error {
	if err := m.app.Authorize(r.Context(), afs.PermWrite); err != nil {
		return err
	}
	u, err := m.incoming(r.Context())
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusOK, uploadFolder{Folder: u.String(), Uploads: "/files/api/uploads", MaxUpload: m.cfg.MaxUpload})
	return nil
}

type ingestBody struct {
	URNs []string `json:"urns" validate:"required,min=1,max=100,dive,required,max=1100"`
}

// ingestResult is one file of POST /media/api/ingest: the asset, or why
// the file was refused.
type ingestResult struct {
	URN       string `json:"urn"`
	Asset     *Ref   `json:"asset,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Error     string `json:"error,omitempty"`
}

// ingestAPI adds files to the library. A file in the user's upload
// folder is removed from there once it is in the library (or found to be
// a duplicate); any other file must be one the user may read, and stays.
func (m *Module) ingestAPI(w http.ResponseWriter, r *http.Request) error {
	var in ingestBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	urns := make([]afs.URN, len(in.URNs))
	for i, s := range in.URNs {
		u, err := afs.Parse(s)
		if err != nil {
			return webos.Invalid("urns", fmt.Sprintf("%q is not a file URN", s))
		}
		if !m.isIncoming(r.Context(), u) {
			if err := m.app.Authorize(r.Context(), afs.PermRead); err != nil {
				return err
			}
		}
		urns[i] = u
	}
	out := make([]ingestResult, len(urns))
	for i, u := range urns {
		out[i] = ingestResult{URN: u.String()}
		res, err := m.ingestURN(r.Context(), u)
		if err != nil {
			if !isClientError(err) {
				return err
			}
			_, body := webos.PublicError(w, r, err)
			out[i].Error = body.Error
			for f, msg := range body.Fields {
				out[i].Error += "; " + f + " " + msg
			}
			continue
		}
		ref := m.ref(&res.Asset)
		out[i].Asset, out[i].Duplicate = &ref, res.Duplicate
	}
	webos.WriteJSON(w, http.StatusOK, out)
	return nil
}

func isClientError(err error) bool {
	s := webos.StatusOf(err)
	return s >= 400 && s < 500
}

func (m *Module) ingestURN(ctx context.Context, u afs.URN) (*Ingested, error) {
	f, err := m.fs.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	info := f.Info()
	res, err := m.Ingest(ctx, info.Name, f)
	f.Close()
	if m.isIncoming(ctx, u) {
		_ = m.fs.Delete(ctx, u, nil)
		_ = m.fs.Delete(ctx, u.Parent(), nil) // the upload's folder, once empty
	}
	return res, err
}

type editBody struct {
	Title       string `json:"title" validate:"max=200"`
	Description string `json:"description" validate:"max=5000"`
	Tags        string `json:"tags" validate:"max=2000"`
	Albums      string `json:"albums" validate:"max=2000"`
}

func (m *Module) edit(w http.ResponseWriter, r *http.Request) error {
	var in editBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	tags, albums := normTags([]string{in.Tags}), normAlbums([]string{in.Albums})
	if len(tags) > 50 || len(albums) > 50 {
		return webos.Invalid("tags", "at most 50 tags and 50 albums")
	}
	for _, t := range tags {
		if len(t) > 50 {
			return webos.Invalid("tags", "a tag has at most 50 characters")
		}
	}
	a, err := m.get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := m.assets.Update(r.Context(), a.ID, store.Set("title", strings.TrimSpace(in.Title)),
		store.Set("description", in.Description), store.Set("tags", tags), store.Set("albums", albums))
	if err != nil {
		return err
	}
	if isForm(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return savedNote(b).Render(w)
	}
	webos.WriteJSON(w, http.StatusOK, m.ref(b))
	return nil
}

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

type bulkBody struct {
	IDs    []string `json:"ids" validate:"required,min=1,max=500,dive,required,max=64"`
	Action string   `json:"action" validate:"required,oneof=tag untag album unalbum delete"`
	Value  string   `json:"value" validate:"max=100"`
	// Force deletes assets that other apps use.
	Force bool `json:"force"`
}

// bulkResult is the answer of POST /media/api/bulk.
type bulkResult struct {
	Changed int `json:"changed"`
}

// Use is a place where another app shows an asset.
type Use struct {
	Asset string `json:"asset"`
	Where string `json:"where"`
}

// Referrer is implemented by modules that show library files, so that
// deleting an asset they use first warns and names where: AssetUses
// returns, for the afs URNs of an asset's original and derivatives, a
// description of each place that shows one ("Blog post “Hello”").
type Referrer interface {
	AssetUses(ctx context.Context, urns []string) ([]string, error)
}

// Uses returns where other modules of the application show the assets.
func (m *Module) Uses(ctx context.Context, as []Asset) ([]Use, error) {
	var out []Use
	for _, st := range m.app.Modules() {
		mod, ok := m.app.Module(st.ID)
		ref, ok2 := mod.(Referrer)
		if !ok || !ok2 || !m.app.ModuleEnabled(st.ID) {
			continue
		}
		for i := range as {
			urns := []string{as[i].URN}
			for _, d := range as[i].Derivatives {
				urns = append(urns, d.URN)
			}
			where, err := ref.AssetUses(ctx, urns)
			if err != nil {
				return nil, err
			}
			for _, w := range where {
				out = append(out, Use{Asset: as[i].Label(), Where: w})
			}
		}
	}
	return out, nil
}

// errInUse is the answer to deleting assets other apps show, without force.
type errInUse struct{ uses []Use }

func (e *errInUse) Error() string {
	parts := make([]string, 0, len(e.uses))
	for _, u := range e.uses {
		parts = append(parts, u.Asset+" is used by "+u.Where)
	}
	return "still in use: " + strings.Join(parts, "; ") + ". Delete anyway?"
}

func (e *errInUse) Unwrap() error { return webos.ErrConflict }

func (m *Module) bulk(w http.ResponseWriter, r *http.Request) error {
	var in bulkBody
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	as, err := m.assets.Find(ctx, store.Query{Where: store.In("_id", in.IDs...)})
	if err != nil {
		return err
	}
	if len(as) == 0 {
		return fmt.Errorf("%w: none of these assets", webos.ErrNotFound)
	}
	var up store.Update
	switch in.Action {
	case "tag", "untag":
		tags := normTags([]string{in.Value})
		if len(tags) != 1 {
			return webos.Invalid("value", "must be one tag")
		}
		up = store.AddToSet("tags", tags[0])
		if in.Action == "untag" {
			up = store.Pull("tags", tags[0])
		}
	case "album", "unalbum":
		albums := normAlbums([]string{in.Value})
		if len(albums) != 1 {
			return webos.Invalid("value", "must be one album name")
		}
		up = store.AddToSet("albums", albums[0])
		if in.Action == "unalbum" {
			up = store.Pull("albums", albums[0])
		}
	case "delete":
		if !in.Force {
			uses, err := m.Uses(ctx, as)
			if err != nil {
				return err
			}
			if len(uses) > 0 {
				webos.WriteJSON(w, http.StatusConflict, map[string]any{"error": (&errInUse{uses}).Error(), "uses": uses})
				return nil
			}
		}
		for i := range as {
			if err := m.assets.Delete(ctx, as[i].ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			m.removeFiles(ctx, as[i].Derivatives, as[i].URN)
		}
		webos.WriteJSON(w, http.StatusOK, bulkResult{Changed: len(as)})
		return nil
	}
	for i := range as {
		if _, err := m.assets.Update(ctx, as[i].ID, up); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	webos.WriteJSON(w, http.StatusOK, bulkResult{Changed: len(as)})
	return nil
}

// taskStarted is the answer of a route that started a task.
type taskStarted struct {
	Task string `json:"task"`
}

func (m *Module) importAPI(w http.ResponseWriter, r *http.Request) error {
	var in importTask
	if err := webos.Decode(r, &in); err != nil {
		return err
	}
	if err := m.app.Authorize(r.Context(), afs.PermRead); err != nil {
		return err
	}
	u, err := afs.Parse(in.Folder)
	if err != nil {
		return webos.Invalid("folder", "must be a folder URN such as fs://local/photos")
	}
	info, err := m.fs.Stat(r.Context(), u)
	if err != nil && !u.IsRoot() {
		return err
	}
	if err == nil && !info.Folder {
		return webos.Invalid("folder", "is a file, not a folder")
	}
	id, err := m.folder.Enqueue(r.Context(), importTask{Folder: u.String()})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusAccepted, taskStarted{Task: id})
	return nil
}

func (m *Module) regenerateAPI(w http.ResponseWriter, r *http.Request) error {
	id, err := m.regenerate.Enqueue(r.Context(), regenerateTask{})
	if err != nil {
		return err
	}
	webos.WriteJSON(w, http.StatusAccepted, taskStarted{Task: id})
	return nil
}
