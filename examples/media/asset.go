package media

import (
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/webos-go/webos/store"
)

// Asset is one file of a user's library: where its content lives in afs,
// what it is (sniffed from the content, never taken from the name), its
// checksum, what its EXIF says, what the user wrote about it, and the
// state of its derivatives. The store keeps it private to its owner.
type Asset struct {
	store.Doc `bson:",inline"`
	// URN is the original's afs URN.
	URN string `bson:"urn" json:"urn"`
	// Name is the file name it came with.
	Name string `bson:"name" json:"name"`
	// Type is the MIME type sniffed from the content.
	Type string `bson:"type" json:"type"`
	// Kind is image, video, audio, pdf or other.
	Kind string `bson:"kind" json:"kind"`
	// Size is the content's length in bytes.
	Size int64 `bson:"size" json:"size"`
	// SHA256 is the hex SHA-256 of the content: one asset per content and
	// owner.
	SHA256 string `bson:"sha256" json:"sha256"`
	// Width and Height are an image's pixels, upright (orientation applied).
	Width  int `bson:"width,omitempty" json:"width,omitempty"`
	Height int `bson:"height,omitempty" json:"height,omitempty"`
	// EXIF is what the photo's EXIF block said.
	EXIF EXIF `bson:"exif" json:"exif"`
	// Camera is "make model", for the gallery's camera filter.
	Camera string `bson:"camera,omitempty" json:"camera,omitempty"`
	// Date is when the photo was taken, or else when it was added: what the
	// gallery sorts, groups by month and filters by date on.
	Date time.Time `bson:"date" json:"date"`
	// Title, Description, Tags and Albums are the user's.
	Title       string   `bson:"title" json:"title" validate:"max=200"`
	Description string   `bson:"description" json:"description" validate:"max=5000"`
	Tags        []string `bson:"tags" json:"tags" validate:"max=50,dive,max=50"`
	Albums      []string `bson:"albums" json:"albums" validate:"max=50,dive,max=100"`
	// Thumbs is the state of the derivatives: pending, ready, quarantined
	// or none (not an image).
	Thumbs string `bson:"thumbs" json:"thumbs"`
	// Derivatives are the ladder's sizes once made.
	Derivatives []Derivative `bson:"derivatives" json:"derivatives"`
	// Attempts counts the failed tries at the derivatives.
	Attempts int `bson:"attempts,omitempty" json:"attempts,omitempty"`
	// Reason says why the asset is quarantined.
	Reason string `bson:"reason,omitempty" json:"reason,omitempty"`
}

// Derivative is one size of the ladder, stored in afs.
type Derivative struct {
	// Size is the ladder size (longer side, in pixels).
	Size int `bson:"size" json:"size"`
	// URN is the derivative's afs URN.
	URN string `bson:"urn" json:"urn"`
	// Width and Height are its actual pixels (never more than the original's).
	Width  int `bson:"width" json:"width"`
	Height int `bson:"height" json:"height"`
}

// States of an asset's derivatives.
const (
	ThumbsPending     = "pending"
	ThumbsReady       = "ready"
	ThumbsQuarantined = "quarantined"
	ThumbsNone        = "none"
)

// Kinds of assets.
const (
	KindImage = "image"
	KindVideo = "video"
	KindAudio = "audio"
	KindPDF   = "pdf"
	KindOther = "other"
)

// Kinds lists the kinds in the order the gallery's filter offers them.
var Kinds = []string{KindImage, KindVideo, KindAudio, KindPDF, KindOther}

// kindOf is the kind of a MIME type.
func kindOf(typ string) string {
	switch {
	case strings.HasPrefix(typ, "image/"):
		return KindImage
	case strings.HasPrefix(typ, "video/"):
		return KindVideo
	case strings.HasPrefix(typ, "audio/"):
		return KindAudio
	case typ == "application/pdf":
		return KindPDF
	}
	return KindOther
}

// thumbnailable are the image types the library decodes.
var thumbnailable = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true,
	"image/webp": true, "image/bmp": true, "image/tiff": true}

// derivative returns the asset's derivative of ladder size px.
func (a *Asset) derivative(px int) (Derivative, bool) {
	for _, d := range a.Derivatives {
		if d.Size == px {
			return d, true
		}
	}
	return Derivative{}, false
}

// Label is what the gallery calls the asset: its title, else its name.
func (a *Asset) Label() string {
	if a.Title != "" {
		return a.Title
	}
	return a.Name
}

