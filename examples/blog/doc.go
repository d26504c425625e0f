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
//	GET    /blog/admin/                         the posts list, an explorer grid: filter by status and tag, search titles
//	GET    /blog/admin/rows                     its rows as JSON (?f.status=, ?f.tags=, ?f.title=, sort, cursors;
//	                                            the grid's other routes, such as export.csv, as explorer.Grid.Mount lists them)
//	POST   /blog/admin/posts                    a new draft (JSON, or the form: then its editor)
//	GET    /blog/admin/posts/{id}/edit          the editor: Markdown left, live preview right
//	GET    /blog/admin/posts/{id}               the post as JSON
//	PUT    /blog/admin/posts/{id}               save (JSON or form)
//	POST   /blog/admin/posts/{id}/autosave      save a draft while typing
//	POST   /blog/admin/posts/{id}/publish       publish now          (with "save": save first)
//	POST   /blog/admin/posts/{id}/schedule      publish at publish_at, through the tasks module
//	POST   /blog/admin/posts/{id}/unpublish     back to draft
//	POST   /blog/admin/posts/{id}/preview-link  a signed preview link
//	POST   /blog/admin/posts/{id}/image         insert the image the picker chose (image=URN) into the body (as=body) or as cover
//	DELETE /blog/admin/posts/{id}
//	POST   /blog/admin/preview                  Markdown → HTML by the public pipeline
//	POST   /blog/admin/images                   upload one image → {"urn", "url"}
//
// One pipeline renders Markdown: [Renderer], goldmark then bluemonday as
// the last step. The editor's preview and the public page show its output
// byte for byte.
//
// Images are afs files, never copied. The editor's "Select image" is the
// files app's picker (package files, [files.Module.Picker]; the blog
// requires that module): the author browses every source they may read,
// or uploads into a folder there, and the chosen image goes into the
// Markdown as ![name](fs://source/path) or becomes the cover. Scripts
// upload with POST /blog/admin/images into the image folder setting
// (fs://local/blog by default). The pipeline turns URNs into
// /blog/media/... links.
//
// There is no public folder: a file is public exactly as long as a public
// post shows it, so unpublishing, deleting or editing the post takes its
// images off the web with it. The media route serves a file to everyone
// while a published post shows it, to writers while a post they may edit
// does (writers who hold files.read, any file, so that the preview shows
// an image as soon as it is picked), and to the holder of a draft's
// preview link for that draft's images; every other afs file is 404
// there. Since publishing a post publishes what it shows, an author needs
// files.read (afs.PermRead) to show a file outside the image folder.
//
// Scheduled posts go public through the task blog.publish
// ([TaskPublish]), which the task monitor lists.
//
// scripts/load-blog.sh measures the public reads against PocketBase.
package blog
