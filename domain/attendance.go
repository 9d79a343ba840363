package domain

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Client is a customer who wrote to an instance, known by phone, by LID
// (the "…@lid" JID) or both; "" when unknown, never both unknown. A group
// client (the instance attends groups) is known by GroupJID alone.
type Client struct {
	ID          string
	InstanceID  string
	Phone       string
	LID         string
	GroupJID    string
	PushName    string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
	// What attendants wrote down (ClientProfile.Apply).
	Name       string
	Notes      string
	Attributes map[string]string
}

// AttendanceStatus is where a conversation stands.
type AttendanceStatus string

// Attendance states.
const (
	AttendanceOpen   AttendanceStatus = "open"
	AttendanceClosed AttendanceStatus = "closed"
)

// ParseAttendanceStatus reads a status filter; false when s names none.
func ParseAttendanceStatus(s string) (AttendanceStatus, bool) {
	switch st := AttendanceStatus(s); st {
	case AttendanceOpen, AttendanceClosed:
		return st, true
	}
	return "", false
}

// Speaker is who wrote a message of the conversation.
type Speaker string

// Speakers.
const (
	FromClient    Speaker = "client"
	FromAttendant Speaker = "attendant"
)

// CloseReason tells why a conversation ended.
type CloseReason string

// Close reasons.
const (
	ClosedManual CloseReason = "manual"
	ClosedIdle   CloseReason = "idle"
	// ClosedMerged: the client turned out to be another client too; the
	// conversation went on in that client's attendance.
	ClosedMerged CloseReason = "merged"
)

// Attendance is one conversation between a client and the company.
type Attendance struct {
	ID              string
	InstanceID      string
	ClientID        string
	Status          AttendanceStatus
	AttendantID     string
	OpenedAt        time.Time
	LastActivityAt  time.Time
	LastMessageFrom Speaker
	Unread          int
	ClosedAt        *time.Time
	ClosedReason    CloseReason
	// TeamID is the team whose queue it waits in, or that routed it; ""
	// when its instance had no team.
	TeamID string
	// ClosedBy is the attendant who closed it by hand; "" when idle, merged
	// or closed with the admin token.
	ClosedBy string
	// FirstReplyAt is when an attendant first answered; nil while nobody
	// has, which decides whether closing asks for feedback.
	FirstReplyAt *time.Time
	// Labels are normalized by SetLabels.
	Labels []string
	// Milestones and SLA (instance_hours.go): AssignedAt is the first
	// assignment (the store stamps it); SLADueAt when the first reply is
	// due, nil without an SLA; SLABreachedAt when a sweeper found it late;
	// AwaySentAt when the away message went out.
	AssignedAt    *time.Time
	SLADueAt      *time.Time
	SLABreachedAt *time.Time
	AwaySentAt    *time.Time
}

// OpenAttendance starts a conversation with a client's first message, which
// nobody has read yet.
func OpenAttendance(instanceID, clientID string, now time.Time) *Attendance {
	return &Attendance{ID: NewID(now), InstanceID: instanceID, ClientID: clientID, Status: AttendanceOpen,
		OpenedAt: now, LastActivityAt: now, LastMessageFrom: FromClient, Unread: 1}
}

var errAttendanceClosed = Conflict("attendance_closed", "the attendance is closed")

// Touch records a message in the conversation: the client's count as
// unread, a reply means the attendant read them all.
func (a *Attendance) Touch(from Speaker, at time.Time) error {
	if from != FromClient && from != FromAttendant {
		return fmt.Errorf("touch attendance: unknown speaker %q", from)
	}
	if a.Status != AttendanceOpen {
		return errAttendanceClosed
	}
	if at.After(a.LastActivityAt) {
		a.LastActivityAt = at
	}
	a.LastMessageFrom = from
	if from == FromClient {
		a.Unread++
	} else {
		a.Unread = 0
		if a.FirstReplyAt == nil {
			a.FirstReplyAt = &at
		}
	}
	return nil
}

