package blog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/store"
)

// Status is where a post is in its life: a draft only its author sees, a
// post scheduled to go public at its PublishedAt, or a published post.
type Status string

// The statuses of a post.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Published Status = "published"
)

// Values lists the statuses, in a post's order of life; the posts list
// offers them as its status filter.
func (Status) Values() []string { return []string{string(Draft), string(Scheduled), string(Published)} }

// Post is one blog post. The store sets the audit fields of its Doc
// (created and updated, at and by); Author is who owns it.
type Post struct {
	store.Doc `bson:",inline"`
	// Title is the post's headline.
	Title string `bson:"title" json:"title"`
	// Slug is the post's unique name in its URL, /blog/<slug>. Earlier
	// slugs of the post keep redirecting to it.
	Slug string `bson:"slug" json:"slug"`
	// SlugAuto is true while the slug follows the title: it was made from
	// it, the author never set one, and the post never was public.
	SlugAuto bool `bson:"slug_auto" json:"slug_auto"`
	// Body is the post's Markdown.
	Body string `bson:"body" json:"body"`
	// HTML is Body rendered by the pipeline ([Renderer]) when it was saved.
	HTML string `bson:"html" json:"-"`
	// Excerpt is the summary shown in lists, feeds and the meta description.
	Excerpt string `bson:"excerpt" json:"excerpt"`
	// Tags are lower-case words that group posts on tag pages and feeds.
	Tags []string `bson:"tags" json:"tags"`
	// Cover is the afs URN of the cover image, or "".
	Cover string `bson:"cover" json:"cover"`
	// Images are the afs URNs the body and the cover refer to: the files
	// the public may download while the post is published.
	Images []string `bson:"images" json:"-"`
	// Status is draft, scheduled or published.
	Status Status `bson:"status" json:"status"`
	// PublishedAt is when the post went public, or is to (scheduled); zero
	// for a draft that never was public.
	PublishedAt time.Time `bson:"published_at" json:"published_at"`
	// Author is the id of the user who owns the post.
	Author string `bson:"author" json:"author"`
	// AuthorName is the author's display name when the post was created.
	AuthorName string `bson:"author_name" json:"author_name"`
	// Task is the id of the task that publishes a scheduled post.
	Task string `bson:"task" json:"task,omitempty"`
}

// Public reports whether guests may read p at now.
func (p *Post) Public(now time.Time) bool {
	return p.Status == Published && !p.PublishedAt.After(now)
}

// Input is what an author sends to create or change a post, as JSON or as
// the editor's form. Empty Slug is made from the title; Tags may also be
// given as one comma-separated string.
type Input struct {
	Title   string   `json:"title" validate:"max=200"`
	Slug    string   `json:"slug" validate:"max=100"`
	Body    string   `json:"body" validate:"max=200000"`
	Excerpt string   `json:"excerpt" validate:"max=500"`
	Tags    []string `json:"tags" validate:"max=20,dive,max=200"`
	Cover   string   `json:"cover" validate:"max=1024"`
}

// Limits of a post's fields.
const (
	maxSlug = 100
	maxTag  = 40
)

// reserved are the first path segments the blog's own routes use: no
// post may have them as its slug.
var reserved = []string{"admin", "api", "author", "feed.atom", "feed.rss", "media", "preview",
	"sitemap.xml", "tag", "static"}

var errSlug = errors.New("may hold only lower-case letters, digits and single hyphens, and not start or end with one")

// checkSlug reports what is wrong with s as a slug.
func checkSlug(s string) error {
	if s == "" || len(s) > maxSlug {
		return fmt.Errorf("must be 1 to %d characters", maxSlug)
	}
	if slices.Contains(reserved, s) {
		return fmt.Errorf("%q is reserved for the blog's own pages", s)
	}
	prev := '-'
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-'
		if !ok || (r == '-' && prev == '-') || (r == '-' && i == len(s)-1) {
			return errSlug
		}
		prev = r
	}
	return nil
}

// Slugify makes a slug of a title: lower-case ASCII letters and digits,
// accents removed, every other run of characters one hyphen, at most 100
// characters. A title with nothing usable gives "post"; a reserved word
// gets "-post" appended.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == 'ß':
			b.WriteString("ss")
		default:
			dash = true
		}
		if b.Len() >= maxSlug {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxSlug {
		s = strings.TrimRight(s[:maxSlug], "-")
	}
	if s == "" {
		return "post"
	}
	if slices.Contains(reserved, s) {
		s += "-post"
	}
	return s
}

// normalizeTags lower-cases, trims and de-duplicates tags, splitting
// comma-separated ones, and checks each.
func normalizeTags(in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		for part := range strings.SplitSeq(t, ",") {
			part = strings.Join(strings.Fields(strings.ToLower(part)), "-")
			if part == "" || slices.Contains(out, part) {
				continue
			}
			if len(part) > maxTag {
				return nil, webos.Invalid("tags", fmt.Sprintf("a tag has at most %d characters", maxTag))
			}
			for _, r := range part {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
					return nil, webos.Invalid("tags", "a tag holds letters, digits, '-', '_' and '.'")
				}
			}
			out = append(out, part)
		}
	}
	if len(out) > 10 {
		return nil, webos.Invalid("tags", "at most 10 tags")
	}
	return out, nil
}

// slugRecord maps a slug — a post's current or an earlier one — to the
// post, so that slugs stay unique over both and old ones redirect. Its id
// is the slug.
type slugRecord struct {
	store.Doc `bson:",inline"`
	Post      string `bson:"post" json:"post"`
}
