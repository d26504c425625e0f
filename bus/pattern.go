package bus

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors about topics and patterns.
var (
	// ErrInvalidTopic is returned by Emit for a malformed topic.
	ErrInvalidTopic = errors.New("bus: invalid topic")
	// ErrInvalidPattern reports a malformed subscription pattern.
	ErrInvalidPattern = errors.New("bus: invalid pattern")
)

// Wildcard segments of a pattern.
const (
	// AnySegment matches exactly one segment of a topic: "settings.*"
	// matches "settings.changed" but neither "settings" nor
	// "settings.blog.changed".
	AnySegment = "*"
	// AnyTail, allowed only as the last segment, matches one or more
	// trailing segments: "files.**" matches "files.saved" and
	// "files.saved.thumbnail" but not "files". A pattern of "**" alone
	// matches every topic.
	AnyTail = "**"
)

// ValidateTopic reports whether topic is a well-formed event topic: one or
// more non-empty segments separated by dots, with no '*' and no white space
// or control characters. The error wraps [ErrInvalidTopic].
func ValidateTopic(topic string) error {
	if err := checkSegments(topic, false); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidTopic, topic, err)
	}
	return nil
}

// ValidatePattern reports whether pattern is a well-formed subscription
// pattern: a topic whose segments may also be [AnySegment], and whose last
// segment may be [AnyTail]. The error wraps [ErrInvalidPattern].
func ValidatePattern(pattern string) error {
	if err := checkSegments(pattern, true); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidPattern, pattern, err)
	}
	return nil
}

// Match reports whether topic matches pattern. A malformed pattern matches
// nothing.
func Match(pattern, topic string) bool {
	p, err := compile(pattern)
	return err == nil && p.match(topic)
}

func checkSegments(s string, wildcards bool) error {
	if s == "" {
		return errors.New("empty")
	}
	for i := 1; ; i++ {
		seg, rest, more := strings.Cut(s, ".")
		switch {
		case seg == "":
			return fmt.Errorf("empty segment %d", i)
		case wildcards && seg == AnySegment:
		case wildcards && seg == AnyTail:
			if more {
				return fmt.Errorf("%q must be the last segment", AnyTail)
			}
		case strings.Contains(seg, "*"):
			if wildcards {
				return fmt.Errorf("'*' must be a whole segment (%q)", seg)
			}
			return errors.New("topics cannot contain '*'")
		case hasBadRune(seg):
			return fmt.Errorf("white space or control character in segment %q", seg)
		}
		if !more {
			return nil
		}
		s = rest
	}
}

// hasBadRune reports whether s holds white space or a control character.
func hasBadRune(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		} else if c >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
		}
	}
	return false
}

// pattern is a validated subscription pattern split into segments.
type pattern struct {
	raw  string
	segs []string
}

func compile(raw string) (pattern, error) {
	if err := ValidatePattern(raw); err != nil {
		return pattern{}, err
	}
	return pattern{raw: raw, segs: strings.Split(raw, ".")}, nil
}

// match walks topic segment by segment without allocating.
func (p pattern) match(topic string) bool {
	if topic == "" {
		return false
	}
	for i := 0; ; i++ {
		if i == len(p.segs) {
			return false // the topic has more segments than the pattern
		}
		seg, rest, more := strings.Cut(topic, ".")
		switch p.segs[i] {
		case AnyTail:
			return true // this segment and any that follow
		case AnySegment:
		default:
			if p.segs[i] != seg {
				return false
			}
		}
		if !more {
			return i == len(p.segs)-1
		}
		topic = rest
	}
}
