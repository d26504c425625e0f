package docstest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Block is one fenced code block of a Markdown document.
type Block struct {
	Line    int               // line of the block's first content line, from 1
	Lang    string            // first word of the info string: "go", "sh", "text", …
	Attrs   map[string]string // the other words: "fragment" → "", "file=go.mod" → "file": "go.mod"
	Code    string            // the content, its fence's indentation removed, ending in a newline
	Context string            // the declarations of a `<!-- fragment: … -->` comment right before the fence
}

// Has reports whether the block's info string carries the attribute name.
func (b Block) Has(name string) bool { _, ok := b.Attrs[name]; return ok }

// Heading is an ATX heading (# …) of a document and its anchor.
type Heading struct {
	Line   int
	Level  int
	Text   string
	Anchor string // the fragment GitHub gives it, unique within the document
}

// Link is an inline link, image or reference definition outside code.
type Link struct {
	Line   int
	Target string // as written: "guide.md#anchor", "#anchor", "https://…"
}

// Doc is a parsed Markdown document.
type Doc struct {
	Blocks   []Block
	Headings []Heading
	Links    []Link
}

// Anchors returns the set of the document's heading anchors.
func (d *Doc) Anchors() map[string]bool {
	m := make(map[string]bool, len(d.Headings))
	for _, h := range d.Headings {
		m[h.Anchor] = true
	}
	return m
}

var (
	fenceRE   = regexp.MustCompile("^([ \t]*)(`{3,}|~{3,})\\s*(.*)$")
	headingRE = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	// [text](target) and ![alt](target), the target without spaces,
	// optionally followed by a title.
	linkRE    = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refDefRE  = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	codeRE    = regexp.MustCompile("`+[^`]*`+")
	commentRE = regexp.MustCompile(`(?s)<!--\s*fragment:(.*?)-->\s*$`)
)

// Parse splits a Markdown document into its code blocks, headings and
// links. It knows fenced code blocks (``` and ~~~, also indented in list
// items), ATX headings and inline links; links inside code are not links.
func Parse(src string) (*Doc, error) {
	d := &Doc{}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	seen := map[string]int{}
	var prose strings.Builder // the text since the last block, for a fragment comment
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := fenceRE.FindStringSubmatch(line); m != nil && (m[2][0] != '`' || !strings.Contains(m[3], "`")) {
			indent, fence := m[1], m[2]
			b := Block{Line: i + 2, Attrs: map[string]string{}}
			words := strings.Fields(m[3])
			if len(words) > 0 {
				b.Lang = words[0]
				for _, w := range words[1:] {
					k, v, _ := strings.Cut(w, "=")
					b.Attrs[k] = v
				}
			}
			if c := commentRE.FindStringSubmatch(prose.String()); c != nil {
				b.Context = strings.TrimSpace(c[1]) + "\n"
			}
			var code strings.Builder
			closed := false
			for i++; i < len(lines); i++ {
				l := lines[i]
				t := strings.TrimLeft(l, " \t")
				if strings.HasPrefix(t, fence[:1]) && strings.TrimRight(t, fence[:1]+" \t") == "" && len(strings.TrimRight(t, " \t")) >= len(fence) {
					closed = true
					break
				}
				code.WriteString(strings.TrimPrefix(l, indent))
				code.WriteByte('\n')
			}
			if !closed {
				return nil, fmt.Errorf("line %d: code block never closed", b.Line-1)
			}
			b.Code = code.String()
			d.Blocks = append(d.Blocks, b)
			prose.Reset()
			continue
		}
		prose.WriteString(line)
		prose.WriteByte('\n')
		if m := headingRE.FindStringSubmatch(line); m != nil {
			text := m[2]
			a := Anchor(text)
			if n := seen[a]; n > 0 {
				seen[a] = n + 1
				a = fmt.Sprintf("%s-%d", a, n)
			} else {
				seen[a] = 1
			}
			d.Headings = append(d.Headings, Heading{Line: i + 1, Level: len(m[1]), Text: text, Anchor: a})
		}
		if m := refDefRE.FindStringSubmatch(line); m != nil {
			d.Links = append(d.Links, Link{Line: i + 1, Target: m[1]})
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
			d.Links = append(d.Links, Link{Line: i + 1, Target: m[1]})
		}
	}
	return d, nil
}

// Anchor returns the fragment GitHub gives a heading: the text of its
// links and code spans, lower-cased, with every character other than a
// letter, digit, space, hyphen or underscore removed and each space made
// a hyphen. (A second heading with the same anchor gets "-1", and so on;
// [Parse] does that.)
func Anchor(heading string) string {
	heading = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
