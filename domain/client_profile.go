package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of what attendants write about a client.
const (
	MaxClientNameLen  = 100
	MaxClientNotesLen = 4000
	MaxAttributes     = 50
	MaxAttrKeyLen     = 64
	MaxAttrValueLen   = 500
)

// ClientProfile changes what attendants know of a client; nil stays as is.
// Attributes replace the whole set.
type ClientProfile struct {
	Name       *string
	Notes      *string
	Attributes map[string]string // nil: unchanged; empty: cleared
}

// Apply validates the profile and writes it into c.
func (p ClientProfile) Apply(c *Client) error {
	fields := map[string]string{}
	name, notes := c.Name, c.Notes
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
		if pr := TextProblem(name); pr != "" {
			fields["name"] = pr
		} else if utf8.RuneCountInString(name) > MaxClientNameLen {
			fields["name"] = fmt.Sprintf("must be at most %d characters", MaxClientNameLen)
		}
	}
	if p.Notes != nil {
		notes = strings.TrimSpace(*p.Notes)
		if pr := TextProblem(notes); pr != "" {
			fields["notes"] = pr
		} else if utf8.RuneCountInString(notes) > MaxClientNotesLen {
			fields["notes"] = fmt.Sprintf("must be at most %d characters", MaxClientNotesLen)
		}
	}
	attrs := c.Attributes
	if p.Attributes != nil {
		attrs = make(map[string]string, len(p.Attributes))
		if len(p.Attributes) > MaxAttributes {
			fields["attributes"] = fmt.Sprintf("at most %d keys", MaxAttributes)
		}
		for k, v := range p.Attributes {
			k = strings.TrimSpace(k)
			switch {
			case TextProblem(k) != "" || TextProblem(v) != "":
				fields["attributes"] = "keys and values " + RuleNoNUL + " and " + RuleUTF8
			case k == "" || utf8.RuneCountInString(k) > MaxAttrKeyLen:
				fields["attributes"] = fmt.Sprintf("keys must be 1 to %d characters", MaxAttrKeyLen)
			case utf8.RuneCountInString(v) > MaxAttrValueLen:
				fields["attributes"] = fmt.Sprintf("values must be at most %d characters", MaxAttrValueLen)
			}
			attrs[k] = v
		}
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	c.Name, c.Notes, c.Attributes = name, notes, attrs
	return nil
}

// DisplayName is how attendants and canned replies call the client: the
// name written down, else the push name, else the address.
func (c *Client) DisplayName() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.PushName != "":
		return c.PushName
	}
	return c.Address()
}
