package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageType is what a message carries.
type MessageType string

const (
	TypeText     MessageType = "text"
	TypeImage    MessageType = "image"
	TypeAudio    MessageType = "audio"
	TypeVideo    MessageType = "video"
	TypeDocument MessageType = "document"
	// TypeReaction is an emoji on another message (reaction.go).
	TypeReaction MessageType = "reaction"
)

const (
	TypeSticker  MessageType = "sticker"
	TypeLocation MessageType = "location"
	TypeContact  MessageType = "contact"
	// TypeUnsupported is only received, never sent.
	TypeUnsupported MessageType = "unsupported"
)

// TypeRule is the reason given for an unknown message type.
const TypeRule = "must be one of text, image, audio, video, document, sticker, location, contact, poll, reaction"

// ParseMessageType accepts only the types zapgate can send.
func ParseMessageType(s string) (MessageType, bool) {
	switch t := MessageType(s); t {
	case TypeText, TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker, TypeLocation, TypeContact, TypePoll, TypeReaction:
		return t, true
	}
	return "", false
}

// IsMedia tells whether the type carries a file.
func (t MessageType) IsMedia() bool {
	switch t {
	case TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker:
		return true
	}
	return false
}

// Direction tells whether a message was sent by zapgate or received.
type Direction string

const (
	DirectionOut Direction = "out"
	DirectionIn  Direction = "in"
)

// MessageStatus is where a message is in its life.
type MessageStatus string

const (
	StatusScheduled MessageStatus = "scheduled"
	StatusQueued    MessageStatus = "queued"
	StatusSent      MessageStatus = "sent"
	StatusDelivered MessageStatus = "delivered"
	StatusRead      MessageStatus = "read"
	StatusFailed    MessageStatus = "failed"
	StatusCanceled  MessageStatus = "canceled"
	StatusReceived  MessageStatus = "received"
)

// rank orders outgoing statuses so receipts never move a message backwards.
func (s MessageStatus) rank() int {
	switch s {
	case StatusScheduled:
		return 0
	case StatusQueued:
		return 1
	case StatusSent:
		return 2
	case StatusDelivered:
		return 3
	case StatusRead:
		return 4
	}
	return -1
}

// Final tells whether nothing more will be sent for the message.
func (s MessageStatus) Final() bool {
	return s != StatusScheduled && s != StatusQueued
}

// Limits on what a message may carry.
const (
	MaxMediaBytes    = 16 << 20
	MaxTextRunes     = 65536
	MaxCaptionRunes  = 4096
	MaxFilenameLen   = 255
	MaxScheduleAhead = 365 * 24 * time.Hour
)

// Media is a file stored under a content-addressed key.
type Media struct {
	Key      string
	Mime     string
	Filename string
	Size     int64
	SHA256   string
}

// Message is one WhatsApp message, outgoing or incoming.
type Message struct {
	ID             string
	InstanceID     string
	Direction      Direction
	Status         MessageStatus
	To             string
	From           string
	Type           MessageType
	Text           string
	Caption        string
	Media          *Media
	WAMessageID    string
	Error          string
	IdempotencyKey string
	// RequestFingerprint is the Fingerprint of the request that made the
	// message, kept with its IdempotencyKey; "" for older messages.
	RequestFingerprint string
	PushName           string // the sender's WhatsApp name, incoming only
	Chat               string // the conversation's JID: the group, or the person
	IsGroup            bool
	FromLID            string        // the sender's LID, when known
	ToLID              string        // the recipient's LID, when known
	Participant        string        // in groups, the JID of the member who wrote
	Mentions           []string      // JIDs of the people the message mentions
	PTT                bool          // an audio message sent as a voice note
	FromMe             bool          // sent from the linked phone itself
	Location           *Location     // a location message's place
	Contacts           []ContactCard // a contact message's people
	Poll               *Poll         // a poll with its tally
	Extra              []byte        // JSON: location, contact card, unsupported kind
	AttendanceID       string        // the helpdesk conversation it belongs to
	// ReplyTo is the id of the message this one quotes, "" when none (or
	// when it quotes a message zapgate never saw).
	ReplyTo string
	// Reactions are the emoji people put on the message, one per sender.
	Reactions []Reaction
	// TargetID and Emoji are what an outgoing reaction reacts to and with.
	TargetID    string
	Emoji       string
	EditedAt    *time.Time // when its text or caption last changed
	RevokedAt   *time.Time // when it was deleted for everyone
	CreatedAt   time.Time
	SendAt      *time.Time
	SentAt      *time.Time
	DeliveredAt *time.Time
	ReadAt      *time.Time
	// Held says why a queued message waits in Postgres instead of going
	// (HeldNewContactCap), "" when it does not.
	Held string
}

