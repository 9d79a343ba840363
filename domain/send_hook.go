package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SendHook is a secret URL that sends a text through an instance.
type SendHook struct {
	ID         string
	InstanceID string
	Name       string
	To         string // default recipient, may be empty
	TokenHash  []byte
	CreatedAt  time.Time
}

// MaxHookBody is the largest body a send hook accepts: text only.
const MaxHookBody = 64 << 10

// NewSendHook validates the hook and returns it with its token (256 random
// bits, URL-safe), shown once; only the hash is kept.
func NewSendHook(instanceID, name, to string, now time.Time) (*SendHook, string, error) {
	fields := map[string]string{}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		fields["name"] = "is required, at most 100 characters"
	}
	checkTexts(fields, "name", name, "to", to)
	if to != "" {
		a, ok := ParseAddress(to)
		if !ok {
			fields["to"] = AddressRule
		}
		to = a.String()
	}
	if len(fields) > 0 {
		return nil, "", Invalid(fields)
	}
	token := NewSecret("zgh_", 32)
	return &SendHook{ID: NewID(now), InstanceID: instanceID, Name: name, To: to, TokenHash: HashSecret(token), CreatedAt: now}, token, nil
}
