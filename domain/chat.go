package domain

import "time"

// PresenceState is what a chat is shown of the instance: typing…,
// recording audio…, or nothing any more.
type PresenceState string

const (
	PresenceTyping    PresenceState = "typing"
	PresenceRecording PresenceState = "recording"
	PresencePaused    PresenceState = "paused"
)

// ParsePresenceState accepts the states API.md names.
func ParsePresenceState(s string) (PresenceState, error) {
	switch p := PresenceState(s); p {
	case PresenceTyping, PresenceRecording, PresencePaused:
		return p, nil
	}
	return "", InvalidField("state", "must be typing, recording or paused")
}

// MaxReadIDs is how many messages one read receipt command may name.
const MaxReadIDs = 500

// Unread tells whether an incoming message still waits for the instance's
// read receipt.
func (m *Message) Unread() bool { return m.Direction == DirectionIn && m.ReadAt == nil }

// MarkReadByUs records that the instance sent the read receipt (blue
// ticks) of an incoming message; read_at shows when. It reports false for
// an outgoing message, or one already read, which keeps its first time.
func (m *Message) MarkReadByUs(at time.Time) bool {
	if !m.Unread() {
		return false
	}
	at = at.UTC()
	m.ReadAt = &at
	return true
}
