package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// AssignAttendance hands an attendance to an attendant, by hand: by is who
// decided (Principal.Actor). It emits attendance.assigned; the attendant it
// was taken from may have room for their team's queue now.
func (a *App) AssignAttendance(ctx context.Context, id, attendantID, by string) (*domain.Attendance, error) {
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
	previous := ""
	err := a.store.InTx(ctx, func(tx Tx) error {
		rt, _ := routingTx(tx)
		att, prev, env, err := a.assign(ctx, tx, rt, id, attendantID, by)
		if err != nil {
			return err
		}
		out, previous = att, prev
		return tx.Publish(ctx, env)
	})
	if err != nil {
		return nil, err
	}
	if previous != "" && previous != attendantID {
		a.routeFor(ctx, []string{previous})
	}
	return out, nil
}
