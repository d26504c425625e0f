// Package blog is the blog app of the WebOS demo: public pages for guests
// and, inside the shell, an editor for authors.
//
// Guests need no account. Outside the shell's chrome but in its theme,
// the blog serves (under /blog):
//
//	GET /blog/                      the newest posts, 20 a page (?after=, ?before= cursors)
//	GET /blog/{slug}                a post; an earlier slug of it redirects (301)
//	GET /blog/tag/{tag}             a tag's posts;  /feed.atom and /feed.rss: its feeds
//	GET /blog/author/{id}           an author's posts
//	GET /blog/feed.atom, feed.rss   the site's feeds (Atom 1.0, RSS 2.0), 20 newest
//	GET /blog/sitemap.xml           every public post and tag page
//	GET /robots.txt                 at the site's root: allows the public pages, names the sitemap
//	GET /blog/api/posts             the public list as JSON, 20 a page (?tag=, ?author=, ?after=)
//	GET /blog/api/posts/{slug}      one public post as JSON, with its HTML
//	GET /blog/media/{source}/{path} an image of a published post (see below)
//	GET /blog/preview/{token}       a draft through a signed link that expires
//
// Pages carry a meta description and Open Graph tags, an ETag and a
// Last-Modified, and answer conditional requests with 304. Drafts and
// scheduled posts are 404 to guests, as is a published post whose time
// has not come.
//
// The private side needs blog.write ([PermWrite]), the module's
// permission, declared once: it guards every route below and the card,
// menu entry and palette commands. An author changes only their own
// posts; blog.admin ([PermAdmin]) changes everyone's.
//
//	GET    /blog/admin/                         the posts list (filter by status and tag, search titles)
//	POST   /blog/admin/posts                    a new draft (JSON, or the form: then its editor)
//	GET    /blog/admin/posts/{id}/edit          the editor: Markdown left, live preview right
//	GET    /blog/admin/posts/{id}               the post as JSON
//	PUT    /blog/admin/posts/{id}               save (JSON or form)
//	POST   /blog/admin/posts/{id}/autosave      save a draft while typing
//	POST   /blog/admin/posts/{id}/publish       publish now          (with "save": save first)
//	POST   /blog/admin/posts/{id}/schedule      publish at publish_at, through the tasks module
//	POST   /blog/admin/posts/{id}/unpublish     back to draft
//	POST   /blog/admin/posts/{id}/preview-link  a signed preview link
//	POST   /blog/admin/posts/{id}/image         insert an image (URN or upload) into the body, or as cover
//	DELETE /blog/admin/posts/{id}
//	POST   /blog/admin/preview                  Markdown → HTML by the public pipeline
//	POST   /blog/admin/images                   upload one image → {"urn", "url"}
//
// One pipeline renders Markdown: [Renderer], goldmark then bluemonday as
// the last step. The editor's preview and the public page show its output
// byte for byte.
//
// Images are afs files. The editor's "Select image" takes a URN (or
// uploads a file into the image folder setting, fs://local/blog by
// default) and writes it into the Markdown as ![name](fs://source/path)
// or sets it as the cover; the pipeline turns such URNs into
// /blog/media/... links. The media route serves a file to everyone only
// while a published post shows it, to writers while a post they may edit
// does, and to the holder of a draft's preview link for that draft's
// images; every other afs file stays private (no public folder). Scheduled posts go
// public through the task blog.publish ([TaskPublish]), which the task
// monitor lists.
//
// Two parts are written to be replaced by components of other apps: the
// "Select image" control is the one function selectImage (a file picker
// fills its input named "image"), and the private posts list is the one
// function postsTable (an explorer grid over the posts collection, with
// the same filters: status, tag, title search, and the author clause for
// users without blog.admin).
//
// scripts/load-blog.sh measures the public reads against PocketBase.
package blog
