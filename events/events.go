// Package events holds the wire contracts: one type per command and event,
// with a stable name. Plain data, no behaviour.
package events

import (
	"encoding/json"
	"strings"
	"time"
)

// Version of the envelope and payload shapes below.
const Version = 1

// Stable names. Commands start with "cmd." and go to one instance's queue;
// everything else is an event and fans out to every consumer group.
const (
	CmdSendMessage    = "cmd.send_message"
	CmdLogoutInstance = "cmd.logout_instance"
	CmdCheckContacts  = "cmd.check_contacts"

	CmdCreateGroup       = "cmd.create_group"
	CmdUpdateGroup       = "cmd.update_group"
	CmdGroupParticipants = "cmd.update_group_participants"
	CmdGroupInviteLink   = "cmd.group_invite_link"
	CmdJoinGroup         = "cmd.join_group"
	CmdLeaveGroup        = "cmd.leave_group"

	MessageReceived  = "message.received"
	MessageStatus    = "message.status"
	InstanceStatus   = "instance.status"
	InstanceQR       = "instance.qr"
	InstanceHealth   = "instance.health"
	AttendanceOpened = "attendance.opened"
	AttendanceMsg    = "attendance.message"
	AttendanceClosed = "attendance.closed"
	FeedbackReceived = "feedback.received"

	GroupJoined       = "group.joined"
	GroupLeft         = "group.left"
	GroupUpdated      = "group.updated"
	GroupParticipants = "group.participants"

	MessageReaction = "message.reaction"
	MessageEdited   = "message.edited"
	MessageRevoked  = "message.revoked"
)

// IsCommand tells whether typ names a command.
func IsCommand(typ string) bool { return strings.HasPrefix(typ, "cmd.") }

// Envelope is the shape of every command and event on the wire, in webhooks,
// on the websocket and in the event log.
type Envelope struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Version    int             `json:"version"`
	InstanceID string          `json:"instance_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Replayed   bool            `json:"replayed"`
	Data       json.RawMessage `json:"data"`
}

// New builds an envelope around data.
func New(id, typ, instanceID string, at time.Time, data any) (Envelope, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{ID: id, Type: typ, Version: Version, InstanceID: instanceID, OccurredAt: at.UTC(), Data: raw}, nil
}

// SendMessage asks the instance's bot to send a stored message.
type SendMessage struct {
	MessageID string `json:"message_id"`
}

// LogoutInstance asks the instance's bot to unlink the device. CommandID
// names the command row that takes the outcome; commands queued before it
// existed carry none.
type LogoutInstance struct {
	Reason    string `json:"reason,omitempty"`
	CommandID string `json:"command_id,omitempty"`
}

// RunCommand asks the instance's bot to run a stored command that answers
// (its type is the envelope's); the bot writes the result into its row.
type RunCommand struct {
	CommandID string `json:"command_id"`
}

// MessageStatusChanged is the data of message.status.
type MessageStatusChanged struct {
	MessageID   string `json:"message_id"`
	WAMessageID string `json:"wa_message_id"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	// AttendanceID names the attendance the message belongs to, so the
	// feed can show it to attendants without a lookup per event.
	AttendanceID string `json:"attendance_id,omitempty"`
}

// InstanceStatusChanged is the data of instance.status.
type InstanceStatusChanged struct {
	Status string `json:"status"`
	Phone  string `json:"phone"`
	Reason string `json:"reason,omitempty"`
}

// InstanceHealthChanged is the data of instance.health: how WhatsApp
// treats the number ("ok", "paused", "banned"), why, and until when (nil
// when ok).
type InstanceHealthChanged struct {
	State  string     `json:"state"`
	Reason string     `json:"reason"`
	Until  *time.Time `json:"until"`
}

// InstanceQRChanged is the data of instance.qr.
type InstanceQRChanged struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Media is a message's file as clients see it.
type Media struct {
	Mime     string `json:"mime"`
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	URL      string `json:"url"`
}

