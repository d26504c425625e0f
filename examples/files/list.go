package files

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
)

// Listing limits.
const (
	// DefaultPageSize is how many entries a page of a listing has unless
	// the request asks for another number.
	DefaultPageSize = 200
	// MaxPageSize is the most entries one page may have.
	MaxPageSize = 1000
	// MaxSorted is the most entries a folder may hold to be sorted by
	// anything but name ascending, which pages through the store without
	// reading the folder whole.
	MaxSorted = 100_000
	// maxScan is how many entries a filtered page reads at most before it
	// answers with what it found and a cursor to go on.
	maxScan = 5000
)

// Entry is one file or folder of a listing.
type Entry struct {
	URN      afs.URN   `json:"urn"`
	Name     string    `json:"name"`
	Folder   bool      `json:"folder"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified,omitzero"`
	// Type is the media type the name suggests ("" for folders and
	// unknown types); Kind the family the panel's icon shows: folder,
	// image, audio, video, pdf, text, code, archive or file.
	Type string `json:"type"`
	Kind string `json:"kind"`
	// URL is where the file downloads ([DownloadURL]); "" for folders.
	URL string `json:"url,omitempty"`
}

// Listing is one page of a folder.
type Listing struct {
	URN afs.URN `json:"urn"`
	// Parent is the folder above, absent at a source's root.
	Parent *afs.URN `json:"parent,omitempty"`
	Items  []Entry  `json:"items"`
	// Next continues the listing (the cursor parameter); "" on the last
	// page.
	Next string `json:"next,omitempty"`
}

// Source is one afs source as the panels offer it.
type Source struct {
	Name string  `json:"name"`
	Root afs.URN `json:"root"`
}

