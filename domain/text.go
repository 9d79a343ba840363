package domain

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Reasons given for text Postgres cannot store: it refuses NUL (U+0000) in
// text and jsonb, and byte sequences that are not UTF-8.
const (
	RuleNoNUL = "must not contain NUL"
	RuleUTF8  = "must be valid UTF-8"
)

// TextProblem tells why s cannot be stored as text, or "" when it can. It is
// the one rule for text that comes from clients: refused, never repaired, so
// what is stored is what was asked for.
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return RuleUTF8
	}
	if strings.IndexByte(s, 0) >= 0 {
		return RuleNoNUL
	}
	return ""
}

// CheckText is TextProblem as an error naming the field.
func CheckText(field, s string) error {
	if p := TextProblem(s); p != "" {
		return InvalidField(field, p)
	}
	return nil
}

// checkTexts records in fields the problem of each named text, unless that
// field already has a reason.
func checkTexts(fields map[string]string, named ...string) {
	for i := 0; i+1 < len(named); i += 2 {
		if _, ok := fields[named[i]]; ok {
			continue
		}
		if p := TextProblem(named[i+1]); p != "" {
			fields[named[i]] = p
		}
	}
}

// CleanText makes text that WhatsApp delivered storable: invalid UTF-8 is
// repaired and NUL removed. Such text is never refused, since the message
// already exists on the phone.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// CleanJSON removes the \u0000 escapes from JSON that encoding/json wrote,
// in keys and values alike, so Postgres jsonb accepts it. encoding/json
// already replaces invalid UTF-8 with U+FFFD.
func CleanJSON(b []byte) []byte {
	const nul = `\u0000`
	if !bytes.Contains(b, []byte(nul)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			out = append(out, b[i])
			continue
		}
		// An escape: drop it when it is NUL, else copy it whole so an
		// escaped backslash followed by "u0000" stays text.
		if bytes.HasPrefix(b[i:], []byte(nul)) {
			i += len(nul) - 1
			continue
		}
		out = append(out, b[i])
		if i+1 < len(b) {
			i++
			out = append(out, b[i])
		}
	}
	return out
}
