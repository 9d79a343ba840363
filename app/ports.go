// Package app holds zapgate's use cases, one file per command or query. It
// declares the ports it needs and never imports infra, fiber, watermill or
// whatsmeow.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Store reads state and opens transactions.
type Store interface {
	// InTx runs fn in one database transaction; events published through tx
	// are committed with the rows, or not at all.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	Instance(ctx context.Context, id string) (*domain.Instance, error)
	InstanceByTokenHash(ctx context.Context, hash []byte) (*domain.Instance, error)
	ListInstances(ctx context.Context, p Page) ([]domain.Instance, string, error)
	// InstancesStamp changes when an instance is created, changed or
	// deleted: a cheap way to learn that a full read is due.
	InstancesStamp(ctx context.Context) (string, error)
	Message(ctx context.Context, instanceID, id string) (*domain.Message, error)
	MessageByIdempotencyKey(ctx context.Context, instanceID, key string) (*domain.Message, error)
	ListMessages(ctx context.Context, f MessageFilter) ([]domain.Message, string, error)
	// QueuedMessages returns the instance's messages among ids whose status
	// is queued.
	QueuedMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error)
	// NextDueAt is the earliest send_at of a scheduled message, nil if none.
	NextDueAt(ctx context.Context) (*time.Time, error)
	// Command reads one command of an instance.
	Command(ctx context.Context, instanceID, id string) (*domain.Command, error)
	// ChatIncoming lists, oldest first, up to limit incoming messages of
	// the chats (JIDs): those among ids, or with no ids those the instance
	// has not marked read (domain.Message.Unread).
	ChatIncoming(ctx context.Context, instanceID string, chats, ids []string, limit int) ([]domain.Message, error)
}