// OutgoingDraft is what a client asks to send, before validation.
type OutgoingDraft struct {
	InstanceID     string
	To             string
	Type           string
	Text           string
	Caption        string
	Media          *Media // nil for text
	SendAt         *time.Time
	IdempotencyKey string
	// Mentions are the addresses the client mentions; MentionAll mentions
	// every member of the group `to` (Message.MentionMembers adds them).
	Mentions   []string
	MentionAll bool
	// Location, Contacts and Poll are what a location, contact or poll
	// message carries.
	Location *LocationDraft
	Contacts []ContactCard
	Poll     *PollDraft
	// PTT sends an audio message as a voice note (push to talk).
	PTT bool
	// ReplyTo is the id of the message this one quotes; the caller checks
	// that it is one of the instance's (Message.CheckQuotable).
	ReplyTo string
	// TargetID and Emoji make a reaction: the id of the message reacted
	// to (checked by the caller, like ReplyTo; `to` is its chat) and the
	// emoji, "" to remove ours.
	TargetID string
	Emoji    string
	// RequestFingerprint is d.Fingerprint() taken before the media was
	// stored (Media then held the request's declared mime), kept with the
	// key so a reuse of the key for another request can be refused.
	RequestFingerprint string
}

// ErrIdempotencyKeyReused answers a request that reuses an Idempotency-Key
// of the same instance with a different body (IETF Idempotency-Key draft).
var ErrIdempotencyKeyReused = &Error{Kind: KindUnprocessable, Code: "idempotency_key_reused",
	Message: "this Idempotency-Key was already used for a different request; use a new key"}