func (m *Module) sources(w http.ResponseWriter, r *http.Request) error {
	out := []Source{}
	for _, name := range m.fs.Sources() {
		u, err := afs.NewURN(name, "")
		if err != nil {
			continue
		}
		out = append(out, Source{Name: name, Root: u})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

// ListQuery is what a listing asks for.
type ListQuery struct {
	// URN is the folder.
	URN afs.URN
	// Sort is name (the default), size, modified or type; folders come
	// first in every order.
	Sort string
	// Desc reverses the order.
	Desc bool
	// Filter keeps the entries whose names hold it, ignoring case.
	Filter string
	// Limit is the most entries of the page: 1 to MaxPageSize (0 means
	// DefaultPageSize).
	Limit int
	// Cursor continues the listing where the page that gave it ended.
	Cursor string
}

func parseListQuery(r *http.Request) (ListQuery, error) {
	q := r.URL.Query()
	var lq ListQuery
	raw := q.Get("urn")
	if raw == "" {
		return lq, webos.Invalid("urn", "is required (fs://source/path)")
	}
	u, err := afs.Parse(raw)
	if err != nil {
		return lq, err
	}
	lq.URN = u
	lq.Sort = cmp.Or(q.Get("sort"), "name")
	switch lq.Sort {
	case "name", "size", "modified", "type":
	default:
		return lq, webos.Invalid("sort", "must be name, size, modified or type")
	}
	if d := q.Get("desc"); d != "" {
		if lq.Desc, err = strconv.ParseBool(d); err != nil {
			return lq, webos.Invalid("desc", "must be true or false")
		}
	}
	lq.Filter = strings.ToLower(strings.TrimSpace(q.Get("filter")))
	if len(lq.Filter) > 200 {
		return lq, webos.Invalid("filter", "must be at most 200 characters")
	}
	lq.Limit = DefaultPageSize
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxPageSize {
			return lq, webos.Invalid("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize))
		}
		lq.Limit = n
	}
	lq.Cursor = q.Get("cursor")
	return lq, nil
}

func (m *Module) list(w http.ResponseWriter, r *http.Request) error {
	lq, err := parseListQuery(r)
	if err != nil {
		return err
	}
	l, err := m.List(r.Context(), lq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// cursor continues a listing: by name ascending, the store's page token
// of the page to read next and how many entries of it were already
// answered; otherwise the offset in the sorted folder.
type cursor struct {
	Token  string `json:"t,omitempty"`
	Skip   int    `json:"s,omitempty"`
	Offset int    `json:"o,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Skip < 0 || c.Offset < 0 || c.Skip > afsPage {
		return c, webos.Invalid("cursor", "is not a cursor this listing gave")
	}
	return c, nil
}

// afsPage is the size of the store pages a filtered listing reads.
const afsPage = 1000

// List returns one page of the folder lq.URN as the request's user sees
// it. Sorted by name ascending it reads only as many store pages as the
// answer needs, so the first page of a folder of any size comes back in
// the time of one store request; other orders read the folder whole (up
// to [MaxSorted] entries) and sort it.
func (m *Module) List(ctx context.Context, lq ListQuery) (*Listing, error) {
	c, err := decodeCursor(lq.Cursor)
	if err != nil {
		return nil, err
	}
	if lq.Limit == 0 {
		lq.Limit = DefaultPageSize
	}
	if lq.Sort == "" {
		lq.Sort = "name"
	}
	lq.Filter = strings.ToLower(lq.Filter)
	if lq.Limit < 0 || lq.Limit > MaxPageSize {
		return nil, webos.Invalid("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize))
	}
	l := &Listing{URN: lq.URN, Items: []Entry{}}
	if !lq.URN.IsRoot() {
		p := lq.URN.Parent()
		l.Parent = &p
	}
	if lq.Sort == "name" && !lq.Desc {
		return l, m.listByName(ctx, lq, c, l)
	}
	return l, m.listSorted(ctx, lq, c, l)
}

// listByName pages through the store, which lists in name order.
func (m *Module) listByName(ctx context.Context, lq ListQuery, c cursor, l *Listing) error {
	size := lq.Limit
	if lq.Filter != "" || c.Skip > 0 {
		size = afsPage
	}
	token, skip, scanned := c.Token, c.Skip, 0
	for {
		page, err := m.fs.List(ctx, lq.URN, &afs.ListOptions{PageSize: size, PageToken: token})
		if err != nil {
			return err
		}
		items := page.Items
		if skip > len(items) {
			skip = len(items)
		}
		for i := skip; i < len(items); i++ {
			scanned++
			if !matches(items[i], lq.Filter) {
				continue
			}
			l.Items = append(l.Items, entryOf(items[i]))
			if len(l.Items) == lq.Limit {
				switch {
				case i+1 < len(items):
					l.Next = cursor{Token: token, Skip: i + 1}.encode()
				case page.NextPageToken != "":
					l.Next = cursor{Token: page.NextPageToken}.encode()
				}
				return nil
			}
		}
		if page.NextPageToken == "" {
			return nil
		}
		token, skip, size = page.NextPageToken, 0, afsPage
		if lq.Filter == "" {
			size = lq.Limit - len(l.Items)
		}
		if scanned >= maxScan {
			l.Next = cursor{Token: token}.encode()
			return nil
		}
	}
}

// listSorted reads the whole folder, sorts it and answers one page.
func (m *Module) listSorted(ctx context.Context, lq ListQuery, c cursor, l *Listing) error {
	var all []Entry
	token := ""
	for {
		page, err := m.fs.List(ctx, lq.URN, &afs.ListOptions{PageToken: token})
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			if matches(it, lq.Filter) {
				all = append(all, entryOf(it))
			}
		}
		if len(all) > MaxSorted {
			return fmt.Errorf("%w: the folder holds more than %d entries; sort it by name", webos.ErrBadRequest, MaxSorted)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	sortEntries(all, lq.Sort, lq.Desc)
	if c.Offset > len(all) {
		c.Offset = len(all)
	}
	end := min(c.Offset+lq.Limit, len(all))
	l.Items = append(l.Items, all[c.Offset:end]...)
	if end < len(all) {
		l.Next = cursor{Offset: end}.encode()
	}
	return nil
}

// sortEntries sorts folders first, then by the key; ties by name.
func sortEntries(es []Entry, by string, desc bool) {
	slices.SortStableFunc(es, func(a, b Entry) int {
		if a.Folder != b.Folder {
			if a.Folder {
				return -1
			}
			return 1
		}
		var c int
		switch by {
		case "size":
			c = cmp.Compare(a.Size, b.Size)
		case "modified":
			c = a.Modified.Compare(b.Modified)
		case "type":
			c = cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(strings.ToLower(path.Ext(a.Name)), strings.ToLower(path.Ext(b.Name))))
		}
		if c == 0 {
			c = cmp.Compare(a.Name, b.Name)
		}
		if desc {
			c = -c
		}
		return c
	})
}

func matches(i afs.Info, filter string) bool {
	return filter == "" || strings.Contains(strings.ToLower(i.Name), filter)
}

func entryOf(i afs.Info) Entry {
	e := Entry{URN: i.URN, Name: i.Name, Folder: i.Folder, Size: i.Size, Modified: i.ModTime}
	if i.Folder {
		e.Kind = "folder"
		return e
	}
	e.Type, e.Kind = typeOf(i.Name)
	e.URL = DownloadURL(i.URN)
	return e
}

// typeOf returns the media type a file name suggests and its family.
func typeOf(name string) (typ, kind string) {
	ext := strings.ToLower(path.Ext(name))
	typ = mime.TypeByExtension(ext)
	if mt, _, err := mime.ParseMediaType(typ); err == nil {
		typ = mt
	}
	if typ == "" {
		if k, ok := codeExts[ext]; ok {
			return "text/plain", k
		}
		return "", "file"
	}
	switch {
	case typ == "image/svg+xml":
		return typ, "image"
	case strings.HasPrefix(typ, "image/"):
		return typ, "image"
	case strings.HasPrefix(typ, "audio/"):
		return typ, "audio"
	case strings.HasPrefix(typ, "video/"):
		return typ, "video"
	case typ == "application/pdf":
		return typ, "pdf"
	case typ == "application/zip", typ == "application/gzip", typ == "application/x-tar", typ == "application/x-7z-compressed":
		return typ, "archive"
	}
	if k, ok := codeExts[ext]; ok {
		return typ, k
	}
	if strings.HasPrefix(typ, "text/") || typ == "application/json" {
		return typ, "text"
	}
	return typ, "file"
}

// codeExts are the extensions the viewer shows as source code.
var codeExts = map[string]string{
	".go": "code", ".js": "code", ".ts": "code", ".py": "code", ".rs": "code", ".c": "code", ".h": "code",
	".java": "code", ".rb": "code", ".sh": "code", ".css": "code", ".html": "code", ".xml": "code",
	".json": "code", ".yaml": "code", ".yml": "code", ".toml": "code", ".sql": "code", ".mod": "code",
	".md": "text", ".txt": "text", ".csv": "text", ".log": "text",
}