// Tx is the write side of one transaction.
type Tx interface {
	InsertInstance(ctx context.Context, in *domain.Instance) error
	// LockInstance reads the instance FOR UPDATE.
	LockInstance(ctx context.Context, id string) (*domain.Instance, error)
	UpdateInstance(ctx context.Context, in *domain.Instance) error
	// SaveInstanceHealth stores the instance's health (and updated_at, so
	// the bots' InstancesStamp sees it) and nothing else.
	SaveInstanceHealth(ctx context.Context, in *domain.Instance) error
	DeleteInstance(ctx context.Context, id string) error
	// RememberLinkedPhone records that phone was linked at now and reports
	// whether it had been linked before.
	RememberLinkedPhone(ctx context.Context, phone string, now time.Time) (bool, error)

	// InsertMessage stores m; it reports false, storing nothing, when the
	// instance already has a message with m's idempotency key.
	InsertMessage(ctx context.Context, m *domain.Message) (bool, error)
	// LockMessage reads the message FOR UPDATE.
	LockMessage(ctx context.Context, instanceID, id string) (*domain.Message, error)
	UpdateMessage(ctx context.Context, m *domain.Message) error
	// LockMessages reads the instance's messages among ids FOR UPDATE.
	LockMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error)
	// UpdateMessages stores the status fields of ms in one statement.
	UpdateMessages(ctx context.Context, ms []*domain.Message) error
	// UpdateMessageContent stores what edits, revokes and reactions change
	// of a message: text, caption, reactions, edited_at and revoked_at.
	UpdateMessageContent(ctx context.Context, m *domain.Message) error
	// LockMessageByWAID reads an instance's message by WhatsApp id FOR UPDATE.
	LockMessageByWAID(ctx context.Context, instanceID, waMessageID string) (*domain.Message, error)
	// ClaimDueMessages locks up to limit scheduled messages due at now,
	// skipping rows another transaction holds (FOR UPDATE SKIP LOCKED).
	ClaimDueMessages(ctx context.Context, now time.Time, limit int) ([]domain.Message, error)

	// UpsertClient records a client seen by phone, LID or both and returns
	// the stored row. When the sighting shows two stored clients to be one
	// person they become one, the older (domain.Client.Learn); when both
	// had an open attendance, the younger's messages move into the older's
	// and it is returned, closed as merged (domain.Attendance.MergeInto).
	UpsertClient(ctx context.Context, c *domain.Client) (*domain.Client, *domain.Attendance, error)
	ClientByID(ctx context.Context, id string) (*domain.Client, error)
	// OpenAttendanceFor locks the client's open attendance, or inserts a as
	// the new one; created tells which.
	OpenAttendanceFor(ctx context.Context, a *domain.Attendance) (*domain.Attendance, bool, error)
	// UpdateAttendance reads the attendance FOR UPDATE, lets fn change it
	// and stores the result; nothing is stored when fn fails.
	UpdateAttendance(ctx context.Context, id string, fn func(*domain.Attendance) error) error
	// SaveAttendance stores an attendance this transaction already holds
	// locked (OpenAttendanceFor), sparing UpdateAttendance's second read.
	SaveAttendance(ctx context.Context, a *domain.Attendance) error
	// LinkMessage attaches a message to an attendance unless it already
	// belongs to one; it reports whether it did.
	LinkMessage(ctx context.Context, messageID, attendanceID string) (bool, error)
	// ClaimIdleAttendances locks up to limit open attendances idle since
	// cutoff, skipping rows other closers hold.
	ClaimIdleAttendances(ctx context.Context, cutoff time.Time, limit int) ([]domain.Attendance, error)
	InsertFeedbackToken(ctx context.Context, hash []byte, attendanceID string, expiresAt time.Time) error
	// LockFeedbackToken reads a feedback link FOR UPDATE.
	LockFeedbackToken(ctx context.Context, hash []byte) (*FeedbackToken, error)
	UseFeedbackToken(ctx context.Context, hash []byte, at time.Time) error
	InsertFeedback(ctx context.Context, f *domain.Feedback) error
	InsertNote(ctx context.Context, n *domain.Note) error
	// ReadInstance reads an instance without locking it (its settings).
	ReadInstance(ctx context.Context, id string) (*domain.Instance, error)
	// UpdateClient reads the client FOR UPDATE, lets fn change what
	// attendants wrote of them and stores it.
	UpdateClient(ctx context.Context, id string, fn func(*domain.Client) error) error

	InsertCommand(ctx context.Context, c *domain.Command) error
	// LockCommand reads a command FOR UPDATE.
	LockCommand(ctx context.Context, id string) (*domain.Command, error)
	// UpdateCommand stores how a command ended; waiters hear of it once
	// the transaction commits.
	UpdateCommand(ctx context.Context, c *domain.Command) error
	// ClaimStaleCommands locks up to limit pending commands created before
	// cutoff, skipping rows other sweepers or bots hold.
	ClaimStaleCommands(ctx context.Context, cutoff time.Time, limit int) ([]domain.Command, error)

	// RecordContacts merges what was seen of people into the instance's
	// contacts; a phone and a LID seen together end in one contact.
	RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error

	// LockGroup reads a group of the instance with its participants and
	// holds it (even when absent, so two writers of a new group cannot
	// both find it missing) until the transaction ends; NotFound when the
	// instance is not known to be in it.
	LockGroup(ctx context.Context, instanceID, jid string) (*GroupInfo, error)
	// SaveGroup stores g and replaces its participants.
	SaveGroup(ctx context.Context, instanceID string, g GroupInfo, at time.Time) error
	// DeleteGroup forgets a group the instance left, with its participants.
	DeleteGroup(ctx context.Context, instanceID, jid string) error

	// RecordPollVote stores a voter's choice on a poll message, replacing
	// their earlier one unless that one is newer (votes may arrive out of
	// order); it reports false, storing nothing, for a vote already
	// recorded (the same vote's WhatsApp id) or older than the stored one.
	RecordPollVote(ctx context.Context, v PollVoteRecord) (bool, error)
	// PollChoices lists every voter's current choice on a poll message.
	PollChoices(ctx context.Context, messageID string) ([][]string, error)
	// SavePoll stores the poll (its tally) of a message.
	SavePoll(ctx context.Context, m *domain.Message) error

	// Publish writes events and commands to the outbox of this transaction.
	Publish(ctx context.Context, envs ...events.Envelope) error
}

// ContactStore reads the people an instance knows.
type ContactStore interface {
	ListContacts(ctx context.Context, instanceID, q string, p Page) ([]domain.Contact, string, error)
	// Contact finds the contact whose phone JID or LID is addr.
	Contact(ctx context.Context, instanceID string, addr domain.Address) (*domain.Contact, error)
}

// GroupSummary is a group as lists show it: its settings and how many
// participants it has (Participants is not filled).
type GroupSummary struct {
	GroupInfo
	ParticipantsCount int
}

// GroupStore reads the groups an instance is in, as the bot last recorded
// them.
type GroupStore interface {
	GroupMembers
	// ListGroups lists the instance's groups, oldest first.
	ListGroups(ctx context.Context, instanceID string, p Page) ([]GroupSummary, string, error)
	// Group reads one group with its participants; NotFound when the
	// instance is not known to be in it.
	Group(ctx context.Context, instanceID, jid string) (*GroupInfo, error)
	// GroupVersions maps the JID of every group the instance is known to
	// be in to the version of its row, which every write changes.
	GroupVersions(ctx context.Context, instanceID string) (map[string]int64, error)
}

// AttendanceView is an attendance with its client and latest message.
type AttendanceView struct {
	Attendance  domain.Attendance
	Client      domain.Client
	LastMessage *domain.Message
	Feedback    *domain.Feedback // nil until the client rated it
}