// Fingerprint hashes what the draft asks to send, in a canonical form:
// the recipient normalized, media by its content hash, declared mime and
// file name. Two requests with the same fingerprint send the same message.
func (d OutgoingDraft) Fingerprint() string {
	to := d.To
	if a, ok := ParseAddress(to); ok {
		to = a.String()
	}
	sendAt := ""
	if d.SendAt != nil {
		sendAt = d.SendAt.UTC().Format(time.RFC3339Nano)
	}
	parts := []string{d.InstanceID, to, d.Type, d.Text, d.Caption, sendAt}
	if d.Media != nil {
		parts = append(parts, "media", d.Media.SHA256, d.Media.Mime, d.Media.Filename)
	}
	// Only drafts that mention someone add parts, so fingerprints kept
	// before mentions existed still match.
	if len(d.Mentions) > 0 {
		parts = append(parts, "mentions")
		for _, m := range d.Mentions {
			if a, ok := ParseAddress(m); ok {
				m = a.JID()
			}
			parts = append(parts, m)
		}
	}
	if d.MentionAll {
		parts = append(parts, "mention_all")
	}
	parts = append(parts, d.kindParts()...)
	if d.PTT {
		parts = append(parts, "ptt")
	}
	if d.ReplyTo != "" {
		parts = append(parts, "reply_to", d.ReplyTo)
	}
	if d.Type == string(TypeReaction) {
		parts = append(parts, "reaction", d.TargetID, d.Emoji)
	}
	h := sha256.New()
	for _, p := range parts {
		// Length-prefixed, so no two different drafts hash the same bytes.
		h.Write([]byte(strconv.Itoa(len(p)) + ":" + p + ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// NewOutgoing validates a draft and returns a message ready to be stored:
// queued, or scheduled when SendAt is in the future.
func NewOutgoing(d OutgoingDraft, now time.Time) (*Message, error) {
	fields := map[string]string{}
	to, ok := ParseAddress(d.To)
	if !ok {
		fields["to"] = AddressRule
	}
	typ, ok := ParseMessageType(d.Type)
	if !ok {
		fields["type"] = TypeRule
	}
	if typ == TypeReaction {
		checkReaction(fields, d)
	} else if d.TargetID != "" || d.Emoji != "" {
		fields["message_id"] = "is only for a reaction"
	}
	switch {
	case typ == TypeText && strings.TrimSpace(d.Text) == "":
		fields["text"] = "is required for a text message"
	case typ == TypeText && utf8.RuneCountInString(d.Text) > MaxTextRunes:
		fields["text"] = "must be at most 65536 characters"
	case typ == TypeText && d.Media != nil:
		fields["media"] = "is not allowed for a text message"
	case typ.IsMedia() && d.Media == nil:
		fields["media"] = "is required for a " + string(typ) + " message"
	case typ.IsMedia() && d.Text != "":
		fields["text"] = "is only for text messages; use caption"
	case typ != "" && !typ.IsMedia() && typ != TypeText && d.Media != nil:
		fields["media"] = "is not allowed for a " + string(typ) + " message"
	case typ != "" && !typ.IsMedia() && typ != TypeText && d.Text != "":
		fields["text"] = "is only for text messages"
	}
	location, contacts, poll := kindProblems(fields, typ, d)
	if utf8.RuneCountInString(d.Caption) > MaxCaptionRunes {
		fields["caption"] = "must be at most 4096 characters"
	}
	if !typ.IsMedia() && d.Caption != "" {
		fields["caption"] = "is only for media messages"
	}
	if (typ == TypeAudio || typ == TypeSticker) && d.Caption != "" {
		fields["caption"] = "is not supported for " + string(typ)
	}
	if len(d.IdempotencyKey) > 255 {
		fields["Idempotency-Key"] = "must be at most 255 characters"
	}
	if d.SendAt != nil && d.SendAt.After(now.Add(MaxScheduleAhead)) {
		fields["send_at"] = "must be at most one year ahead"
	}
	mentions, problem := parseMentions(d.Mentions)
	if problem != "" {
		fields["mentions"] = problem
	}
	if d.PTT && typ != TypeAudio {
		fields["ptt"] = "is only for audio messages"
	}
	if d.MentionAll && !to.IsGroup() {
		fields["mention_all"] = "is only for a message to a group (…@g.us)"
	}
	// Postgres cannot store NUL or invalid UTF-8: refused here, not at
	// the insert, where it would be a 500.
	checkTexts(fields, "text", d.Text, "caption", d.Caption, "Idempotency-Key", d.IdempotencyKey)
	if d.Media != nil {
		checkTexts(fields, "media.filename", d.Media.Filename, "media.mime", d.Media.Mime)
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	m := &Message{
		ID:             NewID(now),
		InstanceID:     d.InstanceID,
		Direction:      DirectionOut,
		Status:         StatusQueued,
		To:             to.String(),
		Chat:           to.JID(),
		IsGroup:        to.IsGroup(),
		Type:           typ,
		Text:           d.Text,
		Caption:        d.Caption,
		Media:          d.Media,
		WAMessageID:    NewWAMessageID(),
		IdempotencyKey: d.IdempotencyKey,
		Mentions:       mentionJIDs(mentions),
		Location:       location,
		Contacts:       contacts,
		Poll:           poll,
		PTT:            d.PTT,
		ReplyTo:        d.ReplyTo,
		TargetID:       d.TargetID,
		Emoji:          d.Emoji,
		CreatedAt:      now,

		RequestFingerprint: d.RequestFingerprint,
	}
	if d.SendAt != nil {
		at := d.SendAt.UTC()
		m.SendAt = &at
		if at.After(now) {
			m.Status = StatusScheduled
		}
	}
	return m, nil
}

// MentionMembers adds the members of the group the message goes to to the
// people it mentions ("mention_all"), after those named, each once.
func (m *Message) MentionMembers(members []string) error {
	if !m.IsGroup {
		return InvalidField("mention_all", "is only for a message to a group (…@g.us)")
	}
	m.Mentions = mentionJIDs(m.Mentions, members)
	return nil
}

// KnowRecipient fills what the instance's contacts know of the person an
// outgoing message goes to: `to` becomes their phone when known, and
// to_lid their LID (API.md "Addresses"). The chat stays the address the
// message was sent to; messages to groups are left alone.
func (m *Message) KnowRecipient(c Contact) {
	if m.Direction != DirectionOut || m.IsGroup {
		return
	}
	if a, ok := ParseAddress(c.Phone); ok && a.Kind() == AddressPhone {
		m.To = a.Phone()
	}
	if a, ok := ParseAddress(c.LID); ok && a.IsLID() {
		m.ToLID = a.JID()
	}
}

// SendTo is the address WhatsApp is asked to deliver an outgoing message
// to: the one the client named. A person named by LID is written to at
// their LID even when `to` shows their phone.
func (m *Message) SendTo() string {
	if a, ok := ParseAddress(m.Chat); ok && a.IsLID() {
		return a.JID()
	}
	return m.To
}

// FileInto puts the message in a helpdesk conversation; a message belongs
// to one conversation for good.
func (m *Message) FileInto(attendanceID string) error {
	if attendanceID == "" {
		return fmt.Errorf("file message: no attendance")
	}
	if m.AttendanceID != "" && m.AttendanceID != attendanceID {
		return Conflict("message_filed", "the message belongs to another attendance")
	}
	m.AttendanceID = attendanceID
	return nil
}

// MarkSent records that WhatsApp accepted the message.
func (m *Message) MarkSent(at time.Time) bool {
	if m.Status != StatusQueued {
		return false
	}
	m.Status = StatusSent
	m.SentAt = &at
	m.Held = ""
	return true
}

// MarkFailed records a permanent failure.
func (m *Message) MarkFailed(reason string) bool {
	if m.Status != StatusQueued {
		return false
	}
	m.Status = StatusFailed
	m.Error = reason
	m.Held = ""
	return true
}

// Queue moves a scheduled message to the send queue.
func (m *Message) Queue() bool {
	if m.Status != StatusScheduled {
		return false
	}
	m.Status = StatusQueued
	return true
}

// Cancel stops a scheduled message.
func (m *Message) Cancel() error {
	if m.Status != StatusScheduled {
		return Conflict("not_cancelable", "only a scheduled message can be canceled; this one is "+string(m.Status))
	}
	m.Status = StatusCanceled
	return nil
}

// ApplyReceipt moves an outgoing message forward to delivered or read; a
// receipt that would move it backwards (a late "delivered" after "read") only
// fills the missing time. It reports whether the status changed.
func (m *Message) ApplyReceipt(s MessageStatus, at time.Time) bool {
	if m.Direction != DirectionOut || (s != StatusDelivered && s != StatusRead) {
		return false
	}
	if m.Status.rank() < StatusSent.rank() && m.Status != StatusQueued {
		return false
	}
	if s == StatusDelivered && m.DeliveredAt == nil {
		m.DeliveredAt = &at
	}
	if s == StatusRead {
		if m.DeliveredAt == nil {
			m.DeliveredAt = &at
		}
		if m.ReadAt == nil {
			m.ReadAt = &at
		}
	}
	if s.rank() <= m.Status.rank() {
		return false
	}
	if m.SentAt == nil {
		m.SentAt = &at
	}
	m.Status = s
	return true
}
