package docstest

import (
	"regexp"
	"strings"
)

// Match reports whether got is the output that want describes, line by
// line with trailing spaces and blank lines ignored: a line "..." stands
// for any number of lines, and "…" inside a line for any text.
func Match(want, got string) bool {
	return matchLines(lines(want), lines(got))
}

func lines(s string) []string {
	ls := strings.Split(strings.TrimRight(s, " \t\n"), "\n")
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, " \t")
	}
	return ls
}

func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && matchLine(want[0], got[0]) && matchLines(want[1:], got[1:])
}

func matchLine(want, got string) bool {
	if !strings.Contains(want, "…") {
		return want == got
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}