// AttendanceFilter narrows the inbox. Status is as the caller typed it
// (open, closed or empty); ListAttendances checks it.
type AttendanceFilter struct {
	Page
	Status     string
	InstanceID string
	// Q searches message text and client names and phones.
	Q     string
	Label string
	// TeamID keeps the attendances of the team's instances.
	TeamID string
	// Assigned is "none" (unassigned) or an attendant id; ListAttendances
	// turns "me" into the caller's id.
	Assigned string
}

// AttendanceStore reads the helpdesk.
type AttendanceStore interface {
	ListAttendances(ctx context.Context, f AttendanceFilter) ([]AttendanceView, string, error)
	Attendance(ctx context.Context, id string) (*AttendanceView, error)
	AttendanceMessages(ctx context.Context, id string) ([]domain.Message, error)
}

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

// MessageFilter narrows a message list.
type MessageFilter struct {
	Page
	InstanceID string
	Direction  domain.Direction
	Status     domain.MessageStatus
}

// Storage keeps media and QR images. Get returns an error matching
// fs.ErrNotExist when the key is unknown.
type Storage interface {
	Put(ctx context.Context, key string, data []byte, contentType string) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// OutboundMessage is what the WhatsApp port sends.
type OutboundMessage struct {
	WAMessageID string
	To          string // phone digits, or a LID or group JID (domain.ParseAddress)
	Type        domain.MessageType
	Text        string
	Caption     string
	Media       []byte
	Mime        string
	Filename    string
	SHA256      string   // hex of Media
	Mentions    []string // JIDs of the people mentioned
	Location    *domain.Location
	Contacts    []domain.ContactCard // the people of a contact message
	Poll        *domain.Poll         // the question and options of a poll
	PTT         bool                 // audio sent as a voice note (Media is Ogg/Opus)
	// ReplyTo is the message this one quotes (a reply), nil when none.
	ReplyTo *QuotedMessage
	// Target and Emoji make a reaction (Type domain.TypeReaction): the
	// message reacted to and the emoji, "" to remove ours.
	Target *QuotedMessage
	Emoji  string
}

// QuotedMessage is a message an outbound one replies or reacts to, as
// WhatsApp names it: its id, chat and sender, and for a reply the content
// shown above the answer.
type QuotedMessage struct {
	WAMessageID string
	Chat        string // the conversation's JID
	// FromMe tells that the instance (or its phone) wrote it; else Sender
	// is the JID of who did (in groups, the participant).
	FromMe  bool
	Sender  string
	Type    domain.MessageType
	Text    string
	Caption string
}

// WhatsApp sends messages through a linked instance.
type WhatsApp interface {
	// Send delivers m through the instance. Errors wrapping ErrPermanent
	// will never succeed (bad number, banned); others may on retry.
	Send(ctx context.Context, instanceID string, m OutboundMessage) error
}

// SendChecker is implemented by drivers that can tell whether WhatsApp
// already accepted a message id: a send interrupted by a crash is then not
// repeated. (Real WhatsApp de-duplicates by message id itself.)
type SendChecker interface {
	Accepted(ctx context.Context, instanceID, waMessageID string) (bool, error)
}

// CommandNotices tells a waiting request that a command ended, in this or
// any other process.
type CommandNotices interface {
	// Subscribe returns a channel that receives when the command may have
	// ended (a lost notice connection also wakes it), and a cancel func.
	Subscribe(commandID string) (<-chan struct{}, func())
}

// ContactCheck is what WhatsApp answers about one phone number.
type ContactCheck struct {
	Phone      string `json:"phone"`
	OnWhatsApp bool   `json:"on_whatsapp"`
	JID        string `json:"jid"`
	LID        string `json:"lid"`
	Business   bool   `json:"business"`
}

// ContactChecker is implemented by drivers that can ask WhatsApp which
// phones have an account. Errors wrapping ErrPermanent are WhatsApp's
// refusal; ErrNotConnected means no live session.
type ContactChecker interface {
	CheckContacts(ctx context.Context, instanceID string, phones []string) ([]ContactCheck, error)
}

// GroupRole is a member's standing in a group.
const (
	RoleMember     = "member"
	RoleAdmin      = "admin"
	RoleSuperAdmin = "superadmin"
)

// GroupParticipant is one member of a group as WhatsApp lists it. JID is
// the member's address as WhatsApp gave it (a phone or a LID JID); Phone
// and LID are filled when known.
type GroupParticipant struct {
	JID   string `json:"jid"`
	Phone string `json:"phone"`
	LID   string `json:"lid"`
	Role  string `json:"role"` // RoleMember, RoleAdmin or RoleSuperAdmin
}

// GroupInfo is a group as WhatsApp describes it.
type GroupInfo struct {
	JID          string             `json:"jid"`
	Subject      string             `json:"subject"`
	Description  string             `json:"description"`
	Owner        string             `json:"owner"`
	Announce     bool               `json:"announce"` // only admins may write
	Locked       bool               `json:"locked"`   // only admins may edit the group's info
	CreatedAt    time.Time          `json:"created_at"`
	Participants []GroupParticipant `json:"participants"`
}

// GroupChange is an update of a group's settings; nil fields stay as they
// are.
type GroupChange struct {
	Subject     *string `json:"subject,omitempty"`
	Description *string `json:"description,omitempty"`
	Announce    *bool   `json:"announce,omitempty"`
	Locked      *bool   `json:"locked,omitempty"`
}

// Participant actions.
const (
	ParticipantAdd     = "add"
	ParticipantRemove  = "remove"
	ParticipantPromote = "promote"
	ParticipantDemote  = "demote"
)

// ParticipantResult is how one participant change went.
type ParticipantResult struct {
	JID   string `json:"jid"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// GroupManager is implemented by drivers that can read and change groups
// through the live session. Addresses are JIDs (domain.Address.JID).
// Errors wrapping ErrPermanent are WhatsApp's refusal; ErrNotConnected
// means no live session.
type GroupManager interface {
	JoinedGroups(ctx context.Context, instanceID string) ([]GroupInfo, error)
	GroupInfo(ctx context.Context, instanceID, jid string) (*GroupInfo, error)
	CreateGroup(ctx context.Context, instanceID, subject string, participants []string) (*GroupInfo, error)
	UpdateGroup(ctx context.Context, instanceID, jid string, change GroupChange) error
	UpdateParticipants(ctx context.Context, instanceID, jid, action string, participants []string) ([]ParticipantResult, error)
	// InviteLink is the group's https://chat.whatsapp.com/… link; reset
	// revokes the old one first.
	InviteLink(ctx context.Context, instanceID, jid string, reset bool) (string, error)
	// JoinGroup joins by invite link (or its code) and returns the group.
	JoinGroup(ctx context.Context, instanceID, link string) (*GroupInfo, error)
	LeaveGroup(ctx context.Context, instanceID, jid string) error
}

// MessageEdit is an edit of a sent message: its new text, or caption for
// a media message.
type MessageEdit struct {
	Chat        string // the address the message was sent to (domain.Message.SendTo)
	WAMessageID string
	Type        domain.MessageType
	Text        string
}

// MessageRevoke deletes a sent message for everyone.
type MessageRevoke struct {
	Chat        string // the address the message was sent to (domain.Message.SendTo)
	WAMessageID string
}

// MessageEditor is implemented by drivers that can edit and revoke sent
// messages through the live session. Errors wrapping ErrPermanent are
// WhatsApp's refusal; ErrNotConnected means no live session.
type MessageEditor interface {
	EditMessage(ctx context.Context, instanceID string, e MessageEdit) error
	RevokeMessage(ctx context.Context, instanceID string, r MessageRevoke) error
}

// GroupMembers reads the members of the groups an instance is in, as the
// bot last recorded them (mention_all expands to them).
type GroupMembers interface {
	// GroupMemberJIDs lists the members' JIDs; NotFound when the instance
	// is not known to be in the group.
	GroupMemberJIDs(ctx context.Context, instanceID, groupJID string) ([]string, error)
}

// ProfileManager is implemented by drivers that can read profile pictures
// and block people through the live session.
type ProfileManager interface {
	// ProfilePicture is the URL of the picture of jid, "" when hidden or
	// unset.
	ProfilePicture(ctx context.Context, instanceID, jid string) (string, error)
	SetBlocked(ctx context.Context, instanceID, jid string, blocked bool) error
}

// ChatManager is implemented by drivers that can send read receipts and
// presence through the live session. Addresses are JIDs. Errors wrapping
// ErrPermanent are WhatsApp's refusal; ErrNotConnected means no live
// session.
type ChatManager interface {
	// MarkRead sends the read receipt (blue ticks) of messages of chat
	// written by sender: in a group the member who wrote, else the chat.
	MarkRead(ctx context.Context, instanceID, chat, sender string, waMessageIDs []string, at time.Time) error
	// SendPresence shows the chat that the instance is typing, recording
	// audio, or no longer either.
	SendPresence(ctx context.Context, instanceID, chat string, state domain.PresenceState) error
}

// ErrPermanent marks a send failure that retrying cannot fix.
var ErrPermanent = errors.New("permanent send failure")

// ErrNotConnected is returned by the WhatsApp port when the instance has no
// live session; the send is retried once it reconnects.
var ErrNotConnected = errors.New("instance not connected")

// Clock returns the current time; tests pass a fixed one.
type Clock func() time.Time

// QRRenderer draws a QR code as a PNG image.
type QRRenderer interface {
	PNG(code string) ([]byte, error)
}
