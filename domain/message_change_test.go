package domain

import (
	"strings"
	"testing"
	"time"
)

func TestEmojiProblem(t *testing.T) {
	tests := []struct {
		emoji string
		ok    bool
	}{
		{"👍", true}, {"", true}, {"❤️", true}, {"👨‍👩‍👧‍👦", true}, {"🏳️‍🌈", true},
		{"a\x00", false}, {"\xff", false}, {"👍 👍", false}, {strings.Repeat("👍", 9), false}, {"\n", false},
	}
	for _, tt := range tests {
		if got := EmojiProblem(tt.emoji) == ""; got != tt.ok {
			t.Errorf("EmojiProblem(%q) ok = %v, want %v", tt.emoji, got, tt.ok)
		}
	}
}

func TestNewOutgoingReaction(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	base := OutgoingDraft{To: "5511999998888", Type: "reaction", TargetID: "0196a3f2-1b2c-7e3d-8f4a-5b6c7d8e9f01", Emoji: "👍"}
	tests := []struct {
		name  string
		edit  func(*OutgoingDraft)
		field string // "" = valid
	}{
		{"valid", func(*OutgoingDraft) {}, ""},
		{"removal", func(d *OutgoingDraft) { d.Emoji = "" }, ""},
		{"no target", func(d *OutgoingDraft) { d.TargetID = "" }, "message_id"},
		{"a sentence", func(d *OutgoingDraft) { d.Emoji = "nice one" }, "emoji"},
		{"NUL", func(d *OutgoingDraft) { d.Emoji = "\x00" }, "emoji"},
		{"text", func(d *OutgoingDraft) { d.Text = "hi" }, "text"},
		{"reply", func(d *OutgoingDraft) { d.ReplyTo = "x" }, "reply_to"},
		{"mentions", func(d *OutgoingDraft) { d.Mentions = []string{"5511999998888"} }, "mentions"},
		{"emoji on a text", func(d *OutgoingDraft) { d.Type, d.Text = "text", "hi" }, "message_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base
			tt.edit(&d)
			m, err := NewOutgoing(d, now)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.Type != TypeReaction || m.TargetID != d.TargetID || m.Emoji != d.Emoji {
					t.Errorf("message %+v", m)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Fields[tt.field] == "" {
				t.Errorf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
	a, b := base, base
	b.Emoji = "❤️"
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("two reactions with different emoji share a fingerprint")
	}
	c := OutgoingDraft{To: "5511999998888", Type: "text", Text: "hi"}
	r := c
	r.ReplyTo = "0196a3f2-1b2c-7e3d-8f4a-5b6c7d8e9f01"
	if c.Fingerprint() == r.Fingerprint() {
		t.Error("a reply and a plain message share a fingerprint")
	}
}

func TestReact(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var m Message
	steps := []struct {
		from, emoji string
		changed     bool
		want        string // from:emoji, …
	}{
		{"ana", "👍", true, "ana:👍"},
		{"ana", "👍", false, "ana:👍"},
		{"bia", "❤️", true, "ana:👍 bia:❤️"},
		{"ana", "😂", true, "ana:😂 bia:❤️"},
		{"ana", "", true, "bia:❤️"},
		{"ana", "", false, "bia:❤️"},
	}
	for i, s := range steps {
		if got := m.React(s.from, s.emoji, at); got != s.changed {
			t.Errorf("step %d changed = %v", i, got)
		}
		var parts []string
		for _, r := range m.Reactions {
			parts = append(parts, r.From+":"+r.Emoji)
		}
		if got := strings.Join(parts, " "); got != s.want {
			t.Errorf("step %d reactions %q, want %q", i, got, s.want)
		}
	}
}

func TestEditAndRevokeWindows(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	sent := func(mod func(*Message)) *Message {
		m := &Message{Direction: DirectionOut, Status: StatusSent, Type: TypeText, Text: "hi", SentAt: ago(time.Minute)}
		mod(m)
		return m
	}
	tests := []struct {
		name             string
		m                *Message
		editOK, revokeOK bool
	}{
		{"just sent", sent(func(*Message) {}), true, true},
		{"read", sent(func(m *Message) { m.Status = StatusRead }), true, true},
		{"14 minutes", sent(func(m *Message) { m.SentAt = ago(14 * time.Minute) }), true, true},
		{"16 minutes", sent(func(m *Message) { m.SentAt = ago(16 * time.Minute) }), false, true},
		{"47 hours", sent(func(m *Message) { m.SentAt = ago(47 * time.Hour) }), false, true},
		{"49 hours", sent(func(m *Message) { m.SentAt = ago(49 * time.Hour) }), false, false},
		{"queued", sent(func(m *Message) { m.Status, m.SentAt = StatusQueued, nil }), false, false},
		{"incoming", sent(func(m *Message) { m.Direction, m.Status = DirectionIn, StatusReceived }), false, false},
		{"captioned image", sent(func(m *Message) { m.Type, m.Text, m.Caption = TypeImage, "", "menu" }), true, true},
		{"image without caption", sent(func(m *Message) { m.Type, m.Text = TypeImage, "" }), false, true},
		{"audio", sent(func(m *Message) { m.Type, m.Text = TypeAudio, "" }), false, true},
		{"reaction", sent(func(m *Message) { m.Type, m.Text = TypeReaction, "" }), false, false},
		{"revoked", sent(func(m *Message) { m.RevokedAt = ago(0) }), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.CheckEditable(now)
			if (err == nil) != tt.editOK || (err != nil && err.(*Error).Code != "not_editable") {
				t.Errorf("CheckEditable = %v, want ok %v", err, tt.editOK)
			}
			err = tt.m.CheckRevocable(now)
			if (err == nil) != tt.revokeOK || (err != nil && err.(*Error).Code != "not_revocable") {
				t.Errorf("CheckRevocable = %v, want ok %v", err, tt.revokeOK)
			}
		})
	}
	m := sent(func(*Message) {})
	for _, bad := range []string{"", "  ", "a\x00b", strings.Repeat("x", MaxTextRunes+1)} {
		if err := m.CheckEditText(bad); err == nil || err.(*Error).Fields["text"] == "" {
			t.Errorf("CheckEditText(%.10q) = %v", bad, err)
		}
	}
	if !m.Edit("new", now) || m.Text != "new" || m.EditedAt == nil || m.Edit("new", now) {
		t.Errorf("edit %+v", m)
	}
	if !m.Revoke(now) || m.RevokedAt == nil || m.Revoke(now) || m.Edit("after", now) {
		t.Errorf("revoke %+v", m)
	}
}
