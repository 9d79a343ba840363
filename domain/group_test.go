package domain

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// invalidField is the field an Invalid error names, "" when err is not one.
func invalidField(err error) string {
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid {
		return ""
	}
	for f := range e.Fields {
		return f
	}
	return ""
}

func TestParseGroupJID(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"120363025246125244@g.us", true},
		{"5511999998888-1614000000@g.us", true},
		{"5511999998888", false},
		{"5511999998888@s.whatsapp.net", false},
		{"123@lid", false},
		{"", false},
		{"abc@g.us", false},
	}
	for _, tt := range tests {
		a, err := ParseGroupJID("jid", tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("ParseGroupJID(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
		if err == nil && a.JID() != tt.in {
			t.Errorf("ParseGroupJID(%q) = %s", tt.in, a.JID())
		}
		if err != nil && invalidField(err) != "jid" {
			t.Errorf("ParseGroupJID(%q) names %q, want jid", tt.in, invalidField(err))
		}
	}
}

func TestCheckGroupTexts(t *testing.T) {
	tests := []struct {
		name, subject string
		description   string
		field         string // "" = valid
	}{
		{name: "plain", subject: "Team"},
		{name: "100 runes", subject: strings.Repeat("é", 100)},
		{name: "empty", subject: "", field: "subject"},
		{name: "spaces", subject: "   ", field: "subject"},
		{name: "101 runes", subject: strings.Repeat("a", 101), field: "subject"},
		{name: "NUL", subject: "a\x00b", field: "subject"},
		{name: "bad UTF-8", subject: "a\xffb", field: "subject"},
		{name: "description 2048", subject: "x", description: strings.Repeat("d", 2048)},
		{name: "description 2049", subject: "x", description: strings.Repeat("d", 2049), field: "description"},
		{name: "description NUL", subject: "x", description: "\x00", field: "description"},
	}
	for _, tt := range tests {
		err := CheckGroupSubject(tt.subject)
		if err == nil {
			err = CheckGroupDescription(tt.description)
		}
		if got := invalidField(err); got != tt.field || (tt.field == "" && err != nil) {
			t.Errorf("%s: err = %v, want field %q", tt.name, err, tt.field)
		}
	}
}

func TestParseGroupParticipants(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		min  int
		want []string
		bad  bool
	}{
		{name: "none at create", in: nil, min: 0, want: []string{}},
		{name: "none for a change", in: nil, min: 1, bad: true},
		{name: "phones and LIDs, repeats dropped", in: []string{"+5511999998888", "5511999998888@s.whatsapp.net", "77@lid"}, min: 1,
			want: []string{"5511999998888@s.whatsapp.net", "77@lid"}},
		{name: "a group is no person", in: []string{"120363025246125244@g.us"}, min: 1, bad: true},
		{name: "garbage", in: []string{"abc"}, min: 0, bad: true},
		{name: "NUL", in: []string{"5511999998888\x00"}, min: 0, bad: true},
		{name: "too many", in: make([]string, MaxGroupParticipants+1), min: 0, bad: true},
	}
	for _, tt := range tests {
		got, err := ParseGroupParticipants(tt.in, tt.min)
		if tt.bad {
			if invalidField(err) != "participants" {
				t.Errorf("%s: err = %v, want participants refused", tt.name, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: = %v, %v, want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestNewGroupUpdate(t *testing.T) {
	s := func(v string) *string { return &v }
	yes := true
	tests := []struct {
		name        string
		subject     *string
		description *string
		announce    *bool
		field       string
	}{
		{name: "nothing", field: "subject"},
		{name: "announce only", announce: &yes},
		{name: "clear description", description: s("")},
		{name: "empty subject", subject: s(""), field: "subject"},
		{name: "NUL description", description: s("\x00"), field: "description"},
	}
	for _, tt := range tests {
		u, err := NewGroupUpdate(tt.subject, tt.description, tt.announce, nil)
		if invalidField(err) != tt.field || (tt.field == "" && err != nil) {
			t.Errorf("%s: err = %v, want field %q", tt.name, err, tt.field)
		}
		if err == nil && (u.Subject != tt.subject || u.Description != tt.description || u.Announce != tt.announce) {
			t.Errorf("%s: = %+v", tt.name, u)
		}
	}
}

func TestParseParticipantAction(t *testing.T) {
	for _, s := range []string{"add", "remove", "promote", "demote"} {
		if a, err := ParseParticipantAction(s); err != nil || string(a) != s {
			t.Errorf("ParseParticipantAction(%q) = %q, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "ADD", "kick", "add\x00"} {
		if _, err := ParseParticipantAction(s); invalidField(err) != "action" {
			t.Errorf("ParseParticipantAction(%q) = %v, want action refused", s, err)
		}
	}
}

func TestParseInviteLink(t *testing.T) {
	tests := []struct {
		in, code string
	}{
		{"https://chat.whatsapp.com/AbC123_-xyz", "AbC123_-xyz"},
		{"AbC123", "AbC123"},
		{"https://chat.whatsapp.com/", ""},
		{"", ""},
		{"http://chat.whatsapp.com/AbC", ""},
		{"https://evil.example/AbC", ""},
		{"AbC\x00", ""},
		{strings.Repeat("a", 65), ""},
	}
	for _, tt := range tests {
		code, err := ParseInviteLink(tt.in)
		if tt.code == "" {
			if invalidField(err) != "link" {
				t.Errorf("ParseInviteLink(%q) = %q, %v, want link refused", tt.in, code, err)
			}
			continue
		}
		if err != nil || code != tt.code {
			t.Errorf("ParseInviteLink(%q) = %q, %v, want %q", tt.in, code, err, tt.code)
		}
	}
}
