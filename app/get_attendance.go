package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// GetAttendance returns an attendance with its messages in order.
func (a *App) GetAttendance(ctx context.Context, id string) (*AttendanceView, []domain.Message, error) {
	if !domain.ValidID(id) {
		return nil, nil, domain.NotFound("attendance")
	}
	v, err := a.attendances.Attendance(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	msgs, err := a.attendances.AttendanceMessages(ctx, id)
	return v, msgs, err
}
