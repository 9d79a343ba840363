package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Reply sends a message to the attendance's client through the normal send
// pipeline, filed in the attendance, which it keeps active.
func (a *App) Reply(ctx context.Context, attendanceID string, cmd SendMessage) (*domain.Message, error) {
	v, _, err := a.GetAttendance(ctx, attendanceID)
	if err != nil {
		return nil, err
	}
	if v.Attendance.Status != domain.AttendanceOpen {
		return nil, domain.Conflict("attendance_closed", "the attendance is closed; the client can write again to open a new one")
	}
	cmd.InstanceID, cmd.To, cmd.AttendanceID = v.Attendance.InstanceID, v.Client.Address(), attendanceID
	cmd.SendAt = nil
	// A reaction goes to its target's chat and a quote shows its message's
	// content: from an attendance, only to and of this conversation.
	if err := a.inAttendance(ctx, cmd.InstanceID, attendanceID, cmd.ReplyTo, "reply_to"); err != nil {
		return nil, err
	}
	if err := a.inAttendance(ctx, cmd.InstanceID, attendanceID, cmd.MessageID, "message_id"); err != nil {
		return nil, err
	}
	m, _, err := a.SendMessage(ctx, cmd)
	return m, err
}

// inAttendance refuses, naming field, an id that is not a message of the
// attendance; "" (no message named) passes.
func (a *App) inAttendance(ctx context.Context, instanceID, attendanceID, id, field string) error {
	if id == "" {
		return nil
	}
	m, err := a.GetMessage(ctx, instanceID, id)
	if domain.IsNotFound(err) || (err == nil && m.AttendanceID != attendanceID) {
		return domain.InvalidField(field, "is not the id of a message of this attendance")
	}
	return err
}

// fileReply runs inside SendMessage's transaction for attendance replies:
// an attendant who answers an unassigned attendance takes it (API.md).
func (a *App) fileReply(ctx context.Context, tx Tx, m *domain.Message, by string, now time.Time) ([]events.Envelope, error) {
	var att *domain.Attendance
	took := false
	if err := tx.UpdateAttendance(ctx, m.AttendanceID, func(at *domain.Attendance) error {
		att = at
		took = at.TakeUnassigned(by)
		return at.Touch(domain.FromAttendant, now)
	}); err != nil {
		return nil, err
	}
	envs := []events.Envelope{newEvent(events.AttendanceMsg, m.InstanceID, now, events.AttendanceMessage{
		AttendanceID: m.AttendanceID, From: string(domain.FromAttendant), Message: MessageData(m)})}
	if took {
		if rt, ok := routingTx(tx); ok {
			if err := rt.MarkAssigned(ctx, by, now); err != nil {
				return nil, err
			}
		}
		envs = append(envs, assignedEvent(att, by, now))
	}
	return envs, nil
}
