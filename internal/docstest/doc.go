// Package docstest keeps the documentation honest: its tests compile every
// Go code block of docs/*.md and the README, execute the first-module
// tutorial verbatim, and check every internal link and #anchor.
//
// The package itself is the small toolkit those tests use — [Parse] splits
// Markdown into [Block]s, headings and links; [Anchor] is the GitHub rule
// that turns a heading into a fragment; [Module] is a temporary Go module
// that requires this repository through a replace directive — so that
// other packages' tests (examples/notes copies itself into one) can use it
// too.
//
// # Markers
//
// A fenced block's info string is its language followed by attributes,
// which GitHub and pkg.go.dev ignore (they colour by the first word):
//
//   - ```go — a complete Go file: it starts with a package clause and is
//     compiled as it stands, in a package of its own.
//   - ```go fragment — part of a file: top-level declarations, or
//     statements. Declarations are compiled in a file of their own;
//     statements inside the body of a function `func _()`. Imports are
//     added for the packages a fragment names ([KnownImports]). The
//     names a fragment uses without declaring come from an HTML comment
//     right before the fence, `<!-- fragment: Go declarations -->`, which
//     a Markdown renderer does not show.
//   - ```go copy=PATH — a copy of the repository's file PATH (relative to
//     the repository root), shown whole: the test checks that it is the
//     file as it is, and the repository's build compiles it.
//   - ```go file=PATH (and any other language, e.g. ```text file=go.mod) —
//     the content of PATH in the document's project: the blocks of one
//     document with file= attributes form one module, compiled together
//     (the tutorial's program).
//   - ```sh run — commands a tutorial runs in its project, one a line;
//     the ```text output block right after it is what they print ("..."
//     alone on a line stands for any number of lines, and "…" inside a
//     line for any text).
//   - ```sh serve — the command that starts the tutorial's server; the
//     test starts it in the background on a free port and waits for
//     /health.
//   - ```sh setup — commands the test does not run but does the
//     equivalent of (creating the module: the test writes go.mod with a
//     replace directive to this repository instead of fetching it).
//
// Every other block (```sh, ```text, …) is shown and not run.
//
// # Running
//
// `go test ./internal/docstest/` (part of `make test`): the link check and
// the compile check of every block run under -short too, with
// GOFLAGS=-mod=mod, GOPROXY=off and the repository's go.sum, so that
// nothing is downloaded (the modules are in the module cache once the
// repository builds). Building and running the tutorial's program needs
// no service and runs without -short.
package docstest
