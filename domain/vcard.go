package domain

import (
	"strings"
)

// VCard writes a person as a vCard 3.0 (RFC 2426), the format WhatsApp's
// contact messages carry. Each phone has a waid parameter, which makes
// WhatsApp offer "Message" on the card. Lines end with "\n", as WhatsApp's
// own cards do.
func VCard(c ContactCard) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line("BEGIN:VCARD")
	line("VERSION:3.0")
	// N is required in 3.0; a single name goes in the given-name slot.
	line("N:;" + vcardEscape(c.Name) + ";;;")
	line("FN:" + vcardEscape(c.Name))
	if c.Organization != "" {
		line("ORG:" + vcardEscape(c.Organization))
	}
	if c.Email != "" {
		line("EMAIL;type=INTERNET:" + vcardEscape(c.Email))
	}
	for _, p := range c.Phones {
		// Phones are digits (NormalizePhone): nothing to escape.
		line("TEL;type=CELL;type=VOICE;waid=" + p + ":+" + p)
	}
	line("END:VCARD")
	return b.String()
}

// vcardEscape escapes a text value (RFC 2426 section 4): backslash,
// comma, semicolon and line breaks.
func vcardEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// vcardUnescape reverses vcardEscape.
func vcardUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// ParseVCard reads the name, phones, organization and email of a vCard
// (2.1, 3.0 or 4.0, as phones write them) and keeps the card whole in
// VCard. What it cannot read is left empty: a card is shown, never refused.
func ParseVCard(card string) ContactCard {
	c := ContactCard{VCard: card, Phones: []string{}}
	// Unfold: a line starting with a space or tab continues the previous one.
	unfolded := strings.NewReplacer("\r\n ", "", "\r\n\t", "", "\n ", "", "\n\t", "").Replace(card)
	var family, given string
	for _, raw := range strings.Split(unfolded, "\n") {
		raw = strings.TrimRight(raw, "\r")
		colon := vcardColon(raw)
		if colon < 0 {
			continue
		}
		params := strings.Split(raw[:colon], ";")
		name := strings.ToUpper(params[0])
		if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
			name = name[dot+1:] // a group prefix: "item1.TEL"
		}
		value := raw[colon+1:]
		switch name {
		case "FN":
			c.Name = vcardUnescape(value)
		case "N":
			parts := vcardSplit(value)
			family = vcardUnescape(parts[0])
			if len(parts) > 1 {
				given = vcardUnescape(parts[1])
			}
		case "ORG":
			c.Organization = vcardUnescape(vcardSplit(value)[0])
		case "EMAIL":
			if c.Email == "" {
				c.Email = vcardUnescape(value)
			}
		case "TEL":
			if p := vcardPhone(params[1:], value); p != "" {
				c.Phones = append(c.Phones, p)
			}
		}
	}
	if c.Name == "" {
		c.Name = strings.TrimSpace(given + " " + family)
	}
	return c
}

// vcardColon is the index of the colon that ends a line's name and
// parameters; parameter values may be quoted and hold colons.
func vcardColon(line string) int {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// vcardSplit splits a structured value at the semicolons not escaped.
func vcardSplit(v string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case ';':
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

// vcardPhone is the phone a TEL line names: its waid when WhatsApp gave
// one, else the digits of the value when they make a phone number, else
// the value as written.
func vcardPhone(params []string, value string) string {
	for _, p := range params {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "waid") {
			if phone, ok := NormalizePhone(v); ok {
				return phone
			}
		}
	}
	value = strings.TrimPrefix(strings.TrimSpace(value), "tel:")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, value)
	if phone, ok := NormalizePhone(digits); ok {
		return phone
	}
	return value
}