// Message is a message as the API, webhooks and the websocket show it; it
// is also the data of message.received.
type Message struct {
	ID           string          `json:"id"`
	InstanceID   string          `json:"instance_id"`
	Direction    string          `json:"direction"`
	Status       string          `json:"status"`
	To           string          `json:"to"`
	From         string          `json:"from"`
	PushName     string          `json:"push_name,omitempty"`
	Chat         string          `json:"chat"`
	IsGroup      bool            `json:"is_group"`
	FromLID      string          `json:"from_lid"`
	ToLID        string          `json:"to_lid"`
	Participant  string          `json:"participant"`
	Mentions     []string        `json:"mentions"` // JIDs
	PTT          bool            `json:"ptt"`      // a voice note
	FromMe       bool            `json:"from_me,omitempty"`
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	Caption      string          `json:"caption"`
	Media        *Media          `json:"media"`
	Location     *Location       `json:"location"`
	Contacts     []ContactCard   `json:"contacts"` // [] when none
	Poll         *Poll           `json:"poll"`
	Extra        json.RawMessage `json:"extra,omitempty"`
	WAMessageID  string          `json:"wa_message_id"`
	AttendanceID string          `json:"attendance_id,omitempty"`
	Error        string          `json:"error"`
	CreatedAt    time.Time       `json:"created_at"`
	SendAt       *time.Time      `json:"send_at"`
	SentAt       *time.Time      `json:"sent_at"`
	DeliveredAt  *time.Time      `json:"delivered_at"`
	ReadAt       *time.Time      `json:"read_at"`
	// ReplyTo is the id of the message this one quotes, "" when none or
	// unknown.
	ReplyTo   string     `json:"reply_to"`
	Reactions []Reaction `json:"reactions"`
	EditedAt  *time.Time `json:"edited_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	// Held says why a queued message waits ("new_contact_cap"); omitted
	// when it does not.
	Held string `json:"held,omitempty"`
	// TargetID and Emoji are what an outgoing reaction reacts to and with
	// (the request's message_id and emoji); only reactions show them.
	TargetID string  `json:"message_id,omitempty"`
	Emoji    *string `json:"emoji,omitempty"` // "" removes: shown all the same

}

// Reaction is one person's emoji on a message.
type Reaction struct {
	From  string    `json:"from"`
	Emoji string    `json:"emoji"`
	At    time.Time `json:"at"`
}

// MessageReacted is the data of message.reaction: from put emoji on the
// message ("" removed their reaction).
type MessageReacted struct {
	MessageID string `json:"message_id"`
	From      string `json:"from"`
	Emoji     string `json:"emoji"`
	// AttendanceID names the message's attendance (as in message.status),
	// so attendants' feeds carry it without a lookup.
	AttendanceID string `json:"attendance_id,omitempty"`
}

// MessageEditedData is the data of message.edited: the message's new text
// (or caption).
type MessageEditedData struct {
	MessageID    string `json:"message_id"`
	Text         string `json:"text"`
	AttendanceID string `json:"attendance_id,omitempty"` // as in message.reaction
}

// MessageRevokedData is the data of message.revoked: the message was
// deleted for everyone.
type MessageRevokedData struct {
	MessageID    string `json:"message_id"`
	AttendanceID string `json:"attendance_id,omitempty"` // as in message.reaction
}

// Client is a customer as events and the API show it.
type Client struct {
	ID       string `json:"id"`
	Phone    string `json:"phone"` // "" until known
	LID      string `json:"lid"`   // "…@lid", "" when unknown
	PushName string `json:"push_name"`
	// GroupJID is set when the client is a group (instance attend_groups).
	GroupJID string `json:"group_jid,omitempty"`
}

// AttendanceOpenedData is the data of attendance.opened.
type AttendanceOpenedData struct {
	AttendanceID string `json:"attendance_id"`
	Client       Client `json:"client"`
}

// AttendanceMessage is the data of attendance.message.
type AttendanceMessage struct {
	AttendanceID string  `json:"attendance_id"`
	From         string  `json:"from"` // client or attendant
	Message      Message `json:"message"`
}

// AttendanceClosedData is the data of attendance.closed.
type AttendanceClosedData struct {
	AttendanceID string    `json:"attendance_id"`
	Reason       string    `json:"reason"`
	ClosedAt     time.Time `json:"closed_at"`
	ClosedBy     string    `json:"closed_by"` // the attendant; "" when idle or by the admin token
	// FeedbackRequested tells whether the client was sent the feedback link.
	FeedbackRequested bool `json:"feedback_requested"`
}

// FeedbackGiven is the data of feedback.received.
type FeedbackGiven struct {
	AttendanceID string `json:"attendance_id"`
	Rating       int    `json:"rating"`
	Comment      string `json:"comment"`
}

// GroupMember is one participant of a group as events and the API show it.
type GroupMember struct {
	JID   string `json:"jid"`
	Phone string `json:"phone"`
	LID   string `json:"lid"`
	Role  string `json:"role"` // member, admin or superadmin
}

// Group is a group as the API shows it; it is the data of group.joined and
// group.updated and the result of the create command.
type Group struct {
	JID               string        `json:"jid"`
	Subject           string        `json:"subject"`
	Description       string        `json:"description"`
	Owner             string        `json:"owner"`
	ParticipantsCount int           `json:"participants_count"`
	Announce          bool          `json:"announce"`
	Locked            bool          `json:"locked"`
	CreatedAt         time.Time     `json:"created_at"`
	Participants      []GroupMember `json:"participants"`
}

// GroupLeftData is the data of group.left.
type GroupLeftData struct {
	JID string `json:"jid"`
}

// GroupParticipantsChanged is the data of group.participants: who was
// added, removed, promoted or demoted, and by whom (a JID, "" when
// unknown).
type GroupParticipantsChanged struct {
	JID          string   `json:"jid"`
	Action       string   `json:"action"`
	Participants []string `json:"participants"`
	By           string   `json:"by"`
}
