package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
)

// ListAttendances is the inbox: attendances with client and last message,
// narrowed by status, instance, label, team, assignee and a search; p
// resolves assigned=me.
func (a *App) ListAttendances(ctx context.Context, p Principal, f AttendanceFilter) ([]AttendanceView, string, error) {
	f.Page = clampPage(f.Page)
	f.Q, f.Label = strings.TrimSpace(f.Q), strings.TrimSpace(f.Label)
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
	if p := domain.TextProblem(f.Q); p != "" {
		fields["q"] = p
	} else if utf8.RuneCountInString(f.Q) > 200 {
		fields["q"] = "must be at most 200 characters"
	}
	if p := domain.TextProblem(f.Label); p != "" {
		fields["label"] = p
	} else if utf8.RuneCountInString(f.Label) > domain.MaxLabelLen {
		fields["label"] = "is longer than any label"
	}
	if f.TeamID != "" && !domain.ValidID(f.TeamID) {
		fields["team_id"] = "must be a team id"
	}
	switch {
	case f.Assigned == "me" && p.AttendantID == "":
		fields["assigned"] = "me needs an attendant's session"
	case f.Assigned == "me":
		f.Assigned = p.AttendantID
	case f.Assigned == "" || f.Assigned == "none" || domain.ValidID(f.Assigned):
	default:
		fields["assigned"] = "must be me, none or an attendant id"
	}
	if len(fields) > 0 {
		return nil, "", domain.Invalid(fields)
	}
	return a.attendances.ListAttendances(ctx, f)
}
