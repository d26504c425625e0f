package blog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/webos-go/webos"
	"github.com/webos-go/webos/afs"
	"github.com/webos-go/webos/auth"
	"github.com/webos-go/webos/identity"
	"github.com/webos-go/webos/store"
	"github.com/webos-go/webos/tasks"
)

// errForbidden is an author reaching for another's post without blog.admin.
var errForbidden = fmt.Errorf("blog: %w: only the post's author or a holder of %s may change it", webos.ErrForbidden, PermAdmin)

// publicWhere selects the posts guests may read at now, and more.
func publicWhere(now time.Time, more ...store.Filter) store.Filter {
	return store.And(append([]store.Filter{store.Eq("status", string(Published)), store.Lte("published_at", now)}, more...)...)
}

// mayEdit reports whether the user in ctx may change p.
func (m *Module) mayEdit(ctx context.Context, p *Post) error {
	if uid := identity.ID(ctx); uid != "" && uid == p.Author {
		return nil
	}
	if m.app.Can(ctx, PermAdmin) {
		return nil
	}
	return errForbidden
}

// editable returns the post id if the user in ctx may change it; another
// author's post is 403, a missing one 404.
func (m *Module) editable(ctx context.Context, id string) (*Post, error) {
	p, err := m.posts.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, m.mayEdit(ctx, p)
}

// fields checks and converts an author's input: tags, cover, the body
// rendered by the pipeline.
type fields struct {
	title, excerpt, body, html, cover string
	tags, images                      []string
}

func (m *Module) prepare(in Input) (fields, error) {
	f := fields{title: strings.TrimSpace(in.Title), excerpt: strings.TrimSpace(in.Excerpt), body: in.Body}
	if f.title == "" {
		f.title = "Untitled"
	}
	var err error
	if f.tags, err = normalizeTags(in.Tags); err != nil {
		return f, err
	}
	rd := m.render.Render(in.Body)
	f.html, f.images = rd.HTML, rd.Files
	if c := strings.TrimSpace(in.Cover); c != "" {
		u, err := afs.Parse(c)
		if err != nil {
			return f, webos.Invalid("cover", "must be a file's URN, fs://source/path")
		}
		f.cover = u.String()
		if !slices.Contains(f.images, f.cover) {
			f.images = append(f.images, f.cover)
		}
	}
	if f.images == nil {
		f.images = []string{}
	}
	return f, nil
}

// mayShow checks the files a post is to show that it did not show
// before: since publishing a post publishes its images, an author may
// show a file only when they may read files (afs.PermRead) or when it is
// in the image folder, where the blog's own uploads go.
func (m *Module) mayShow(ctx context.Context, before []string, f fields) error {
	if m.app.Can(ctx, afs.PermRead) {
		return nil
	}
	folder := strings.TrimRight(m.settings.Get(ctx).ImageFolder, "/") + "/"
	for _, u := range f.images {
		if slices.Contains(before, u) || strings.HasPrefix(u, folder) {
			continue
		}
		field := "body"
		if u == f.cover {
			field = "cover"
		}
		return webos.Invalid(field, fmt.Sprintf("%s is not in the image folder %s, and showing other files needs the permission %s", u, folder, afs.PermRead))
	}
	return nil
}

// authorName is the display name of the user in ctx.
func authorName(ctx context.Context) string {
	if u, ok := auth.UserFrom(ctx); ok {
		if n := strings.TrimSpace(u.DisplayName); n != "" {
			return n
		}
		if local, _, ok := strings.Cut(u.Email, "@"); ok && local != "" {
			return local
		}
	}
	return "Author"
}

var errSlugTaken = webos.Invalid("slug", "is taken by another post")

// claimSlug makes slug the post's: a free slug is recorded for it, one
// the post had before is its again; another post's is errSlugTaken.
func (m *Module) claimSlug(ctx context.Context, slug, postID string) error {
	if err := checkSlug(slug); err != nil {
		return webos.Invalid("slug", err.Error())
	}
	rec, err := m.slugs.Get(ctx, slug)
	switch {
	case err == nil && rec.Post == postID:
		return nil
	case err == nil:
		return errSlugTaken
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	err = m.slugs.Insert(ctx, &slugRecord{Doc: store.Doc{ID: slug}, Post: postID})
	if errors.Is(err, store.ErrConflict) {
		return errSlugTaken
	}
	return err
}

// generateSlug claims the first free slug made of title: "title",
// "title-2", "title-3"...
func (m *Module) generateSlug(ctx context.Context, title, postID string) (string, error) {
	base := Slugify(title)
	for i := 1; i <= 50; i++ {
		s := base
		if i > 1 {
			suffix := fmt.Sprintf("-%d", i)
			s = strings.TrimRight(base[:min(len(base), maxSlug-len(suffix))], "-") + suffix
		}
		err := m.claimSlug(ctx, s, postID)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errSlugTaken) {
			return "", err
		}
	}
	return "", webos.Invalid("slug", "no free slug for this title: choose one")
}

