package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// SetLabels replaces an attendance's labels (open or closed: labelling a
// finished conversation is how it gets filed).
func (a *App) SetLabels(ctx context.Context, attendanceID string, labels []string) (*domain.Attendance, error) {
	if !domain.ValidID(attendanceID) {
		return nil, domain.NotFound("attendance")
	}
	var out *domain.Attendance
	err := a.store.InTx(ctx, func(tx Tx) error {
		return tx.UpdateAttendance(ctx, attendanceID, func(att *domain.Attendance) error {
			out = att
			return att.SetLabels(labels)
		})
	})
	return out, err
}
