package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListAttendances is the inbox: attendances with client and last message.
func (a *App) ListAttendances(ctx context.Context, f AttendanceFilter) ([]AttendanceView, string, error) {
	f.Page = clampPage(f.Page)
	fields := map[string]string{}
	if _, ok := domain.ParseAttendanceStatus(f.Status); f.Status != "" && !ok {
		fields["status"] = "must be open or closed"
	}
	if f.InstanceID != "" && !domain.ValidID(f.InstanceID) {
		fields["instance"] = "must be an instance id"
	}
	if f.Cursor != "" && !domain.ValidID(f.Cursor) {
		fields["cursor"] = "is not a cursor this API returned"
	}
	if len(fields) > 0 {
		return nil, "", domain.Invalid(fields)
	}
	return a.attendances.ListAttendances(ctx, f)
}
