package ui

import (
	"unicode"
	"unicode/utf8"
)

// Scores of [Match]. A matched character earns matchChar; one that
// directly follows the previous match earns matchContiguous more, one at
// the start of a word matchWordStart more; the characters skipped between
// two matches cost one each, at most maxGapCost a gap, and those before the
// first match cost one each, at most maxLeadCost.
const (
	matchChar       = 16
	matchContiguous = 24
	matchWordStart  = 20
	maxGapCost      = 8
	maxLeadCost     = 8
	// maxMatchText bounds the runes of a text Match looks at.
	maxMatchText = 256
)

// Match reports whether query is a fuzzy match of text — its characters,
// ignoring case and spaces, appear in text in order — and how good the
// match is: higher is better. Contiguous runs and matches at the start of
// a word (the text's start, after a space or punctuation, or an upper-case
// letter after a lower-case one) score most, so "nb" ranks "New blog post"
// above "Unbound" and "blo" ranks "Blog" above "Bl-ack owl". The score of
// a text is the best over every way to place the query's characters. An
// empty query matches everything with score 0.
//
// The shell ranks content results with it; the palette's script ranks the
// commands it already has with the same rules.
func Match(query, text string) (score int, ok bool) {
	var q []rune
	for _, r := range query {
		if !unicode.IsSpace(r) {
			q = append(q, unicode.ToLower(r))
		}
	}
	if len(q) == 0 {
		return 0, true
	}
	t := make([]rune, 0, min(len(text), maxMatchText))
	for _, r := range text {
		if len(t) == maxMatchText {
			break
		}
		t = append(t, r)
	}
	if len(q) > len(t) || !subsequence(q, t) {
		return 0, false
	}
	lower := make([]rune, len(t))
	bonus := make([]int, len(t))
	for j, r := range t {
		lower[j] = unicode.ToLower(r)
		if wordStart(t, j) {
			bonus[j] = matchWordStart
		}
	}
	const none = -1 << 30
	prev := make([]int, len(t))
	cur := make([]int, len(t))
	for j := range t {
		prev[j] = none
		if lower[j] == q[0] {
			prev[j] = matchChar + bonus[j] - min(j, maxLeadCost)
		}
	}
	for i := 1; i < len(q); i++ {
		// far is the best of prev[k] - maxGapCost over the k so far
		// behind j that their gap costs the most.
		far := none
		for j := range t {
			cur[j] = none
			if k := j - maxGapCost - 1; k >= 0 && prev[k] != none {
				far = max(far, prev[k]-maxGapCost)
			}
			if lower[j] != q[i] || j < i {
				continue
			}
			best := far
			if prev[j-1] != none {
				best = max(best, prev[j-1]+matchContiguous)
			}
			for k := max(0, j-maxGapCost); k < j-1; k++ {
				if prev[k] != none {
					best = max(best, prev[k]-(j-k-1))
				}
			}
			if best != none {
				cur[j] = best + matchChar + bonus[j]
			}
		}
		prev, cur = cur, prev
	}
	score = none
	for _, s := range prev {
		score = max(score, s)
	}
	if score == none {
		return 0, false
	}
	return score, true
}

// subsequence reports whether the lower-case q appears in t in order, the
// cheap test before the scoring.
func subsequence(q, t []rune) bool {
	i := 0
	for _, r := range t {
		if i < len(q) && unicode.ToLower(r) == q[i] {
			i++
		}
	}
	return i == len(q)
}

// wordStart reports whether t[j] begins a word.
func wordStart(t []rune, j int) bool {
	if j == 0 {
		return true
	}
	p, c := t[j-1], t[j]
	switch {
	case unicode.IsSpace(p) || unicode.IsPunct(p) || unicode.IsSymbol(p):
		return !unicode.IsSpace(c)
	case unicode.IsLower(p) && unicode.IsUpper(c):
		return true
	case unicode.IsLetter(p) && unicode.IsDigit(c):
		return true
	}
	return false
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}
