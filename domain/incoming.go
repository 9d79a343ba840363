package domain

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// IncomingDraft is a message WhatsApp delivered to an instance.
type IncomingDraft struct {
	InstanceID  string
	WAMessageID string
	From        string // phone digits when known, else the sender's id (e.g. a LID)
	PushName    string
	Chat        string // group JID when IsGroup
	IsGroup     bool
	FromMe      bool
	Type        MessageType
	Text        string
	Caption     string
	Media       *Media
	Extra       any // typed data, stored as JSON
	At          time.Time
}

// NewIncoming validates a received message. Received data is trusted to be
// WhatsApp's, but it is still bounded: ids and names must be sane.
func NewIncoming(d IncomingDraft, now time.Time) (*Message, error) {
	fields := map[string]string{}
	if d.WAMessageID == "" || len(d.WAMessageID) > 128 {
		fields["wa_message_id"] = "is required, at most 128 characters"
	}
	if d.From == "" || len(d.From) > 128 {
		fields["from"] = "is required"
	}
	if d.Type == "" {
		fields["type"] = "is required"
	}
	if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Caption) || !utf8.ValidString(d.PushName) {
		fields["text"] = "must be valid UTF-8"
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	at := d.At
	if at.IsZero() {
		at = now
	}
	var extra []byte
	if d.Extra != nil {
		b, err := json.Marshal(d.Extra)
		if err != nil {
			return nil, InvalidField("extra", "cannot be encoded")
		}
		extra = b
	}
	return &Message{
		ID: NewID(now), InstanceID: d.InstanceID, Direction: DirectionIn, Status: StatusReceived,
		From: d.From, PushName: strings.TrimSpace(d.PushName), Chat: d.Chat, IsGroup: d.IsGroup, FromMe: d.FromMe,
		Type: d.Type, Text: d.Text, Caption: d.Caption, Media: d.Media, WAMessageID: d.WAMessageID,
		Extra: extra, CreatedAt: at.UTC(),
	}, nil
}
