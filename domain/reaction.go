package domain

import (
	"slices"
	"time"
	"unicode"
)

// MaxEmojiBytes bounds a reaction: one emoji, even a long ZWJ sequence
// (a family, a flag with modifiers), fits; a sentence does not.
const MaxEmojiBytes = 32

// EmojiRule is the reason given for a bad reaction emoji.
const EmojiRule = "must be one emoji (at most 32 bytes, no spaces), or \"\" to remove the reaction"

// Reaction is one person's emoji on a message. From is their phone when
// known, else their JID; the instance's own reactions are from its phone.
type Reaction struct {
	From  string
	Emoji string
	At    time.Time
}

// EmojiProblem tells why s cannot be a reaction, "" when it can. "" itself
// is a reaction: it removes the sender's.
func EmojiProblem(s string) string {
	if p := TextProblem(s); p != "" {
		return p
	}
	if len(s) > MaxEmojiBytes {
		return EmojiRule
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return EmojiRule
		}
	}
	return ""
}

// checkReaction records what is wrong with a reaction draft: it names its
// target and an emoji, and carries nothing else.
func checkReaction(fields map[string]string, d OutgoingDraft) {
	if d.TargetID == "" {
		fields["message_id"] = "is required for a reaction: the id of a message of this instance"
	}
	if p := EmojiProblem(d.Emoji); p != "" {
		fields["emoji"] = p
	}
	notFor := map[string]bool{"text": d.Text != "", "caption": d.Caption != "", "media": d.Media != nil,
		"mentions": len(d.Mentions) > 0, "mention_all": d.MentionAll, "reply_to": d.ReplyTo != ""}
	for f, set := range notFor {
		if set {
			fields[f] = "is not for a reaction"
		}
	}
}

// React records from's reaction: it replaces their earlier one, and ""
// removes it. It reports whether the reactions changed, so a repeated
// reaction (a redelivery) announces nothing.
func (m *Message) React(from, emoji string, at time.Time) bool {
	m.Reactions = slices.Clone(m.Reactions) // never write into a shared list
	for i, r := range m.Reactions {
		if r.From != from {
			continue
		}
		if emoji == "" {
			m.Reactions = slices.Delete(m.Reactions, i, i+1)
			return true
		}
		if r.Emoji == emoji {
			return false
		}
		m.Reactions[i] = Reaction{From: from, Emoji: emoji, At: at.UTC()}
		return true
	}
	if emoji == "" {
		return false
	}
	m.Reactions = append(m.Reactions, Reaction{From: from, Emoji: emoji, At: at.UTC()})
	return true
}

// quotableProblem tells why m cannot be quoted or reacted to, "" when it
// can: it must be a message (not a reaction) that reached WhatsApp or is
// on its way there in order.
func (m *Message) quotableProblem() string {
	switch {
	case m.Type == TypeReaction:
		return "is a reaction, not a message"
	case m.Status == StatusScheduled || m.Status == StatusFailed || m.Status == StatusCanceled:
		return "is a " + string(m.Status) + " message, which WhatsApp never received"
	case m.WAMessageID == "":
		return "has no WhatsApp id"
	}
	return ""
}

// CheckQuotable refuses, naming field, a message that cannot be replied to
// or reacted to.
func (m *Message) CheckQuotable(field string) error {
	if p := m.quotableProblem(); p != "" {
		return InvalidField(field, p)
	}
	return nil
}
