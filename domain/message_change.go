package domain

import (
	"time"
	"unicode/utf8"
)

// WhatsApp's windows for changing a sent message. WhatsApp lets a message
// be edited for 15 minutes (API.md), and deleted for everyone for about
// two and a half days; zapgate refuses revokes after 48 hours so that it
// never asks for one WhatsApp would drop.
const (
	EditWindow   = 15 * time.Minute
	RevokeWindow = 48 * time.Hour
)

// sentByUs tells whether WhatsApp accepted m from this instance.
func (m *Message) sentByUs() bool {
	if m.Direction != DirectionOut || m.SentAt == nil {
		return false
	}
	switch m.Status {
	case StatusSent, StatusDelivered, StatusRead:
		return true
	}
	return false
}

// editableText tells whether m has a text to edit: its text, or the
// caption of a media message that has one.
func (m *Message) editableText() bool {
	switch m.Type {
	case TypeText:
		return true
	case TypeImage, TypeVideo, TypeDocument:
		return m.Caption != ""
	}
	return false
}

// CheckEditable refuses (409 not_editable) an edit WhatsApp would not take:
// m must be a text or captioned media this instance sent, not deleted, and
// sent less than EditWindow before now.
func (m *Message) CheckEditable(now time.Time) error {
	switch {
	case !m.sentByUs():
		return Conflict("not_editable", "only a message this instance sent (status sent, delivered or read) can be edited")
	case m.RevokedAt != nil:
		return Conflict("not_editable", "the message was deleted for everyone")
	case !m.editableText():
		return Conflict("not_editable", "only a text, or the caption of a media message that has one, can be edited")
	case now.Sub(*m.SentAt) > EditWindow:
		return Conflict("not_editable", "WhatsApp allows edits for 15 minutes after sending; this message is older")
	}
	return nil
}

// CheckEditText refuses a new text m cannot take, naming `text`.
func (m *Message) CheckEditText(text string) error {
	if p := TextProblem(text); p != "" {
		return InvalidField("text", p)
	}
	limit, rule := MaxTextRunes, "must be at most 65536 characters"
	if m.Type != TypeText {
		limit, rule = MaxCaptionRunes, "must be at most 4096 characters (a caption)"
	}
	switch {
	case text == "" || isBlank(text):
		return InvalidField("text", "is required: the new text")
	case utf8.RuneCountInString(text) > limit:
		return InvalidField("text", rule)
	}
	return nil
}

// Edit replaces the text (or caption) of m, as WhatsApp shows it after an
// edit, and reports whether it changed; a message without text to edit is
// left alone. Received edits are applied as they come: WhatsApp already
// judged them.
func (m *Message) Edit(text string, at time.Time) bool {
	if m.RevokedAt != nil {
		return false
	}
	switch {
	case m.Type == TypeText:
		if m.Text == text && m.EditedAt != nil {
			return false
		}
		m.Text = text
	case m.Type == TypeImage || m.Type == TypeVideo || m.Type == TypeDocument:
		if m.Caption == text && m.EditedAt != nil {
			return false
		}
		m.Caption = text
	default:
		return false
	}
	at = at.UTC()
	m.EditedAt = &at
	return true
}

// CheckRevocable refuses (409 not_revocable) a delete for everyone that
// WhatsApp would not take: m must be a message this instance sent, not yet
// deleted, less than RevokeWindow ago.
func (m *Message) CheckRevocable(now time.Time) error {
	switch {
	case !m.sentByUs():
		return Conflict("not_revocable", "only a message this instance sent (status sent, delivered or read) can be deleted for everyone")
	case m.Type == TypeReaction:
		return Conflict("not_revocable", "a reaction is removed by reacting with \"\"")
	case m.RevokedAt != nil:
		return Conflict("not_revocable", "the message was already deleted for everyone")
	case now.Sub(*m.SentAt) > RevokeWindow:
		return Conflict("not_revocable", "WhatsApp deletes for everyone only recent messages; zapgate allows 48 hours and this message is older")
	}
	return nil
}

// Revoke records that m was deleted for everyone and reports whether that
// is news. Its content stays, for the record; revoked_at tells clients.
func (m *Message) Revoke(at time.Time) bool {
	if m.RevokedAt != nil {
		return false
	}
	at = at.UTC()
	m.RevokedAt = &at
	return true
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}