// Create stores a new draft by the user in ctx.
func (m *Module) Create(ctx context.Context, in Input) (*Post, error) {
	uid := identity.ID(ctx)
	if uid == "" {
		return nil, store.ErrNoUser
	}
	f, err := m.prepare(in)
	if err != nil {
		return nil, err
	}
	if err := m.mayShow(ctx, nil, f); err != nil {
		return nil, err
	}
	id := bson.NewObjectID().Hex()
	slug, auto := strings.TrimSpace(in.Slug), false
	if slug == "" {
		auto = true
		if slug, err = m.generateSlug(ctx, f.title, id); err != nil {
			return nil, err
		}
	} else if err := m.claimSlug(ctx, slug, id); err != nil {
		return nil, err
	}
	p := &Post{Doc: store.Doc{ID: id}, Title: f.title, Slug: slug, SlugAuto: auto, Body: f.body, HTML: f.html,
		Excerpt: f.excerpt, Tags: f.tags, Cover: f.cover, Images: f.images, Status: Draft,
		Author: uid, AuthorName: authorName(ctx)}
	if err := m.posts.Insert(ctx, p); err != nil {
		_, _ = m.slugs.DeleteWhere(context.WithoutCancel(ctx), store.Eq("post", id))
		return nil, err
	}
	return p, nil
}

// Save changes a post's content. An empty Slug keeps the slug — or, for
// a post that never was public and whose slug was made from its title,
// makes it again from the new title. A new slug is claimed; the old one
// keeps redirecting to the post once the post has been public, and is
// free again otherwise.
func (m *Module) Save(ctx context.Context, id string, in Input) (*Post, error) {
	p, err := m.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := m.prepare(in)
	if err != nil {
		return nil, err
	}
	if err := m.mayShow(ctx, p.Images, f); err != nil {
		return nil, err
	}
	slug, auto, release := p.Slug, p.SlugAuto, ""
	switch want := strings.TrimSpace(in.Slug); {
	case want != "" && want != p.Slug:
		if err := m.claimSlug(ctx, want, p.ID); err != nil {
			return nil, err
		}
		slug, auto = want, false
		if p.PublishedAt.IsZero() {
			release = p.Slug // never public: a slug typed halfway keeps nothing
		}
	case want != "":
		auto = false
	case p.SlugAuto && p.PublishedAt.IsZero() && f.title != p.Title:
		if Slugify(f.title) != Slugify(p.Title) {
			if slug, err = m.generateSlug(ctx, f.title, p.ID); err != nil {
				return nil, err
			}
			release = p.Slug // never public: nobody has the old link
		}
	}
	np, err := m.posts.Update(ctx, p.ID, store.Set("title", f.title), store.Set("slug", slug), store.Set("slug_auto", auto),
		store.Set("body", f.body), store.Set("html", f.html), store.Set("excerpt", f.excerpt), store.Set("tags", f.tags),
		store.Set("cover", f.cover), store.Set("images", f.images))
	if err != nil {
		return nil, err
	}
	if release != "" && release != slug {
		_ = m.slugs.Delete(ctx, release)
	}
	return np, nil
}

// Publish makes a post public now (or keeps the time it first went
// public) and drops a pending schedule.
func (m *Module) Publish(ctx context.Context, id string) (*Post, error) {
	p, err := m.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	now := m.now().UTC().Truncate(time.Millisecond)
	at := p.PublishedAt
	if at.IsZero() || p.Status == Scheduled || at.After(now) {
		at = now
	}
	np, err := m.posts.Update(ctx, id, store.Set("status", string(Published)), store.Set("published_at", at),
		store.Set("slug_auto", false), store.Set("task", ""))
	if err == nil {
		m.cancelTask(ctx, p.Task)
	}
	return np, err
}