// Assign hands the conversation to an attendant (again).
func (a *Attendance) Assign(attendantID string) error {
	if a.Status != AttendanceOpen {
		return errAttendanceClosed
	}
	if attendantID == "" {
		return InvalidField("attendant_id", "no such attendant")
	}
	a.AttendantID = attendantID
	return nil
}

// Close ends the conversation, by hand or for being idle.
func (a *Attendance) Close(reason CloseReason, now time.Time) error {
	return a.CloseBy(reason, "", now)
}

// CloseBy is Close recording who closed it (an attendant id, or "").
func (a *Attendance) CloseBy(reason CloseReason, by string, now time.Time) error {
	if reason != ClosedManual && reason != ClosedIdle {
		return fmt.Errorf("close attendance: unknown reason %q", reason)
	}
	if a.Status != AttendanceOpen {
		return errAttendanceClosed
	}
	a.Status, a.ClosedReason, a.ClosedAt, a.ClosedBy = AttendanceClosed, reason, &now, by
	return nil
}

// IdleSince tells whether nothing happened since cutoff.
func (a *Attendance) IdleSince(cutoff time.Time) bool {
	return a.Status == AttendanceOpen && a.LastActivityAt.Before(cutoff)
}

// Attendant roles.
const (
	RoleAdmin     = "admin"
	RoleAttendant = "attendant"
)

// Attendant is a person who answers clients on the dashboard.
type Attendant struct {
	ID           string
	Name         string
	Email        string
	PasswordHash string
	Role         string
	Active       bool
	CreatedAt    time.Time
	// MaxOpen is how many open attendances routing gives them at most.
	MaxOpen int
	// Away is their own choice to take nothing new while connected.
	Away           bool
	LastAssignedAt *time.Time
}

// NewAttendant validates a new attendant; the caller hashes the password
// it checked with ValidPassword.
func NewAttendant(name, email, role string, now time.Time) (*Attendant, error) {
	fields := map[string]string{}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		fields["name"] = "is required, at most 100 characters"
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		fields["email"] = "must be an email address"
	}
	checkTexts(fields, "name", name, "email", email)
	if role == "" {
		role = RoleAttendant
	}
	if role != RoleAdmin && role != RoleAttendant {
		fields["role"] = "must be admin or attendant"
	}
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	return &Attendant{ID: NewID(now), Name: name, Email: email, Role: role, Active: true, CreatedAt: now, MaxOpen: DefaultMaxOpen}, nil
}

// SetPasswordHash stores the hash of a password checked with ValidPassword.
func (a *Attendant) SetPasswordHash(hash string) error {
	if hash == "" {
		return fmt.Errorf("set password hash: empty hash")
	}
	a.PasswordHash = hash
	return nil
}

// ValidPassword checks the password rules: 8 to 72 bytes (bcrypt's limit).
func ValidPassword(p string) error {
	if len(p) < 8 || len(p) > 72 {
		return InvalidField("password", "must be 8 to 72 characters")
	}
	return CheckText("password", p)
}

// Feedback is what a client said of a closed attendance.
type Feedback struct {
	ID           string
	AttendanceID string
	Rating       int
	Comment      string
	CreatedAt    time.Time
}

// FeedbackTokenTTL is how long a feedback link works.
const FeedbackTokenTTL = 7 * 24 * time.Hour

// NewFeedback validates a rating of 1 to 5 and an optional comment.
func NewFeedback(attendanceID string, rating int, comment string, now time.Time) (*Feedback, error) {
	fields := map[string]string{}
	if rating < 1 || rating > 5 {
		fields["rating"] = "must be from 1 to 5"
	}
	if utf8.RuneCountInString(comment) > 2000 || !utf8.ValidString(comment) {
		fields["comment"] = "must be at most 2000 characters"
	}
	checkTexts(fields, "comment", comment)
	if len(fields) > 0 {
		return nil, Invalid(fields)
	}
	return &Feedback{ID: NewID(now), AttendanceID: attendanceID, Rating: rating, Comment: strings.TrimSpace(comment), CreatedAt: now}, nil
}
