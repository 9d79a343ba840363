package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// HelpdeskTools keeps what attendants add around conversations: notes,
// canned replies, client records and the feedback they read.
type HelpdeskTools interface {
	// AttendanceNotes lists an attendance's notes, oldest first.
	AttendanceNotes(ctx context.Context, attendanceID string) ([]domain.Note, error)

	// InsertCannedReply reports a conflict (shortcut_taken) when the
	// shortcut is in use; so does UpdateCannedReply.
	InsertCannedReply(ctx context.Context, r *domain.CannedReply) error
	// ListCannedReplies lists every canned reply by shortcut.
	ListCannedReplies(ctx context.Context) ([]domain.CannedReply, error)
	// UpdateCannedReply reads the reply FOR UPDATE, lets fn change it and
	// stores it.
	UpdateCannedReply(ctx context.Context, id string, fn func(*domain.CannedReply) error) (*domain.CannedReply, error)
	DeleteCannedReply(ctx context.Context, id string) error

	// SearchClients lists clients whose names, phone or LID contain q (all
	// when q is ""), most recently seen first.
	SearchClients(ctx context.Context, q string, p Page) ([]domain.Client, string, error)
	Client(ctx context.Context, id string) (*domain.Client, error)
	// ClientAttendances lists a client's attendances, newest first.
	ClientAttendances(ctx context.Context, clientID string) ([]domain.Attendance, error)

	// RecentFeedback lists the latest feedback, newest first, over one
	// instance or all.
	RecentFeedback(ctx context.Context, instanceID string, limit int) ([]FeedbackItem, error)
}

// FeedbackItem is one client's feedback with the attendance it rates.
type FeedbackItem struct {
	Feedback    domain.Feedback
	InstanceID  string
	AttendantID string
	Client      domain.Client
}

// TimelineItem is a message or a note of an attendance's timeline.
type TimelineItem struct {
	Message *domain.Message
	Note    *domain.Note
}

// At orders the timeline.
func (t TimelineItem) At() time.Time {
	if t.Note != nil {
		return t.Note.CreatedAt
	}
	return t.Message.CreatedAt
}