// Unpublish makes a published or scheduled post a draft again.
func (m *Module) Unpublish(ctx context.Context, id string) (*Post, error) {
	p, err := m.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	ups := []store.Update{store.Set("status", string(Draft)), store.Set("task", "")}
	if p.Status == Scheduled {
		ups = append(ups, store.Set("published_at", time.Time{}))
	}
	np, err := m.posts.Update(ctx, id, ups...)
	if err == nil {
		m.cancelTask(ctx, p.Task)
	}
	return np, err
}

// publishTask is the payload of the scheduled publish: the post and the
// time it was scheduled for, so that a task made obsolete by a later
// schedule, publish or unpublish does nothing.
type publishTask struct {
	Post string    `json:"post" validate:"required"`
	At   time.Time `json:"at"`
}

// Schedule makes a post go public at at, through a task of the tasks
// module (visible in the task monitor).
func (m *Module) Schedule(ctx context.Context, id string, at time.Time) (*Post, error) {
	p, err := m.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	at = at.UTC().Truncate(time.Millisecond)
	now := m.now()
	if !at.After(now) {
		return nil, webos.Invalid("publish_at", "must be in the future (UTC)")
	}
	if at.After(now.AddDate(5, 0, 0)) {
		return nil, webos.Invalid("publish_at", "must be within five years")
	}
	task, err := m.publish.Enqueue(ctx, publishTask{Post: id, At: at}, tasks.Delay(at.Sub(now)))
	if err != nil {
		return nil, err
	}
	np, err := m.posts.Update(ctx, id, store.Set("status", string(Scheduled)), store.Set("published_at", at),
		store.Set("slug_auto", false), store.Set("task", task))
	if err != nil {
		m.cancelTask(ctx, task)
		return nil, err
	}
	m.cancelTask(ctx, p.Task)
	return np, nil
}

// runPublish is the scheduled publish, run by a worker at its time.
func (m *Module) runPublish(ctx context.Context, t publishTask) (any, error) {
	p, err := m.posts.Get(ctx, t.Post)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]string{"outcome": "the post was deleted"}, nil
	}
	if err != nil {
		return nil, err
	}
	if p.Status != Scheduled || !p.PublishedAt.Equal(t.At) {
		return map[string]string{"outcome": "superseded: the post was published, unpublished or rescheduled"}, nil
	}
	// Delays are whole seconds: a task may come a moment early.
	if wait := t.At.Sub(m.now()); wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if _, err := m.posts.Update(ctx, p.ID, store.Set("status", string(Published)), store.Set("task", "")); err != nil {
		return nil, err
	}
	return map[string]string{"outcome": "published", "slug": p.Slug}, nil
}

// cancelTask cancels a pending publish, if any. A task it misses does
// nothing when it runs (see runPublish).
func (m *Module) cancelTask(ctx context.Context, id string) {
	if id != "" {
		_, _ = m.tasks.Cancel(context.WithoutCancel(ctx), id)
	}
}

// Delete removes a post and its slugs.
func (m *Module) Delete(ctx context.Context, id string) error {
	p, err := m.editable(ctx, id)
	if err != nil {
		return err
	}
	if err := m.posts.Delete(ctx, id); err != nil {
		return err
	}
	_, _ = m.slugs.DeleteWhere(context.WithoutCancel(ctx), store.Eq("post", id))
	m.cancelTask(ctx, p.Task)
	return nil
}

// BySlug returns the public post with the slug at now. A slug the post
// had before is a *MovedError naming the current one; a draft, a
// scheduled post and a missing slug are store.ErrNotFound.
func (m *Module) BySlug(ctx context.Context, slug string) (*Post, error) {
	now := m.now()
	p, err := m.posts.FindOne(ctx, store.Eq("slug", slug))
	if err == nil {
		if p.Public(now) {
			return p, nil
		}
		return nil, notFound("post")
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	rec, err := m.slugs.Get(ctx, slug)
	if err != nil {
		return nil, notFound("post")
	}
	if p, err = m.posts.Get(ctx, rec.Post); err != nil || !p.Public(now) {
		return nil, notFound("post")
	}
	return nil, &MovedError{Slug: p.Slug}
}

// MovedError is a post asked for by a slug it had before.
type MovedError struct{ Slug string }

func (e *MovedError) Error() string { return "blog: the post moved to " + e.Slug }

func notFound(what string) error { return fmt.Errorf("blog: %w: no such %s", webos.ErrNotFound, what) }
