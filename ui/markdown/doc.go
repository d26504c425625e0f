// Package markdown turns Markdown into HTML that is safe to put into a
// page of the site, whoever wrote the Markdown: the one pipeline the
// blog's posts and the file viewer's previews share.
//
// # Mental model
//
// [Render] converts with goldmark (CommonMark with GitHub's tables,
// strikethrough, autolinks and task lists; raw HTML passed on, so that
// what people write in it renders where it is harmless) and then, as the
// last step, sanitises with bluemonday's user-generated-content policy:
// no script, event handler, style, iframe, form, object or embed; links
// and images only to http, https, mailto and addresses within the site;
// class only as a code block's language-*; checkboxes only as task-list
// items; rel="nofollow noreferrer" on links to other sites. Whatever the
// Markdown holds — raw HTML, javascript: links, entity tricks, mutation
// XSS — nothing in the result runs. The sanitiser comes last, so a link
// rewritten by the caller (see below) is checked as well.
//
// A caller that stores its links in its own form — the blog and the files
// app write afs URNs, fs://local/blog/cat.png — gives an [Options.Link]
// function that maps each link and image destination to the address to
// write, and may give images a srcset of their other sizes
// ([Options.Srcset], as the blog does for media-library images).
//
// # Usage
//
//	html := markdown.Render(src, markdown.Options{}) // destinations as written
//
//	html := markdown.Render(src, markdown.Options{Link: func(dest string) string {
//		if strings.HasPrefix(dest, "fs://") {
//			return "/media/" + strings.TrimPrefix(dest, "fs://")
//		}
//		return dest
//	}})
//
// Put the result into a page as HTML (gomponents' g.Raw).
package markdown
