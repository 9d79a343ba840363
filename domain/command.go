package domain

import "time"

// CommandStatus is where a command that answers stands.
type CommandStatus string

const (
	CommandPending CommandStatus = "pending"
	CommandDone    CommandStatus = "done"
	CommandFailed  CommandStatus = "failed"
)

// CommandType names what a command does; it is also its cmd.* name on the
// wire without the prefix.
type CommandType string

const (
	CommandCheckContacts CommandType = "check_contacts"
	CommandLogout        CommandType = "logout_instance"

	CommandCreateGroup       CommandType = "create_group"
	CommandUpdateGroup       CommandType = "update_group"
	CommandGroupParticipants CommandType = "update_group_participants"
	CommandGroupInviteLink   CommandType = "group_invite_link"
	CommandJoinGroup         CommandType = "join_group"
	CommandLeaveGroup        CommandType = "leave_group"

	CommandProfilePicture CommandType = "profile_picture"
	CommandBlockContact   CommandType = "block_contact"
	CommandUnblockContact CommandType = "unblock_contact"

	CommandReadChat      CommandType = "read_chat"
	CommandChatPresence  CommandType = "chat_presence"
	CommandEditMessage   CommandType = "edit_message"
	CommandRevokeMessage CommandType = "revoke_message"
)

// Error codes a command can end with.
const (
	CommandNotConnected    = "not_connected"
	CommandWhatsAppRefused = "whatsapp_refused"
	CommandNotEditable     = "not_editable"
	CommandNotRevocable    = "not_revocable"
)

// Command is an operation on the live WhatsApp connection whose result the
// client reads later (or waits for). It ends once: done with a result, or
// failed with an error; a redelivered command finds it ended and does not
// run again.
type Command struct {
	ID           string
	InstanceID   string
	Type         CommandType
	Payload      []byte // JSON
	Status       CommandStatus
	Result       []byte // JSON, when done
	ErrorCode    string
	ErrorMessage string
	CreatedAt    time.Time
	DoneAt       *time.Time
}

// NewCommand returns a pending command with its payload (JSON).
func NewCommand(instanceID string, typ CommandType, payload []byte, now time.Time) *Command {
	return &Command{ID: NewID(now), InstanceID: instanceID, Type: typ, Payload: payload,
		Status: CommandPending, CreatedAt: now}
}

// Ended tells whether the command is done or failed.
func (c *Command) Ended() bool { return c.Status != CommandPending }

// errCommandEnded refuses a second ending: the first one stands.
var errCommandEnded = Conflict("command_ended", "the command has already ended")

// Finish ends a pending command with its result (JSON).
func (c *Command) Finish(result []byte, now time.Time) error {
	if c.Ended() {
		return errCommandEnded
	}
	c.Status, c.Result, c.DoneAt = CommandDone, result, &now
	return nil
}

// Fail ends a pending command with an error code and WhatsApp's (or our)
// reason.
func (c *Command) Fail(code, message string, now time.Time) error {
	if c.Ended() {
		return errCommandEnded
	}
	if code == "" {
		code = "internal"
	}
	c.Status, c.ErrorCode, c.ErrorMessage, c.DoneAt = CommandFailed, code, message, &now
	return nil
}

// Stale tells whether a pending command has waited longer than timeout to
// run: it then fails with not_connected.
func (c *Command) Stale(now time.Time, timeout time.Duration) bool {
	return !c.Ended() && now.Sub(c.CreatedAt) >= timeout
}

// Err is the error the command ended with, as the API answers it; nil
// unless failed.
func (c *Command) Err() error {
	if c.Status != CommandFailed {
		return nil
	}
	switch c.ErrorCode {
	case CommandNotConnected:
		return Conflict(c.ErrorCode, c.ErrorMessage)
	case CommandWhatsAppRefused:
		return &Error{Kind: KindUnprocessable, Code: c.ErrorCode, Message: c.ErrorMessage}
	case CommandNotEditable, CommandNotRevocable:
		// The message changed (or aged) between the request and the run.
		return Conflict(c.ErrorCode, c.ErrorMessage)
	default:
		return &Error{Kind: KindInternal, Code: c.ErrorCode, Message: c.ErrorMessage}
	}
}
