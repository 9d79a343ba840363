package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// AssignAttendance hands an attendance to an attendant.
func (a *App) AssignAttendance(ctx context.Context, id, attendantID string) (*domain.Attendance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("attendance")
	}
	if _, err := a.attendants.AttendantByID(ctx, attendantID); err != nil {
		if domain.IsNotFound(err) {
			return nil, domain.InvalidField("attendant_id", "no such attendant")
		}
		return nil, err
	}
	var out *domain.Attendance
	err := a.store.InTx(ctx, func(tx Tx) error {
		return tx.UpdateAttendance(ctx, id, func(att *domain.Attendance) error {
			out = att
			return att.Assign(attendantID)
		})
	})
	return out, err
}
