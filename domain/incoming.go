package domain

import (
	"encoding/json"
	"strings"
	"time"
)

// IncomingDraft is a message WhatsApp delivered to an instance.
type IncomingDraft struct {
	InstanceID  string
	WAMessageID string
	From        string // phone digits when known, else the sender's id (e.g. a LID)
	PushName    string
	FromLID     string // the sender's LID JID ("…@lid"), when WhatsApp gives it
	ToLID       string // for a message the linked phone sent to a person: their LID JID, when known
	Chat        string // the conversation's JID: the group, or the sender (derived from From when empty)
	IsGroup     bool
	Participant string   // the JID of the member who wrote, in groups
	Mentions    []string // JIDs of the people it mentions
	PTT         bool     // an audio message recorded as a voice note
	FromMe      bool
	Type        MessageType
	Text        string
	Caption     string
	Media       *Media
	Location    *Location
	Contacts    []ContactCard
	Poll        *Poll // a poll someone created; its votes start at 0
	Extra       any   // typed data, stored as JSON
	At          time.Time
	// QuotedWAID is the WhatsApp id of the message this one replies to;
	// ReplyTo its zapgate id, filled by the app when it knows it.
	QuotedWAID string
	ReplyTo    string
}

// NewIncoming validates a received message. Received data is trusted to be
// WhatsApp's, but it is still bounded: ids and names must be sane. What
// people wrote (text, caption, names, file names) is cleaned of what
// Postgres cannot store rather than refused: the message exists either way.
func NewIncoming(d IncomingDraft, now time.Time) (*Message, error) {
	d.Text, d.Caption, d.PushName = CleanText(d.Text), CleanText(d.Caption), CleanText(d.PushName)
	if d.Media != nil {
		media := *d.Media
		media.Filename, media.Mime = CleanText(media.Filename), CleanText(media.Mime)
		d.Media = &media
	}
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
	// Ids are WhatsApp's own and never carry NUL: one that does is not a
	// message to store.
	checkTexts(fields, "wa_message_id", d.WAMessageID, "from", d.From, "chat", d.Chat, "participant", d.Participant, "from_lid", d.FromLID, "to_lid", d.ToLID)
	if d.Chat == "" && !d.IsGroup {
		// A direct message's chat is its sender.
		if a, ok := ParseAddress(d.From); ok {
			d.Chat = a.JID()
		}
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
		extra = CleanJSON(b)
	}
	return &Message{
		ID: NewID(now), InstanceID: d.InstanceID, Direction: DirectionIn, Status: StatusReceived,
		From: d.From, PushName: strings.TrimSpace(d.PushName), Chat: d.Chat, IsGroup: d.IsGroup, FromMe: d.FromMe,
		Type: d.Type, Text: d.Text, Caption: d.Caption, Media: d.Media, WAMessageID: d.WAMessageID,
		Extra: extra, CreatedAt: at.UTC(), Participant: d.Participant, FromLID: d.FromLID, ToLID: d.ToLID,
		PTT:      d.PTT && d.Type == TypeAudio,
		Mentions: mentionJIDs(d.Mentions), // anything else is not a person's JID: dropped, not refused
		Location: cleanLocation(d.Location), Contacts: cleanContacts(d.Contacts), Poll: cleanPoll(d.Poll),
		ReplyTo: d.ReplyTo,
	}, nil
}