// Ref is what the asset picker hands to other apps: an asset, its
// original and every derivative, each with the afs URN (for apps that
// serve files themselves, such as the blog) and a URL in the library
// (for the owner's own pages).
type Ref struct {
	ID     string    `json:"id"`
	Title  string    `json:"title"`
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	Kind   string    `json:"kind"`
	Width  int       `json:"width,omitempty"`
	Height int       `json:"height,omitempty"`
	Thumbs string    `json:"thumbs"`
	Date   time.Time `json:"date"`
	Tags   []string  `json:"tags"`
	// URN and URL are the original's.
	URN string `json:"urn"`
	URL string `json:"url"`
	// Sizes are the derivatives made so far, smallest first.
	Sizes []SizeRef `json:"sizes"`
}

// SizeRef is one derivative of a [Ref].
type SizeRef struct {
	Size   int    `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	URN    string `json:"urn"`
	URL    string `json:"url"`
}

// ref describes a for the picker and the JSON API.
func (m *Module) ref(a *Asset) Ref {
	r := Ref{ID: a.ID, Title: a.Label(), Name: a.Name, Type: a.Type, Kind: a.Kind, Width: a.Width, Height: a.Height,
		Thumbs: a.Thumbs, Date: a.Date, Tags: a.Tags, URN: a.URN, URL: m.fileURL(a.ID, "original"), Sizes: []SizeRef{}}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	for _, px := range Ladder {
		if d, ok := a.derivative(px); ok {
			r.Sizes = append(r.Sizes, SizeRef{Size: px, Width: d.Width, Height: d.Height, URN: d.URN,
				URL: m.fileURL(a.ID, strconv.Itoa(px))})
		}
	}
	return r
}

// fileURL is where the library serves one size of an asset to its owner.
func (m *Module) fileURL(id, size string) string {
	return m.prefix + "/assets/" + url.PathEscape(id) + "/file/" + size
}

// month is the gallery's group of t, "2026-12".
func month(t time.Time) string { return t.UTC().Format("2006-01") }

// normTags trims, lower-cases and de-duplicates tags, dropping empty ones.
func normTags(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		for part := range strings.SplitSeq(t, ",") {
			p := strings.ToLower(strings.TrimSpace(part))
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// normAlbums trims and de-duplicates album names, keeping their case.
func normAlbums(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		for part := range strings.SplitSeq(t, ",") {
			p := strings.TrimSpace(part)
			if p != "" && !seen[strings.ToLower(p)] {
				seen[strings.ToLower(p)] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// extFor is the extension the original is stored under, from its type.
func extFor(typ, name string) string {
	switch typ {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/bmp":
		return ".bmp"
	case "image/tiff":
		return ".tif"
	case "application/pdf":
		return ".pdf"
	case "video/mp4":
		return ".mp4"
	case "video/webm":
		return ".webm"
	}
	ext := strings.ToLower(path.Ext(name))
	if len(ext) > 10 || strings.ContainsAny(ext, " /\\%") {
		return ""
	}
	return ext
}

// sniff returns the MIME type of content starting with head: the
// standard library's sniffing, plus TIFF and executables, which it calls
// application/octet-stream.
func sniff(head []byte) string {
	switch {
	case len(head) >= 4 && (string(head[:4]) == "II*\x00" || string(head[:4]) == "MM\x00*"):
		return "image/tiff"
	case len(head) >= 4 && string(head[:4]) == "\x7fELF":
		return "application/x-executable"
	case len(head) >= 2 && string(head[:2]) == "MZ":
		return "application/vnd.microsoft.portable-executable"
	case len(head) >= 4 && (string(head[:4]) == "\xcf\xfa\xed\xfe" || string(head[:4]) == "\xce\xfa\xed\xfe"):
		return "application/x-mach-binary"
	case len(head) >= 2 && string(head[:2]) == "#!":
		return "text/x-shellscript"
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

// claimedKind is the kind a file name's extension claims, "" for names
// that claim nothing in particular.
func claimedKind(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".avif":
		return KindImage
	case ".mp4", ".webm", ".mov", ".mkv", ".avi":
		return KindVideo
	case ".mp3", ".wav", ".ogg", ".flac", ".m4a":
		return KindAudio
	case ".pdf":
		return KindPDF
	}
	return ""
}
