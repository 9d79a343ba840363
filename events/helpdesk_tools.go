package events

import "time"

// The attendant's tools.
const (
	AttendanceNote     = "attendance.note"
	AttendanceReopened = "attendance.reopened"
)

// AttendanceNoteData is the data of attendance.note: a private note, seen by
// attendants, never sent to the client.
type AttendanceNoteData struct {
	AttendanceID string    `json:"attendance_id"`
	NoteID       string    `json:"note_id"`
	AttendantID  string    `json:"attendant_id"` // "" when written with the admin token
	Text         string    `json:"text"`
	CreatedAt    time.Time `json:"created_at"`
}

// AttendanceReopenedData is the data of attendance.reopened.
type AttendanceReopenedData struct {
	AttendanceID string `json:"attendance_id"`
	AttendantID  string `json:"attendant_id"` // who reopened it; "" for the admin token
}
