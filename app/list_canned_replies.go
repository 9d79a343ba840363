package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// CannedReplyView is a canned reply and, when listed for an attendance, its
// text filled for that attendance's client and attendant.
type CannedReplyView struct {
	domain.CannedReply
	Filled *string
}

// ListCannedReplies lists the canned replies; with an attendance id, each
// carries its text filled: {{name}} the client's name (or push name),
// {{attendant}} the caller's name, or the assigned attendant's when the
// caller is the admin token.
func (a *App) ListCannedReplies(ctx context.Context, p Principal, attendanceID string) ([]CannedReplyView, error) {
	var fill func(r *domain.CannedReply) string
	if attendanceID != "" {
		if !domain.ValidID(attendanceID) || !p.SeesAttendance(attendanceID) {
			return nil, domain.InvalidField("attendance_id", "no such attendance")
		}
		v, err := a.attendances.Attendance(ctx, attendanceID)
		if domain.IsNotFound(err) {
			return nil, domain.InvalidField("attendance_id", "no such attendance")
		}
		if err != nil {
			return nil, err
		}
		attendant, err := a.attendantName(ctx, p.AttendantID, v.Attendance.AttendantID)
		if err != nil {
			return nil, err
		}
		name := v.Client.DisplayName()
		fill = func(r *domain.CannedReply) string { return r.Fill(name, attendant) }
	}
	rs, err := a.tools.ListCannedReplies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CannedReplyView, 0, len(rs))
	for i := range rs {
		v := CannedReplyView{CannedReply: rs[i]}
		if fill != nil {
			f := fill(&rs[i])
			v.Filled = &f
		}
		out = append(out, v)
	}
	return out, nil
}

// attendantName is the name of the first of ids that names an attendant.
func (a *App) attendantName(ctx context.Context, ids ...string) (string, error) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		at, err := a.attendants.AttendantByID(ctx, id)
		if domain.IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		return at.Name, nil
	}
	return "", nil
}
