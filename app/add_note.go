package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// AddNote writes a private note in an attendance's timeline, with
// attendance.note, in one transaction; nothing goes to WhatsApp.
func (a *App) AddNote(ctx context.Context, p Principal, attendanceID, text string) (*domain.Note, error) {
	if !domain.ValidID(attendanceID) {
		return nil, domain.NotFound("attendance")
	}
	var out *domain.Note
	err := a.store.InTx(ctx, func(tx Tx) error {
		now := a.now()
		var instanceID string
		// Locking the attendance proves it exists and orders the note after
		// a concurrent close or transfer.
		if err := tx.UpdateAttendance(ctx, attendanceID, func(att *domain.Attendance) error {
			instanceID = att.InstanceID
			return nil
		}); err != nil {
			return err
		}
		n, err := domain.NewNote(attendanceID, p.AttendantID, text, now)
		if err != nil {
			return err
		}
		if err := tx.InsertNote(ctx, n); err != nil {
			return err
		}
		out = n
		return tx.Publish(ctx, newEvent(events.AttendanceNote, instanceID, now, events.AttendanceNoteData{
			AttendanceID: attendanceID, NoteID: n.ID, AttendantID: n.AttendantID, Text: n.Text, CreatedAt: n.CreatedAt}))
	})
	return out, err
}
