package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Transfer hands an attendance to an attendant or to a team's queue.
type Transfer struct {
	AttendanceID string
	AttendantID  string // either this
	TeamID       string // or this
	Note         string // for whoever takes it next
	By           string // Principal.Actor
}

// MaxNoteLength caps a transfer's note, in characters.
const MaxNoteLength = 4000

// TransferAttendance hands an attendance on: to an attendant at once, or
// into a team's queue, where the team's routing picks its next attendant.
// It emits attendance.transferred (with the note) and, when someone takes
// it, attendance.assigned; the attendant it left may have room now.
func (a *App) TransferAttendance(ctx context.Context, t Transfer) (*domain.Attendance, error) {
	if !domain.ValidID(t.AttendanceID) {
		return nil, domain.NotFound("attendance")
	}
	fields := map[string]string{}
	switch {
	case (t.AttendantID == "") == (t.TeamID == ""):
		fields["attendant_id"] = "give attendant_id or team_id, not both"
	case t.AttendantID != "":
		if at, err := a.attendants.AttendantByID(ctx, t.AttendantID); domain.IsNotFound(err) || (err == nil && !at.Active) {
			fields["attendant_id"] = "no such attendant"
		} else if err != nil {
			return nil, err
		}
	case a.teams == nil:
		fields["team_id"] = "no such team"
	default:
		if _, err := a.teams.Team(ctx, t.TeamID); domain.IsNotFound(err) {
			fields["team_id"] = "no such team"
		} else if err != nil {
			return nil, err
		}
	}
	t.Note = strings.TrimSpace(t.Note)
	if p := domain.TextProblem(t.Note); p != "" {
		fields["note"] = p
	} else if utf8.RuneCountInString(t.Note) > MaxNoteLength {
		fields["note"] = "must be at most 4000 characters"
	}
	if len(fields) > 0 {
		return nil, domain.Invalid(fields)
	}
	var out *domain.Attendance
	previous := ""
	err := a.store.InTx(ctx, func(tx Tx) error {
		now := a.now()
		var envs []events.Envelope
		if t.AttendantID != "" {
			rt, _ := routingTx(tx)
			att, prev, env, err := a.assign(ctx, tx, rt, t.AttendanceID, t.AttendantID, t.By)
			if err != nil {
				return err
			}
			out, previous, envs = att, prev, append(envs, env)
		} else if err := tx.UpdateAttendance(ctx, t.AttendanceID, func(att *domain.Attendance) error {
			out, previous = att, att.AttendantID
			return att.TransferToTeam(t.TeamID)
		}); err != nil {
			return err
		}
		envs = append(envs, newEvent(events.AttendanceTransferred, out.InstanceID, now, events.AttendanceTransferredData{
			AttendanceID: out.ID, FromAttendantID: previous, AttendantID: out.AttendantID, TeamID: out.TeamID,
			Note: t.Note, By: t.By}))
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return nil, err
	}
	var freed []string
	if previous != "" && previous != out.AttendantID {
		freed = append(freed, previous)
	}
	a.routeFor(ctx, freed, t.TeamID)
	return out, nil
}
