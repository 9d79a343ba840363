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
	Format     HookFormat
	TokenHash  []byte
	CreatedAt  time.Time
}

// HookFormat is how a send hook reads what is posted to it: plain text, or
// the native body of a tool that cannot be taught to send {"to","text"}.
type HookFormat string

const (
	HookAuto         HookFormat = "auto" // detected per post
	HookText         HookFormat = "text" // {"to","text"} or text/plain
	HookAlertmanager HookFormat = "alertmanager"
	HookGrafana      HookFormat = "grafana"
	HookGitHub       HookFormat = "github"
)

// HookFormatRule is the reason given for a format zapgate does not know.
const HookFormatRule = "must be one of auto, text, alertmanager, grafana, github"

// ParseHookFormat reads a hook's format; empty is auto.
func ParseHookFormat(s string) (HookFormat, bool) {
	switch f := HookFormat(s); f {
	case "":
		return HookAuto, true
	case HookAuto, HookText, HookAlertmanager, HookGrafana, HookGitHub:
		return f, true
	}
	return "", false
}

// MaxHookBody is the largest body a send hook accepts: a text, or an
// alerting tool's group of alerts (which grows with the group; the text
// made of it is cut at 4096 characters).
const MaxHookBody = 1 << 20

// NewSendHook validates the hook and returns it with its token (256 random
// bits, URL-safe), shown once; only the hash is kept.
func NewSendHook(instanceID, name, to, format string, now time.Time) (*SendHook, string, error) {
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
	f, ok := ParseHookFormat(format)
	if !ok {
		fields["format"] = HookFormatRule
	}
	if len(fields) > 0 {
		return nil, "", Invalid(fields)
	}
	token := NewSecret("zgh_", 32)
	return &SendHook{ID: NewID(now), InstanceID: instanceID, Name: name, To: to, Format: f, TokenHash: HashSecret(token), CreatedAt: now}, token, nil
}
