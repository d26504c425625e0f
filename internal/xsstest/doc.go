// Package xsstest is what the tests of HTML that users write (Markdown
// previews, blog posts) check it with: [Payloads], texts that try to get
// script into the result, and [Unsafe], which parses the result as a
// browser does and names what could run. It is test support: no program
// code imports it.
package xsstest
