package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// ReopenAttendance opens a closed attendance again, with
// attendance.reopened. The store refuses (409 attendance_open) when the
// client already has another open attendance on the instance.
func (a *App) ReopenAttendance(ctx context.Context, p Principal, attendanceID string) (*domain.Attendance, error) {
	if !domain.ValidID(attendanceID) {
		return nil, domain.NotFound("attendance")
	}
	var out *domain.Attendance
	err := a.store.InTx(ctx, func(tx Tx) error {
		now := a.now()
		if err := tx.UpdateAttendance(ctx, attendanceID, func(att *domain.Attendance) error {
			out = att
			return att.Reopen(now)
		}); err != nil {
			return err
		}
		return tx.Publish(ctx, newEvent(events.AttendanceReopened, out.InstanceID, now,
			events.AttendanceReopenedData{AttendanceID: out.ID, AttendantID: p.AttendantID}))
	})
	return out, err
}
