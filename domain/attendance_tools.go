package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Label limits: a few short tags, not a document.
const (
	MaxLabels   = 20
	MaxLabelLen = 32
)

// Answered tells whether an attendant ever replied.
func (a *Attendance) Answered() bool { return a.FirstReplyAt != nil }

// SetLabels replaces the labels: trimmed, 1 to 32 characters each, at most
// 20, and one per spelling whatever the case (the first spelling stays).
func (a *Attendance) SetLabels(labels []string) error {
	if len(labels) > MaxLabels {
		return InvalidField("labels", fmt.Sprintf("at most %d labels", MaxLabels))
	}
	out := make([]string, 0, len(labels))
	seen := map[string]bool{}
	for _, l := range labels {
		l = strings.TrimSpace(l)
		if p := TextProblem(l); p != "" {
			return InvalidField("labels", p)
		}
		if n := utf8.RuneCountInString(l); n == 0 || n > MaxLabelLen {
			return InvalidField("labels", fmt.Sprintf("each label must be 1 to %d characters", MaxLabelLen))
		}
		if k := strings.ToLower(l); !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	a.Labels = out
	return nil
}

var errAttendanceMerged = Conflict("attendance_merged", "the attendance was merged into another one of the same client")

// Reopen opens a closed conversation again: the client's other open
// attendance, if any, is the store's to refuse (one open per client).
// A merged attendance stays closed: its messages live in the other one.
func (a *Attendance) Reopen(now time.Time) error {
	if a.Status == AttendanceOpen {
		return Conflict("attendance_open", "the attendance is already open")
	}
	if a.ClosedReason == ClosedMerged {
		return errAttendanceMerged
	}
	a.Status, a.ClosedAt, a.ClosedReason, a.ClosedBy = AttendanceOpen, nil, "", ""
	if now.After(a.LastActivityAt) {
		a.LastActivityAt = now
	}
	return nil
}

// MaxNoteLen bounds a private note.
const MaxNoteLen = 4000

// Note is a private remark in an attendance's timeline: attendants see it,
// the client never does.
type Note struct {
	ID           string
	AttendanceID string
	AttendantID  string // "" when written with the admin token
	Text         string
	CreatedAt    time.Time
}

// NewNote validates a note of 1 to 4000 characters.
func NewNote(attendanceID, attendantID, text string, now time.Time) (*Note, error) {
	text = strings.TrimSpace(text)
	if p := TextProblem(text); p != "" {
		return nil, InvalidField("text", p)
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxNoteLen {
		return nil, InvalidField("text", fmt.Sprintf("is required, at most %d characters", MaxNoteLen))
	}
	return &Note{ID: NewID(now), AttendanceID: attendanceID, AttendantID: attendantID, Text: text, CreatedAt: now}, nil
}

// CannedReply is a saved answer attendants insert by typing /shortcut;
// {{name}} and {{attendant}} in its text are filled when used.
type CannedReply struct {
	ID        string
	Shortcut  string
	Text      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxCannedReplyLen bounds a canned reply's text (a WhatsApp message).
const MaxCannedReplyLen = 4096

var shortcutPattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// NewCannedReply validates a shortcut ([a-z0-9_-]{1,32}) and a text.
func NewCannedReply(shortcut, text string, now time.Time) (*CannedReply, error) {
	r := &CannedReply{ID: NewID(now), CreatedAt: now}
	return r, r.Edit(&shortcut, &text, now)
}

// Edit changes the shortcut, the text or both (nil stays).
func (r *CannedReply) Edit(shortcut, text *string, now time.Time) error {
	fields := map[string]string{}
	sc, tx := r.Shortcut, r.Text
	if shortcut != nil {
		sc = strings.TrimPrefix(strings.TrimSpace(*shortcut), "/")
		if !shortcutPattern.MatchString(sc) {
			fields["shortcut"] = "must be 1 to 32 of a-z, 0-9, _ and -"
		}
	}
	if text != nil {
		tx = strings.TrimSpace(*text)
		if p := TextProblem(tx); p != "" {
			fields["text"] = p
		} else if n := utf8.RuneCountInString(tx); n == 0 || n > MaxCannedReplyLen {
			fields["text"] = fmt.Sprintf("is required, at most %d characters", MaxCannedReplyLen)
		}
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	r.Shortcut, r.Text, r.UpdatedAt = sc, tx, now
	return nil
}

// Fill is the text with {{name}} and {{attendant}} replaced.
func (r *CannedReply) Fill(name, attendant string) string {
	return strings.NewReplacer("{{name}}", name, "{{attendant}}", attendant).Replace(r.Text)
}
